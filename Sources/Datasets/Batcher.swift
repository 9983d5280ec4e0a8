import Autograd

/// One modality of a batch: features padded to the batch's longest clip, and true lengths.
/// Shapes: `features [B, T, D]`, `lengths [B]` with `1 <= lengths[b] <= T`.
public struct ModalityBatch {
    public var features: Tensor
    public var lengths: [Int]

    public init(features: Tensor, lengths: [Int]) {
        self.features = features
        self.lengths = lengths
    }
}

/// A batch for a fusion model: the present modalities, labels and clip identities.
public struct FusionBatch {
    public var inputs: [Modality: ModalityBatch]
    public var labels: [Int]
    public var clipIDs: [String]
    /// Each clip's text token count, the time axis that aligned models (EF-LSTM, MFN) use.
    public var textLengths: [Int]

    public init(inputs: [Modality: ModalityBatch], labels: [Int], clipIDs: [String], textLengths: [Int]) {
        self.inputs = inputs
        self.labels = labels
        self.clipIDs = clipIDs
        self.textLengths = textLengths
    }

    public var size: Int { labels.count }
}

/// Turns clip indices into padded batches.
///
/// Length-aware: `batches(of:)` shuffles the clips, cuts the shuffled order into chunks of
/// `bucketBatches` batches, sorts each chunk by length and cuts it into batches, then
/// shuffles the batch order. A batch pads only to its own longest clip. With `shuffle`
/// false (evaluation) clips keep their order.
public struct Batcher {
    public let dataset: IndoMERDataset
    public let modalities: [Modality]
    public let task: IndoMERTask
    /// Audio frames averaged in windows of this many over each clip's true length (1 = none).
    public var audioPool = 1

    public init(dataset: IndoMERDataset, modalities: [Modality], task: IndoMERTask) {
        precondition(!modalities.isEmpty, "a batch needs at least one modality")
        self.dataset = dataset
        self.modalities = modalities
        self.task = task
    }

    /// The clip order for one epoch: shuffled, then sorted by length within buckets.
    public func batches(of clips: [Int], batchSize: Int, shuffle: Bool, generator: Generator, bucketBatches: Int = 8) -> [[Int]] {
        guard shuffle else { return stride(from: 0, to: clips.count, by: batchSize).map { Array(clips[$0..<Swift.min($0 + batchSize, clips.count)]) } }
        var order = clips
        var rng = generator
        order.shuffle(using: &rng)
        let key = modalities.contains(.video) ? Modality.video : modalities.contains(.audio) ? .audio : .text
        let lengths = dataset.features[key]!
        var result: [[Int]] = []
        for start in stride(from: 0, to: order.count, by: batchSize * bucketBatches) {
            let bucket = order[start..<Swift.min(start + batchSize * bucketBatches, order.count)].sorted { lengths.length(of: $0) < lengths.length(of: $1) }
            for b in stride(from: 0, to: bucket.count, by: batchSize) {
                result.append(Array(bucket[(bucket.startIndex + b)..<Swift.min(bucket.startIndex + b + batchSize, bucket.endIndex)]))
            }
        }
        result.shuffle(using: &rng)
        return result
    }

    /// The padded batch of `clips`.
    public func batch(_ clips: [Int]) -> FusionBatch {
        var inputs: [Modality: ModalityBatch] = [:]
        for m in modalities {
            let f = dataset.features[m]!
            let pool = m == .audio ? audioPool : 1
            let lengths = clips.map { (f.length(of: $0) + pool - 1) / pool }
            let steps = lengths.max() ?? 1
            var values = [Float](repeating: 0, count: clips.count * steps * f.dim)
            for (b, clip) in clips.enumerated() {
                let frames = f.frames(of: clip)
                let base = frames.startIndex
                let length = f.length(of: clip)
                for t in 0..<lengths[b] {
                    // Mean of frames t·pool ..< min((t+1)·pool, length).
                    let lo = t * pool
                    let hi = Swift.min(lo + pool, length)
                    let scale = 1 / Float(hi - lo)
                    for frame in lo..<hi {
                        for d in 0..<f.dim { values[(b * steps + t) * f.dim + d] += frames[base + frame * f.dim + d] * scale }
                    }
                }
            }
            inputs[m] = ModalityBatch(features: Tensor(values, shape: [clips.count, steps, f.dim]), lengths: lengths)
        }
        let text = dataset.features[.text]
        return FusionBatch(
            inputs: inputs, labels: clips.map { dataset.clips[$0].label(for: task) },
            clipIDs: clips.map { dataset.clips[$0].id },
            textLengths: clips.map { text?.length(of: $0) ?? dataset.features[modalities[0]]!.length(of: $0) })
    }
}
