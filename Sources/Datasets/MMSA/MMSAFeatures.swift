import Foundation
import Vocabulary

/// An MMSA-format feature pickle (CMU-MOSI, CMU-MOSEI, CH-SIMS, CH-SIMS v2), read with the
/// restricted unpickler (no code from the file runs) into each split's true frames, ids and
/// regression labels.
///
/// The layout is MMSA's (`docs/mmsa-2.2.1.md`, section 1): a dict of `train`, `valid` and `test`,
/// each holding `text` (N x L x 768 BERT features), `audio`, `vision` (N x L x D, float32 or
/// float64, zero-padded at the end), `id` (`video$_$clip`, a NumPy string array or a list),
/// `regression_labels` (N), and optionally `text_bert` (N x 3 x L: ids, mask, segments),
/// `audio_lengths` and `vision_lengths` (unaligned files), `raw_text`, and for CH-SIMS
/// `regression_labels_T/A/V`.
///
/// True lengths: text from the `text_bert` mask when present, else up to its last non-zero row
/// (MMSA pads with zeros); audio and video from `*_lengths` when present (unaligned; clamped to
/// the padded length as MMSA-FET does), else the text's (aligned files share one time axis).
/// As MMSA does, audio values of −inf become 0; any other NaN or infinity is refused, naming
/// the clips, unless the policy is `.zero`.
public struct MMSAFeatures: Sendable {
    /// One of the file's splits.
    public struct SplitData: Sendable {
        /// `train`, `valid` or `test`, as the file names it.
        public var name: String
        public var ids: [String]
        public var features: [Modality: RaggedFeatures]
        /// The overall regression label per clip.
        public var labels: [Float]
        /// CH-SIMS's per-modality labels (`regression_labels_T/A/V`), when the file has them.
        public var modalityLabels: [Modality: [Float]]
        /// Audio values of −inf set to 0 (MMSA's one correction).
        public var audioNegativeInfinities: Int
        /// Other NaN and infinite values set to 0 per modality (with the `.zero` policy).
        public var nonFiniteReplaced: [Modality: Int] = [:]
    }

    /// Whose tasks the labels take: CH-SIMS's ([−1, 1]) or CMU-MOSI/MOSEI's ([−3, 3]).
    public enum Family: String, Sendable {
        case sims, cmu

        public var tasks: [ClassificationTask] {
            self == .sims ? ClassificationTask.sims : ClassificationTask.cmu
        }
    }

    public var path: String
    public var splits: [SplitData]
    public var family: Family
    /// Whether audio and video came with their own lengths (an unaligned file).
    public var unaligned: Bool

    /// The split names MMSA's loader requires, in order.
    public static let splitNames = ["train", "valid", "test"]

    /// Whether a pickle looks like MMSA's: a dict holding `train`, `valid` and `test` dicts.
    public static func isMMSA(_ value: PickleValue) -> Bool {
        guard case .dict(let d) = value else { return false }
        return splitNames.allSatisfy { if case .dict = d[$0] { true } else { false } }
    }

    /// Reads the pickle at `path`. The family is CH-SIMS when the file has per-modality labels
    /// or every label lies in [−1, 1], otherwise CMU; pass it to override.
    public static func read(
        path: String, family: Family? = nil,
        nonFinite: IndoMERDataset.NonFinitePolicy = .refuse
    ) throws -> MMSAFeatures {
        try read(
            RestrictedUnpickler.load(path: path), path: path, family: family, nonFinite: nonFinite)
    }

    public static func read(
        _ value: PickleValue, path: String, family: Family? = nil,
        nonFinite: IndoMERDataset.NonFinitePolicy = .refuse
    ) throws -> MMSAFeatures {
        guard case .dict(let root) = value, isMMSA(value) else {
            throw DataError(
                file: path,
                message:
                    "not an MMSA feature pickle: expected a dict of train, valid and test dicts; "
                    + "found \(value.structure())")
        }
        var splits: [SplitData] = []
        var unaligned = false
        for name in splitNames {
            guard case .dict(let d)? = root[name] else { continue }
            let reader = SplitReader(dict: d, split: name, path: path)
            let split = try reader.read(nonFinite: nonFinite)
            unaligned = unaligned || reader.hasOwnLengths
            splits.append(split)
        }
        let allLabels = splits.flatMap(\.labels)
        let detected: Family =
            splits.contains { !$0.modalityLabels.isEmpty }
                || allLabels.allSatisfy { abs($0) <= 1 } ? .sims : .cmu
        return MMSAFeatures(
            path: path, splits: splits, family: family ?? detected, unaligned: unaligned)
    }

