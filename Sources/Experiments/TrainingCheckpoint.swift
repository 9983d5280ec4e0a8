import Autograd
import Datasets
import Foundation
import HDF5
import NN

/// A run's whole training state at the end of an epoch, so that a run killed mid-epoch (a
/// crash, `kill -9`, a Slurm time limit) resumes from its last finished epoch and ends with
/// exactly what an uninterrupted run gives: the weights and BatchNorm statistics, the best
/// epoch's copy of them, the optimizer's moments and step counts, the plateau scheduler's
/// counters, every random generator the run draws from (initialisation is already done, so
/// these are the model's dropout stream, the batch shuffler and modality dropout's), the
/// curve, and the seconds spent so far.
///
/// One HDF5 file per run: datasets `model/<key>`, `best/<key>`, `optimizer/first/<key>`,
/// `optimizer/second/<key>` (float32, by `state_dict` name) and a JSON attribute `meta` on the
/// root. It is written beside its final name and renamed over it, so a kill while writing
/// leaves the previous epoch's checkpoint whole.
struct TrainingCheckpoint {
    struct Meta: Codable {
        struct Best: Codable {
            var score: Double
            var loss: Double
            var epoch: Int
        }

        /// What the state belongs to (the trainer's run key): a checkpoint of another run,
        /// setting or data is never resumed.
        var run: String
        /// The last finished epoch.
        var epoch: Int
        var curve: [RunRecord.Epoch]
        var best: Best
        var generators: [String: Generator.State]
        var plateau: ReduceLROnPlateau.State?
        var learningRate: Float
        var optimizerSteps: [String: Int]
        var seconds: Double
    }

    var meta: Meta
    /// Parameters then buffers, by name.
    var model: [(key: String, values: [Float])]
    /// The selected epoch's parameters and buffers, by name.
    var best: [String: [Float]]
    var optimizer: OptimizerSnapshot

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    /// Writes the checkpoint to `path` atomically (a temporary file renamed over it).
    func write(to path: String) throws {
        let partial = path + ".\(getpid()).partial"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try writeFile(partial)
        if rename(partial, path) != 0 {
            throw DataError(
                file: path,
                message:
                    "cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
    }

    private func writeFile(_ path: String) throws {
        let file = try HDF5File(path: path, mode: .create)
        for (key, values) in model {
            let bestValues = best[key]!
            try file.write("model/\(key)", floats: values, shape: [values.count])
            try file.write("best/\(key)", floats: bestValues, shape: [bestValues.count])
        }
        for (key, entry) in optimizer.entries {
            try file.write(
                "optimizer/first/\(key)", floats: entry.first, shape: [entry.first.count])
            try file.write(
                "optimizer/second/\(key)", floats: entry.second, shape: [entry.second.count])
        }
        try file.setAttribute("meta", String(decoding: Self.encoder.encode(meta), as: UTF8.self))
    }

    /// Reads a checkpoint written for `run` whose model state has exactly `keys` with `counts`
    /// floats; nil when there is no file. A file of another run, or one that does not fit, is
    /// an error naming it (the caller decides whether to start afresh).
    static func read(
        from path: String, run: String, keys: [String], counts: [Int]
    ) throws -> TrainingCheckpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try HDF5File(path: path, mode: .read)
        guard let text = try file.attribute("meta") else {
            throw DataError(file: path, message: "a checkpoint without its `meta` attribute")
        }
        let meta = try decoder.decode(Meta.self, from: Data(text.utf8))
        guard meta.run == run else {
            throw DataError(
                file: path, message: "a checkpoint of another run (\(meta.run)), expected \(run)")
        }
        var model: [(key: String, values: [Float])] = []
        var best: [String: [Float]] = [:]
        for (key, count) in zip(keys, counts) {
            let values = try file.readFloats("model/\(key)").values
            let bestValues = try file.readFloats("best/\(key)").values
            guard values.count == count, bestValues.count == count else {
                throw DataError(
                    file: path,
                    message: "\(key) holds \(values.count) floats, the model has \(count)")
            }
            model.append((key, values))
            best[key] = bestValues
        }
        let sizes = Dictionary(zip(keys, counts), uniquingKeysWith: { a, _ in a })
        var entries: [String: OptimizerSnapshot.Entry] = [:]
        for (key, steps) in meta.optimizerSteps {
            let entry = OptimizerSnapshot.Entry(
                first: try file.readFloats("optimizer/first/\(key)").values,
                second: try file.readFloats("optimizer/second/\(key)").values, steps: steps)
            // Adam reads both moments by the parameter's size (SGD without momentum keeps none).
            guard let size = sizes[key], [0, size].contains(entry.first.count),
                [0, size].contains(entry.second.count)
            else {
                throw DataError(
                    file: path,
                    message: "optimizer state of \(key) does not fit the model's parameters")
            }
            entries[key] = entry
        }
        for (name, state) in meta.generators where state.values == nil {
            throw DataError(
                file: path, message: "the state of generator \(name) is not four 64-bit words")
        }
        return TrainingCheckpoint(
            meta: meta, model: model, best: best,
            optimizer: OptimizerSnapshot(learningRate: meta.learningRate, entries: entries))
    }
}
