import ArgumentParser
import Datasets
import Experiments
import Foundation
import Vocabulary

/// Where the data come from: a release folder (`--data` or `INDOMER_DATA`), or the built-in
/// synthetic IndoMER.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "An IndoMER release folder (default: $INDOMER_DATA; without either, the built-in synthetic IndoMER).",
            valueName: "dir"))
    var data: String?

    @Option(
        help: ArgumentHelp(
            "The HDF5 feature cache to use or write (default: <data>/indomer_fusion_cache.h5, in results/ when <data> is read-only; results/synthetic_cache_*.h5 for the synthetic set).",
            valueName: "path"))
    var cache: String?

    @Flag(help: "Replace NaN and infinite feature values with 0 instead of refusing the data.")
    var zeroNonFinite = false

    enum SyntheticSize: String, ExpressibleByArgument, CaseIterable { case full, tiny }

    @Option(help: "Seed of the synthetic IndoMER.") var syntheticSeed: UInt64 = 2024
    @Option(
        help:
            "Size of the synthetic IndoMER: full (the release's sizes) or tiny (5% of the clips, narrow features; for smoke tests)."
    )
    var syntheticSize: SyntheticSize = .full
    @Option(help: "Signal strength of the synthetic IndoMER (0 = pure noise).") var syntheticSignal:
        Float = 1
    @Option(
        help:
            "With --data on an MMSA-format file: the data set's name in records and tables (e.g. 'CH-SIMS v2', 'CMU-MOSEI'); by default CH-SIMS or CMU-MOSI/MOSEI, from its labels. The OmniMER paper's CH-SIMS rows are quoted only beside data named CH-SIMS."
    )
    var dataName: String?

    /// The data source these options name.
    var source: DataSource {
        var c =
            syntheticSize == .tiny
            ? SyntheticIndoMER.Configuration.tiny : SyntheticIndoMER.Configuration()
        c.seed = syntheticSeed
        c.signal = syntheticSignal
        return DataSource(
            releaseFolder: data ?? ProcessInfo.processInfo.environment["INDOMER_DATA"],
            cache: cache, zeroNonFinite: zeroNonFinite, synthetic: c,
            syntheticName: syntheticSize.rawValue, dataName: dataName)
    }

    /// `DataSource.load`: the cached data, prepared first when there is no usable cache.
    func load(
        modalities: [Modality] = Modality.allCases, log: (String) -> Void
    ) throws
        -> IndoMERDataset
    {
        try source.load(modalities: modalities, log: log)
    }

    /// The data a grid needs, for `run` and `tune`: an unreadable source ends the command with
    /// its error; the synthetic set is announced as such.
    func load(for grid: GridSpec, log: (String) -> Void) throws -> IndoMERDataset {
        let dataset: IndoMERDataset
        do { dataset = try load(modalities: grid.neededModalities, log: log) } catch let error
            as DataError
        {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        do { try grid.checkTasks(of: dataset) } catch let error as SpecError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        if dataset.isSynthetic {
            printWarning(
                "running on the SYNTHETIC IndoMER (no --data, no INDOMER_DATA): results are not "
                    + "IndoMER results")
        }
        return dataset
    }

    /// `DataSource.prepare`: reads the release (or makes the synthetic set) and writes the cache.
    func prepare(
        modalities: [Modality] = Modality.allCases, log: (String) -> Void
    ) throws
        -> IndoMERDataset
    {
        try source.prepare(modalities: modalities, log: log)
    }
}