    /// What `baselines inspect` prints for an MMSA pickle.
    public var summary: String {
        var lines = [
            "\(path): MMSA-format features, \(unaligned ? "unaligned" : "aligned"), "
                + "\(family == .sims ? DataSetName.chsims : DataSetName.cmu) labels "
                + "(tasks \(family.tasks.map(\.name).joined(separator: ", ")))"
        ]
        for split in splits {
            lines.append(
                "\(split.name): \(split.ids.count) clips"
                    + (split.audioNegativeInfinities > 0
                        ? ", \(split.audioNegativeInfinities) audio −inf set to 0" : ""))
            for m in Modality.allCases {
                guard let f = split.features[m] else { continue }
                let lengths = f.lengths.sorted()
                lines.append(
                    "  \(m.rawValue): padded \(f.paddedLength) x \(f.dim); true length min "
                        + "\(lengths.first ?? 0), median \(lengths.isEmpty ? 0 : lengths[lengths.count / 2]), "
                        + "max \(lengths.last ?? 0)")
            }
            for task in family.tasks {
                var counts = [Int](repeating: 0, count: task.classCount)
                var left = 0
                for label in split.labels {
                    if let c = MMSALabels.classIndex(ofLabel: label, task: task) {
                        counts[c] += 1
                    } else {
                        left += 1
                    }
                }
                lines.append(
                    "  \(task.name): "
                        + zip(task.classNames, counts).map { "\($0) \($1)" }.joined(separator: ", ")
                        + (left > 0 ? "; \(left) without a class" : ""))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Reads one split's dict, checking every key it uses.
private struct SplitReader {
    let dict: PickleDict
    let split: String
    let path: String

    var hasOwnLengths: Bool { dict["audio_lengths"] != nil || dict["vision_lengths"] != nil }

    func fail(_ message: String, clip: String? = nil) -> DataError {
        DataError(file: path, clip: clip, message: "\(split): \(message)")
    }

    func array(_ key: String) throws -> NumPyArray {
        guard let value = dict[key] else { throw fail("no '\(key)'") }
        guard case .array(let a) = value else {
            throw fail("'\(key)' is \(value.kind), expected a NumPy array")
        }
        return a
    }

    /// A list of numbers or strings, as a NumPy array or a Python list.
    func strings(_ key: String) throws -> [String] {
        switch dict[key] {
        case .array(let a)?:
            guard let s = a.strings() else {
                throw fail("'\(key)' holds \(a.dtype), expected strings")
            }
            return s
        case .list(let l)?:
            return try l.items.map {
                guard case .string(let s) = $0 else {
                    throw fail("'\(key)' holds a \($0.kind), expected strings")
                }
                return s
            }
        case nil: throw fail("no '\(key)'")
        case let other?: throw fail("'\(key)' is \(other.kind), expected strings")
        }
    }

    func numbers(_ key: String) throws -> [Double]? {
        switch dict[key] {
        case nil: return nil
        case .array(let a)?:
            guard a.isNumeric else { throw fail("'\(key)' holds \(a.dtype), expected numbers") }
            return a.floats().map(Double.init)
        case .list(let l)?:
            return try l.items.map {
                switch $0 {
                case .int(let i): Double(i)
                case .float(let f): f
                default: throw fail("'\(key)' holds a \($0.kind), expected numbers")
                }
            }
        case let other?: throw fail("'\(key)' is \(other.kind), expected numbers")
        }
    }

    func read(nonFinite: IndoMERDataset.NonFinitePolicy) throws -> MMSAFeatures.SplitData {
        let ids = try strings("id")
        let n = ids.count
        guard let labels = try numbers("regression_labels"), labels.count == n else {
            throw fail("'regression_labels' must hold one value per clip (\(n))")
        }
        var modalityLabels: [Modality: [Float]] = [:]
        for m in Modality.allCases {
            if let values = try numbers("regression_labels_\(m.letter)") {
                guard values.count == n else {
                    throw fail(
                        "'regression_labels_\(m.letter)' holds \(values.count) values, expected \(n)"
                    )
                }
                modalityLabels[m] = values.map(Float.init)
            }
        }
        let keys: [(Modality, String)] = [(.text, "text"), (.audio, "audio"), (.video, "vision")]
        var padded: [Modality: NumPyArray] = [:]
        for (m, key) in keys {
            let a = try array(key)
            guard a.isNumeric, a.shape.count == 3, a.shape[0] == n, a.shape[1] > 0, a.shape[2] > 0
            else {
                throw fail(
                    "'\(key)' of shape \(a.shape) and dtype \(a.dtype), expected \(n) x L x D numbers"
                )
            }
            padded[m] = a
        }
        let textLengths = try self.textLengths(padded[.text]!, ids: ids)
        var features: [Modality: RaggedFeatures] = [:]
        var negativeInfinities = 0
        var replaced: [Modality: Int] = [:]
        var nonFiniteClips: [String] = []
        for (m, key) in keys {
            let a = padded[m]!
            let (steps, dim) = (a.shape[1], a.shape[2])
            var lengths = textLengths
            if m != .text, let own = try numbers("\(key)_lengths") {
                guard own.count == n else {
                    throw fail("'\(key)_lengths' holds \(own.count) values, expected \(n)")
                }
                lengths = try own.enumerated().map { i, l in
                    guard l.isFinite, l >= 0, l == l.rounded() else {
                        throw fail("\(key) length \(l), expected a whole number", clip: ids[i])
                    }
                    return Int(Swift.min(l, Double(steps)))
                }
            }
            lengths = lengths.map { Swift.min($0, steps) }
            let values = a.floats()
            var offsets = [0]
            var data: [Float] = []
            data.reserveCapacity(lengths.reduce(0, +) * dim)
            for i in 0..<n {
                var bad = false
                for t in 0..<lengths[i] {
                    for d in 0..<dim {
                        var v = values[(i * steps + t) * dim + d]
                        if m == .audio && v == -.infinity {
                            v = 0
                            negativeInfinities += 1
                        } else if !v.isFinite {
                            if nonFinite == .zero {
                                v = 0
                                replaced[m, default: 0] += 1
                            } else {
                                bad = true
                            }
                        }
                        data.append(v)
                    }
                }
                if bad { nonFiniteClips.append("\(ids[i]) (\(key))") }
                offsets.append(offsets.last! + lengths[i])
            }
            features[m] = RaggedFeatures(
                dim: dim, paddedLength: steps, offsets: offsets, data: data)
            a.releaseMappedPages()
        }
        guard nonFiniteClips.isEmpty else {
            throw fail(
                "NaN or infinite values (other than MMSA's audio −inf) in \(nonFiniteClips.count) "
                    + "clip(s): \(nonFiniteClips.prefix(5).joined(separator: ", ")); pass "
                    + "--zero-non-finite to replace them with 0")
        }
        return MMSAFeatures.SplitData(
            name: split, ids: ids, features: features, labels: labels.map(Float.init),
            modalityLabels: modalityLabels, audioNegativeInfinities: negativeInfinities,
            nonFiniteReplaced: replaced)
    }

    /// The text's true lengths: the `text_bert` mask's sum, else up to the last non-zero row.
    func textLengths(_ text: NumPyArray, ids: [String]) throws -> [Int] {
        let (n, steps, dim) = (text.shape[0], text.shape[1], text.shape[2])
        if dict["text_bert"] != nil {
            let bert = try array("text_bert")
            guard bert.isNumeric, bert.shape.count == 3, bert.shape[0] == n, bert.shape[1] == 3
            else {
                throw fail(
                    "'text_bert' of shape \(bert.shape), expected \(n) x 3 x L (ids, mask, segments)"
                )
            }
            let mask = bert.floats()
            let width = bert.shape[2]
            return try (0..<n).map { i in
                let row = mask[(i * 3 + 1) * width..<(i * 3 + 2) * width]
                guard row.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                    throw fail("the text_bert mask holds values other than 0 and 1", clip: ids[i])
                }
                return Swift.min(Int(row.reduce(0, +)), steps)
            }
        }
        let values = text.floats()
        return (0..<n).map { i in
            var length = steps
            while length > 0,
                values[((i * steps + length - 1) * dim)..<((i * steps + length) * dim)].allSatisfy({
                    $0 == 0
                })
            {
                length -= 1
            }
            return length
        }
    }
}
