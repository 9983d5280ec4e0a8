import Autograd
import Datasets
import FusionModels
import Vocabulary

/// Turns clip indices into padded batches, shaped as the model asks (`InputNeeds`).
///
/// The sequence form, from the cache to the models, is one: padded plus lengths
/// (`ModalityBatch`). The cache stores each clip's true frames only (`RaggedFeatures`); a batch
/// pads them to its own longest clip; a kernel that skips padding converts to
/// `PackedSequences` inside itself and back (the LSTM's input projection, the Transformer
/// encoder, attention).
///
/// Length-aware: `batches(of:)` shuffles the clips, cuts the shuffled order into chunks of
/// `bucketBatches` batches, sorts each chunk by length and cuts it into batches, then
/// shuffles the batch order. A batch pads only to its own longest clip. With `shuffle`
/// false (evaluation) clips keep their order.
///
/// Under the MMSA protocol (`InputNeeds.mmsa`) batches are drawn at random as MMSA's
/// loader draws them (no length buckets: the statistics of EF-LSTM's and LF-DNN's BatchNorm
/// depend on which clips share a batch), features go back to the file's units (MMSA
/// standardises nothing; the training split's statistics undone), and `MMSAInputs` pads and
/// shapes them as MMSA's models see them.
public struct Batcher {
    public let dataset: IndoMERDataset
    public let modalities: [Modality]
    public let task: ClassificationTask
    /// The model's needs: audio pooling (applied here, on the true frames) and alignment onto
    /// text tokens (applied to each finished batch).
    public let needs: InputNeeds

    public init(
        dataset: IndoMERDataset, modalities: [Modality], task: ClassificationTask,
        needs: InputNeeds
    ) {
        precondition(!modalities.isEmpty, "a batch needs at least one modality")
        self.dataset = dataset
        self.modalities = modalities
        self.task = task
        self.needs = needs
    }

    /// The clip order for one epoch: shuffled, then sorted by length within buckets.
    public func batches(
        of clips: [Int], batchSize: Int, shuffle: Bool, generator: Generator, bucketBatches: Int = 8
    ) -> [[Int]] {
        guard shuffle else {
            return stride(from: 0, to: clips.count, by: batchSize).map {
                Array(clips[$0..<Swift.min($0 + batchSize, clips.count)])
            }
        }
        var order = clips
        var rng = generator
        order.shuffle(using: &rng)
        let bucketBatches = needs.mmsa == nil ? bucketBatches : 1
        let key =
            modalities.contains(.video)
            ? Modality.video : modalities.contains(.audio) ? .audio : .text
        let lengths = dataset.features[key]!
        var result: [[Int]] = []
        for start in stride(from: 0, to: order.count, by: batchSize * bucketBatches) {
            let bucket = order[start..<Swift.min(start + batchSize * bucketBatches, order.count)]
                .sorted { lengths.length(of: $0) < lengths.length(of: $1) }
            for b in stride(from: 0, to: bucket.count, by: batchSize) {
                result.append(
                    Array(
                        bucket[
                            (bucket.startIndex + b)..<Swift.min(
                                bucket.startIndex + b + batchSize, bucket.endIndex)]))
            }
        }
        result.shuffle(using: &rng)
        return result
    }

