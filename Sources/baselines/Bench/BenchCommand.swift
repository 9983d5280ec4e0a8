import ArgumentParser

/// `baselines bench ...`: speed measurements (never unit tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed: matrix products and elementwise kernels (ops).",
        subcommands: [OpsBench.self]
    )
}
