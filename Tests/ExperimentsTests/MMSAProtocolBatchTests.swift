import Datasets
import Experiments
import FusionModels
import TestSupport
import Testing
import Vocabulary

/// The batcher under `--protocol mmsa`, against values computed here from the synthetic
/// generator's raw (never standardised) frames and from the wheel's AlignSubNet read by hand.
@Suite struct MMSAProtocolBatchTests {
    static let config = SyntheticIndoMER.Configuration.tiny
    static let data = SyntheticIndoMER.generate(config)
    static let raw = SyntheticIndoMER.generateRaw(config).dataset
    static let clips = [0, 1, 2, 3]

    /// Each clip's raw frames of `m` summed over time, divided by `divisor`.
    static func rawSum(_ m: Modality, clip: Int, over divisor: Int) -> [Float] {
        let f = raw.features[m]!
        let frames = Array(f.frames(of: clip))
        return (0..<f.dim).map { d in
            (0..<f.length(of: clip)).map { frames[$0 * f.dim + d] }.reduce(0, +) / Float(divisor)
        }
    }

    /// LF-DNN and TFN: audio and video are the raw frames' sum over the file's padded length
    /// (zeros included), one step; text is every padded step, raw frames then zeros.
    @Test func timeMeansAreOverThePaddedLengthInTheFilesUnits() {
        let batcher = Batcher(
            dataset: Self.data, modalities: Modality.allCases, task: .sentiment,
            needs: InputNeeds(mmsa: .timeMeans))
        let batch = batcher.batch(Self.clips)
        for m in [Modality.audio, .video] {
            let padded = Self.data.features[m]!.paddedLength
            #expect(batch.inputs[m]!.lengths == [1, 1, 1, 1])
            let dim = Self.data.features[m]!.dim
            for (b, clip) in Self.clips.enumerated() {
                expectClose(
                    Array(batch.inputs[m]!.features.scalars[(b * dim)..<((b + 1) * dim)]),
                    Self.rawSum(m, clip: clip, over: padded), rtol: 1e-3, atol: 1e-4,
                    "\(m) of clip \(clip)")
            }
        }
        let text = batch.inputs[.text]!
        let steps = Self.config.paddedLengths[.text]!
        #expect(text.features.shape == [4, steps, Self.data.features[.text]!.dim])
        #expect(text.lengths == [Int](repeating: steps, count: 4))
        #expect(batch.textLengths == text.lengths)
        let f = Self.raw.features[.text]!
        for (b, clip) in Self.clips.enumerated() {
            let row = Array(text.features.scalars[(b * steps * f.dim)..<((b + 1) * steps * f.dim)])
            let n = f.length(of: clip)
            expectClose(
                Array(row[0..<(n * f.dim)]), Array(f.frames(of: clip)), rtol: 1e-3, atol: 1e-4,
                "text of clip \(clip)")
            #expect(row[(n * f.dim)...].allSatisfy { $0 == 0 }, "padding of clip \(clip)")
        }
    }

    /// `mmsa-standardized`: the same shapes on the standardised features (the cache's frames).
    @Test func theStandardisedVariantKeepsTheStandardisedFrames() {
        let batch = Batcher(
            dataset: Self.data, modalities: [.audio], task: .sentiment,
            needs: InputNeeds(mmsa: .timeMeans, fileUnits: false)
        ).batch(Self.clips)
        let f = Self.data.features[.audio]!
        for (b, clip) in Self.clips.enumerated() {
            let frames = Array(f.frames(of: clip))
            let expected = (0..<f.dim).map { d in
                (0..<f.length(of: clip)).map { frames[$0 * f.dim + d] }.reduce(0, +)
                    / Float(f.paddedLength)
            }
            expectClose(
                Array(batch.inputs[.audio]!.features.scalars[(b * f.dim)..<((b + 1) * f.dim)]),
                expected, rtol: 1e-4, atol: 1e-5, "clip \(clip)")
        }
    }

