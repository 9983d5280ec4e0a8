import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import Vocabulary

/// `baselines bench models`: per model, a training step (forward, backward, Adam) and an
/// inference batch at IndoMER's widths, batch 32, default hyperparameters, on clips padded to
/// the release's full lengths and on clips of realistic true lengths.
struct ModelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract:
            "Training-step and inference time per model at IndoMER shapes (full padded and realistic lengths)."
    )

    enum LengthCase: String, ExpressibleByArgument, CaseIterable { case full, realistic }

    @OptionGroup var blas: BLASOptions
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Option(parsing: .upToNextOption, help: "Models.") var models: [ModelName] = ModelName
        .fusionModels
    @Option(parsing: .upToNextOption, help: "Length cases (full realistic).") var cases:
        [LengthCase] = [.realistic, .full]
    @Option(help: "Timed steps (median reported, after 2 warm-up steps).") var repeats = 5
    @Option(help: "Batch size.") var batch = 32
    @Flag(
        help:
            "Also time the PyTorch twins (bench/torch_reference.py) in this invocation and print both with their ratio. Uses $INDOMER_TORCH_PYTHON or python3; skipped with a message when torch is missing."
    )
    var compareTorch = false

    struct Result: Encodable {
        let bench = "models"
        let model: String
        let lengths: String
        let batch: Int
        let trainStepMs: Double
        let inferenceMs: Double
        let clipsPerSecond: Double
        /// The training step's `cblas_sgemm` work over the step's median time.
        let gemmGFLOPs: Double
        let parameters: Int
        let peakResidentBytes: Int
        let blas: BLASInfo
    }

    /// A dataset of `batch` clips with random features and the chosen lengths.
    static func clips(_ lengthCase: LengthCase, batch: Int, generator: Generator) -> IndoMERDataset
    {
        var features: [Modality: RaggedFeatures] = [:]
        var durations: [Double] = []
        for _ in 0..<batch {
            // Realistic: log-normal durations with mean 5.37 s within 1.5 ... 9 s.
            durations.append(
                Swift.min(
                    9, Swift.max(1.5, 5.37 * Foundation.exp(0.35 * generator.normal() - 0.06125))))
        }
        for m in Modality.allCases {
            let (padded, dim) = IndoMERRelease.shape(of: m)
            let lengths: [Int] = durations.map { seconds in
                switch (lengthCase, m) {
                case (.full, _): padded
                case (.realistic, .text): 8 + generator.int(below: 33)
                case (.realistic, .audio): Int(seconds * 100)
                case (.realistic, .video): Int(seconds * 25)
                }
            }
            var offsets = [0]
            for l in lengths { offsets.append(offsets.last! + l) }
            let data = (0..<(offsets.last! * dim)).map { _ in Float(generator.normal()) }
            features[m] = RaggedFeatures(
                dim: dim, paddedLength: padded, offsets: offsets, data: data)
        }
        let clips = (0..<batch).map {
            Clip(
                id: "bench_\($0)", sourceVideo: "bench", split: .train, sentiment: $0 % 3,
                emotion: $0 % 7, modalitySentiment: [:])
        }
        return IndoMERDataset(
            clips: clips, features: features, normalization: [:], isSynthetic: true,
            fingerprint: "bench", source: "bench")
    }

    func run() throws {
        blas.apply()
        var ours: [String: Double] = [:]
        let context = BLASInfo.current
        if !json {
            print(
                "bench models: \(context.line); batch \(batch); median of \(repeats) steps after 2 warm-up"
            )
            print(
                TextTable.pad("model", 10) + TextTable.pad("lengths", 11)
                    + TextTable.pad("train ms", 12) + TextTable.pad("infer ms", 12)
                    + TextTable.pad("clips/s", 10) + TextTable.pad("GEMM GF/s", 11)
                    + TextTable.pad("params", 12) + "peak RSS")
        }
        let generator = Generator(seed: 7)
        for lengthCase in cases {
            let dataset = Self.clips(lengthCase, batch: batch, generator: generator)
            for kind in models {
                let model = ModelConfigurations().make(
                    kind, problem: .indoMER(Modality.allCases, task: .sentiment),
                    generator: Generator(seed: 1))
                let batcher = Batcher(
                    dataset: dataset, modalities: Modality.allCases, task: .sentiment,
                    needs: model.inputNeeds)
                let data = batcher.batch(Array(0..<batch))
                let optimizer = Adam(parameters: model.namedParameters(), learningRate: 1e-4)
                model.train()
                let step = TrainingStep(model: model, optimizer: optimizer)
                var stepMultiplyAdds = 0
                let train = Timing.samples(repeats: repeats) {
                    let before = BLAS.multiplyAdds.load(ordering: .relaxed)
                    defer { stepMultiplyAdds = BLAS.multiplyAdds.load(ordering: .relaxed) - before }
                    step(data)
                }
                model.eval()
                let infer = Timing.samples(repeats: repeats) {
                    _ = noGrad { model(data).logits.scalars }
                }
                let result = Result(
                    model: kind.rawValue, lengths: lengthCase.rawValue, batch: batch,
                    trainStepMs: Timing.median(train) * 1e3,
                    inferenceMs: Timing.median(infer) * 1e3,
                    clipsPerSecond: Double(batch) / Timing.median(train),
                    gemmGFLOPs: 2 * Double(stepMultiplyAdds) / Timing.median(train) * 1e-9,
                    parameters: model.parameterCount,
                    peakResidentBytes: PeakMemory.peakBytes() ?? 0, blas: context)
                ours["\(kind.rawValue)/\(lengthCase.rawValue)"] = result.trainStepMs
                if json {
                    printJSONLine(result)
                } else {
                    print(
                        TextTable.pad(kind.displayName, 10) + TextTable.pad(lengthCase.rawValue, 11)
                            + TextTable.pad(TextTable.number(result.trainStepMs, 1), 12)
                            + TextTable.pad(TextTable.number(result.inferenceMs, 1), 12)
                            + TextTable.pad(TextTable.number(result.clipsPerSecond, 1), 10)
                            + TextTable.pad(TextTable.number(result.gemmGFLOPs, 1), 11)
                            + TextTable.pad("\(result.parameters)", 12)
                            + String(format: "%.2f GB", Double(result.peakResidentBytes) / 1e9))
                }
            }
        }
        if compareTorch { try compare(with: ours) }
    }

    struct TorchResult: Decodable {
        let model: String
        let lengths: String
        let trainStepMs: Double
        let torch: String
    }

    struct Comparison: Encodable {
        let bench = "models.compare"
        let model: String
        let lengths: String
        let oursMs: Double
        let torchMs: Double
        let speedup: Double
        let torchVersion: String
        let threads: Int
    }

    /// Runs the PyTorch twins with the same threads and prints ours, theirs and the ratio.
    private func compare(with ours: [String: Double]) throws {
        let python = ProcessInfo.processInfo.environment["INDOMER_TORCH_PYTHON"] ?? "python3"
        let script = "bench/torch_reference.py"
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [python, "-c", "import torch"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil,
            {
                check.waitUntilExit()
                return check.terminationStatus == 0
            }(), FileManager.default.fileExists(atPath: script)
        else {
            printWarning(
                "--compare-torch skipped: \(python) cannot import torch (pip install torch, or set INDOMER_TORCH_PYTHON), or \(script) is not here (run from the repository root)"
            )
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                python, script, "--threads", "\(BLAS.threads)", "--repeats", "\(repeats)",
                "--batch", "\(batch)", "--cases",
            ] + cases.map(\.rawValue) + ["--models"] + models.map(\.rawValue)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(
            decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let results = output.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(TorchResult.self, from: Data($0.utf8))
        }
        if !json {
            print(
                "\nPyTorch twins (\(results.first?.torch ?? "torch")), \(BLAS.threads) thread(s), same shapes and step:"
            )
            print(
                TextTable.pad("model", 10) + TextTable.pad("lengths", 11)
                    + TextTable.pad("ours ms", 12) + TextTable.pad("torch ms", 12)
                    + "speed-up (torch / ours)")
        }
        for r in results {
            guard let mine = ours["\(r.model)/\(r.lengths)"] else { continue }
            let c = Comparison(
                model: r.model, lengths: r.lengths, oursMs: mine, torchMs: r.trainStepMs,
                speedup: r.trainStepMs / mine, torchVersion: r.torch, threads: BLAS.threads)
            if json {
                printJSONLine(c)
            } else {
                print(
                    TextTable.pad(ModelName(rawValue: r.model)?.displayName ?? r.model, 10)
                        + TextTable.pad(r.lengths, 11)
                        + TextTable.pad(TextTable.number(mine, 1), 12)
                        + TextTable.pad(TextTable.number(r.trainStepMs, 1), 12)
                        + TextTable.number(c.speedup, 2) + "x")
            }
        }
    }
}
