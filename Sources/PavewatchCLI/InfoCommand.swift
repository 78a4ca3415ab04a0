import ArgumentParser

/// `pavewatch info IMAGE...`: size, camera and position of each frame.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print size, camera, position and capture time of images.")

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    @Flag(help: "One JSON object per file instead of a table.")
    var json = false

    func run() async throws {
        throw ValidationError("not implemented yet")
    }
}