    /// The wheel's AlignSubNet, read off `AlignNets.py` by hand: 5 steps onto 2 pads with the
    /// last step (5 -> 6) and averages steps j, j + 2, j + 4; 4 onto 2 needs no padding; one
    /// step onto 3 repeats it; a length equal to the target is the identity.
    @Test func alignSubNetIsTheWheelsStridedPooling() {
        let third: Float = 1 / 3
        #expect(
            MMSAInputs.alignSubNet(steps: 5, to: 2) == [
                third, 0, third, 0, third,
                0, third, 0, third, third,
            ])
        #expect(MMSAInputs.alignSubNet(steps: 4, to: 2) == [0.5, 0, 0.5, 0, 0, 0.5, 0, 0.5])
        #expect(MMSAInputs.alignSubNet(steps: 1, to: 3) == [1, 1, 1])
        #expect(MMSAInputs.alignSubNet(steps: 3, to: 3) == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    /// EF-LSTM: audio and video on the padded text steps, pooled from the padded arrays.
    @Test func efLSTMSeesAudioPooledOntoThePaddedTextSteps() {
        let batcher = Batcher(
            dataset: Self.data, modalities: [.text, .audio], task: .sentiment,
            needs: InputNeeds(alignedToText: true, mmsa: .alignSubNet))
        let batch = batcher.batch(Self.clips)
        let (steps, padded) = (
            Self.config.paddedLengths[.text]!, Self.config.paddedLengths[.audio]!
        )
        let f = Self.raw.features[.audio]!
        let w = MMSAInputs.alignSubNet(steps: padded, to: steps)
        #expect(batch.inputs[.audio]!.features.shape == [4, steps, f.dim])
        #expect(batch.textLengths == [Int](repeating: steps, count: 4))
        for (b, clip) in Self.clips.enumerated() {
            let frames = Array(f.frames(of: clip))
            // Output step 0 of dimension 0: the weighted raw frames (zero past the clip).
            let expected = (0..<f.length(of: clip)).map { w[$0] * frames[$0 * f.dim] }.reduce(0, +)
            expectClose(
                [batch.inputs[.audio]!.features.scalars[b * steps * f.dim]], [expected],
                rtol: 1e-3, atol: 1e-4, "clip \(clip)")
        }
    }

    /// MISA: audio and video read as far as each clip's text token count; MulT: every padded
    /// step (audio's pooled windows over the padded length).
    @Test func misaTakesTextLengthsAndMulTPaddedOnes() {
        let misa = Batcher(
            dataset: Self.data, modalities: Modality.allCases, task: .sentiment,
            needs: InputNeeds(mmsa: .textLengths)
        ).batch(Self.clips)
        let text = Self.clips.map { Self.data.features[.text]!.length(of: $0) }
        #expect(misa.inputs[.text]!.lengths == text)
        #expect(
            misa.inputs[.audio]!.lengths == text.map { min($0, Self.config.paddedLengths[.audio]!) }
        )
        #expect(
            misa.inputs[.video]!.lengths == text.map { min($0, Self.config.paddedLengths[.video]!) }
        )
        // What they read: each clip's first raw frames, zeros where it has fewer.
        let audio = misa.inputs[.audio]!
        let f = Self.raw.features[.audio]!
        for (b, clip) in Self.clips.enumerated() {
            let steps = audio.features.shape[1]
            let n = min(audio.lengths[b], f.length(of: clip))
            let row = Array(audio.features.scalars[(b * steps * f.dim)..<((b * steps + n) * f.dim)])
            expectClose(row, Array(f.frames(of: clip).prefix(n * f.dim)), rtol: 1e-3, atol: 1e-4)
        }
        let mult = Batcher(
            dataset: Self.data, modalities: Modality.allCases, task: .sentiment,
            needs: InputNeeds(audioPool: 4, mmsa: .padded)
        ).batch(Self.clips)
        let pooled = (Self.config.paddedLengths[.audio]! + 3) / 4
        #expect(mult.inputs[.audio]!.lengths == [Int](repeating: pooled, count: 4))
        #expect(mult.inputs[.audio]!.features.shape[1] == pooled)
        #expect(
            mult.inputs[.video]!.lengths
                == [Int](repeating: Self.config.paddedLengths[.video]!, count: 4))
    }
}