    /// The padded batch of `clips`, with `perturbation` applied to their inputs (none by
    /// default) and, per clip, the modalities in `removed[b]` removed (training-time modality
    /// dropout).
    ///
    /// A removed modality has length 0 and zero features; its batch keeps the steps of the
    /// others' time axis where a model aligns onto it (text: the clip's token count), so the
    /// aligned models see zeros there. Frames are dropped before audio pooling, and noise is
    /// added to the (standardised) steps after it, before any alignment onto text tokens.
    public func batch(
        _ clips: [Int], perturbation: InputPerturbation = .none, removed: [Set<Modality>]? = nil
    ) -> FusionBatch {
        var inputs: [Modality: ModalityBatch] = [:]
        let text = dataset.features[.text]
        var textLengths = clips.map {
            text?.length(of: $0) ?? dataset.features[modalities[0]]!.length(of: $0)
        }
        for m in modalities {
            let f = dataset.features[m]!
            let pool = m == .audio ? needs.audioPool : 1
            // Each clip's frames that stay: nil for all of them (no index list on the usual path).
            let kept = clips.enumerated().map { b, clip -> [Int]? in
                if perturbation.removed.contains(m) || removed?[b].contains(m) == true { return [] }
                return perturbation.keptFrames(f.length(of: clip), clip: clip, modality: m)
            }
            let frameCounts = zip(clips, kept).map { clip, k in k?.count ?? f.length(of: clip) }
            let lengths = frameCounts.map { ($0 + pool - 1) / pool }
            if m == .text { textLengths = zip(textLengths, frameCounts).map { $1 == 0 ? $0 : $1 } }
            // Text keeps its token axis when removed (aligned models step along it).
            let steps = Swift.max(lengths.max() ?? 1, m == .text ? textLengths.max() ?? 1 : 1, 1)
            var values = [Float](repeating: 0, count: clips.count * steps * f.dim)
            let sigma = Float(perturbation.noise[m] ?? 0)
            for (b, clip) in clips.enumerated() {
                let frames = f.frames(of: clip)
                let base = frames.startIndex
                let noise = sigma > 0 ? perturbation.noiseGenerator(clip: clip, modality: m) : nil
                let windows = TimeWindows.pooled(length: frameCounts[b], window: pool)
                for (t, window) in windows.enumerated() {
                    // The mean of the kept frames in the window.
                    let scale = 1 / Float(window.count)
                    let row = (b * steps + t) * f.dim
                    for i in window {
                        let frame = kept[b]?[i] ?? i
                        for d in 0..<f.dim {
                            values[row + d] += frames[base + frame * f.dim + d] * scale
                        }
                    }
                    // Noise on each step after pooling: σ is per step for every model (EF-LSTM and MFN
                    // then average the noised steps onto text tokens).
                    if let noise {
                        for d in 0..<f.dim { values[row + d] += sigma * Float(noise.normal()) }
                    }
                }
            }
            inputs[m] = ModalityBatch(
                features: Tensor(values, shape: [clips.count, steps, f.dim]), lengths: lengths)
        }
        let batch = FusionBatch(
            inputs: inputs, labels: clips.map { dataset.clips[$0].label(for: task) },
            clipIDs: clips.map { dataset.clips[$0].id }, textLengths: textLengths)
        let units = needs.mmsa != nil && needs.fileUnits ? inFileUnits(batch) : batch
        return needs.shape(units, padded: paddedLengths)
    }

    /// Each modality's padded length in the data file (audio: its number of pooling windows),
    /// the lengths of MMSA's arrays.
    var paddedLengths: [Modality: Int] {
        var padded = dataset.features.mapValues(\.paddedLength)
        padded[.audio] = padded[.audio].map { ($0 + needs.audioPool - 1) / needs.audioPool }
        return padded
    }

    /// The batch's true steps with the standardisation of `prepare` undone
    /// (`x = z·σ + μ`, `z + μ` for a constant dimension), padding left at zero.
    func inFileUnits(_ batch: FusionBatch) -> FusionBatch {
        var out = batch
        for (m, input) in batch.inputs {
            guard let n = dataset.normalization[m] else { continue }
            let (size, steps, dim) = (
                input.features.shape[0], input.features.shape[1], input.features.shape[2]
            )
            var values = input.features.scalars
            let scale = n.std.map { $0 < 1e-6 ? 1 : $0 }
            for b in 0..<size {
                for t in 0..<input.lengths[b] {
                    let row = (b * steps + t) * dim
                    for d in 0..<dim { values[row + d] = values[row + d] * scale[d] + n.mean[d] }
                }
            }
            out.inputs[m] = ModalityBatch(
                features: Tensor(values, shape: [size, steps, dim]), lengths: input.lengths)
        }
        return out
    }
}
