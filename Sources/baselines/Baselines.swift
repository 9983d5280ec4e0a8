import ArgumentParser

/// The root command: lists the subcommands.
struct Baselines: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baselines",
        abstract: "Classical multimodal fusion baselines on IndoMER.",
        discussion: """
            Runs EF-LSTM, LF-DNN, TFN, MFN, MulT and MISA on the IndoMER release (or on a \
            built-in synthetic IndoMER) and writes tables beside the paper's numbers.
            """,
        subcommands: [
            RunCommand.self, TuneCommand.self, ReportCommand.self, PrepareCommand.self,
            EvalCommand.self, InspectCommand.self, ModelsCommand.self, InfoCommand.self,
            BenchCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
