import ArgumentParser
import Datasets
import Foundation
import Vocabulary

/// `baselines prepare`: reads the release once (or makes the synthetic set) and writes the
/// HDF5 feature cache that training reads.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract:
            "Read the IndoMER release (or make the synthetic set) into one HDF5 feature cache.")

    @OptionGroup var dataOptions: DataOptions
    @Option(parsing: .upToNextOption, help: "Modalities to read (text audio video).")
    var modalities: [Modality] = Modality.allCases

    func run() throws {
        let dataset = try dataOptions.prepare(modalities: modalities) { printNote($0) }
        print(dataset.summary)
    }
}
