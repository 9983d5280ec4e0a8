import ArgumentParser

/// `baselines bench ...`: speed measurements (never unit tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure speed and memory: matrix products and elementwise kernels (ops), layer training steps (layers), graph release (memory).",
        subcommands: [
            OpsBench.self, LayersBench.self, ModelsBench.self, GridBench.self, MemoryBench.self,
            PickleBench.self,
        ]
    )
}
