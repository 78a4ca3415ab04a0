// The `pavewatch` executable: hands the command line to the command tree in PavewatchCLI.
import ArgumentParser
import PavewatchCLI

@main
enum PavewatchMain {
    static func main() async {
        await Pavewatch.main(nil)
    }
}
