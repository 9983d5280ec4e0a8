import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import Vocabulary

/// `baselines bench pickle`: reading a release-sized video pickle: seconds and peak memory
/// against the float32 size of the features it holds.
struct PickleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pickle",
        abstract:
            "Read a multi-gigabyte video feature pickle: seconds and peak memory vs the float32 size of its features."
    )

    @Option(help: "Size of the generated pickle in GB (10^9 bytes).") var gigabytes: Double = 4
    @Option(help: "Where to write it (deleted afterwards).") var path =
        "/tmp/indomer-bench-video.pkl"
    @Flag(help: "One JSON object instead of text.") var json = false

    struct Result: Encodable {
        let bench = "pickle.read"
        let fileBytes: Int
        let clips: Int
        let writeSeconds: Double
        /// Parsing the pickle (memory-mapped; arrays stay in the file's pages).
        let parseSeconds: Double
        /// Parsing plus converting every clip's true frames to float32, as `prepare` does.
        let readSeconds: Double
        let paddedFloat32Bytes: Int
        let trueFramesFloat32Bytes: Int
        let peakResidentBytes: Int
        let residentBeforeBytes: Int
    }

    func run() throws {
        let (frames, dim) = IndoMERRelease.shape(of: .video)
        let clipBytes = frames * dim * 4
        let clips = Int(gigabytes * 1e9) / clipBytes
        let generator = Generator(seed: 1)
        var start = Timing.now()
        let writer = try PickleWriter(path: path)
        var buffer = [Float](repeating: 0, count: frames * dim)
        var trueFrames = 0
        for c in 0..<clips {
            let length = 40 + generator.int(below: 186)
            trueFrames += length
            for i in 0..<(frames * dim) {
                buffer[i] = i < length * dim ? Float(i % 97) * 0.01 + 0.5 : 0
            }
            buffer.withUnsafeBufferPointer {
                writer.append(
                    name: "clip_\(c).mp4", nameKey: "video_name", featureKey: "video_feature",
                    values: $0, frames: frames, dim: dim)
            }
        }
        try writer.finish()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writeSeconds = Double(Timing.now() - start) * 1e-9
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // Drop the file from the page cache is not possible without root tricks; the read is
        // therefore warm. Peak memory is what the process itself holds.
        let before = residentBytes()
        PeakMemory.reset()
        start = Timing.now()
        let mapped = try MappedFile(path: path)
        let value = try RestrictedUnpickler(file: mapped).load()
        let parseSeconds = Double(Timing.now() - start) * 1e-9
        guard case .list(let list) = value else { throw ValidationError("unexpected pickle") }
        var data: [Float] = []
        data.reserveCapacity(trueFrames * dim)
        var scratch = [Float](repeating: 0, count: frames * dim)
        for item in list.items {
            guard case .dict(let d) = item, case .array(let a)? = d["video_feature"] else {
                continue
            }
            scratch.withUnsafeMutableBufferPointer { a.copyFloats(into: $0) }
            a.releaseMappedPages()
            let length = IndoMERDataset.trueLength(scratch, frames: frames, dim: dim)
            data += scratch[0..<(length * dim)]
        }
        let readSeconds = Double(Timing.now() - start) * 1e-9
        let result = Result(
            fileBytes: fileBytes, clips: clips, writeSeconds: writeSeconds,
            parseSeconds: parseSeconds,
            readSeconds: readSeconds, paddedFloat32Bytes: clips * clipBytes,
            trueFramesFloat32Bytes: data.count * 4,
            peakResidentBytes: PeakMemory.peakBytes() ?? 0, residentBeforeBytes: before)
        if json {
            printJSONLine(result)
        } else {
            let gb = { (b: Int) in String(format: "%.2f GB", Double(b) / 1e9) }
            print(
                "bench pickle: \(clips) video clips of \(frames)x\(dim) float32, file \(gb(fileBytes)) (written in \(TextTable.number(writeSeconds, 1)) s)"
            )
            print(
                "parse \(TextTable.number(parseSeconds, 2)) s; parse + convert true frames \(TextTable.number(readSeconds, 1)) s"
            )
            print(
                "features: padded float32 \(gb(result.paddedFloat32Bytes)), true frames float32 \(gb(result.trueFramesFloat32Bytes))"
            )
            print(
                "peak resident \(gb(result.peakResidentBytes)) (before reading \(gb(before))): \(TextTable.number(Double(result.peakResidentBytes) / Double(result.trueFramesFloat32Bytes), 2))x the true-frame float32 size, \(TextTable.number(Double(result.peakResidentBytes) / Double(result.paddedFloat32Bytes), 2))x the padded size"
            )
        }
    }
}
