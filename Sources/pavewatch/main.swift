import PavewatchCLI

await Pavewatch.main()
