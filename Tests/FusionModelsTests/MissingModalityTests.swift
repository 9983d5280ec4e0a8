import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import Testing
import Vocabulary

/// Models fed batches with modalities removed (length 0, every frame padding), as the
/// robustness evaluation and training-time modality dropout do: finite outputs for every
/// model and removal, and, where the architecture makes them equal, exactly the output of the
/// model built on the remaining modalities with the matching weights.
@Suite struct MissingModalityTests {
    static let data = SyntheticIndoMER.generate(.tiny)
    static let clips = Array(data.indices(in: .val).prefix(6))

    static func model(
        _ kind: ModelName, _ modalities: [Modality], seed: UInt64 = 3
    ) -> any FusionModel {
        let problem = FusionProblem(
            modalities: modalities, dims: data.features.mapValues(\.dim), classes: 3)
        let model = smallConfigurations().make(
            kind, problem: problem, generator: Generator(seed: seed))
        model.eval()
        return model
    }

    static func batch(
        _ modalities: [Modality], _ perturbation: InputPerturbation = .none,
        removed: [Set<Modality>]? = nil, for model: any FusionModel
    ) -> FusionBatch {
        Batcher(dataset: data, modalities: modalities, task: .sentiment, needs: model.inputNeeds)
            .batch(clips, perturbation: perturbation, removed: removed)
    }

    @Test func everyModelGivesFiniteOutputsForEveryRemoval() {
        let all = Modality.allCases
        let removals: [Set<Modality>] =
            all.map { [$0] } + [[.text, .audio], [.text, .video], [.audio, .video]]
        for kind in ModelName.fusionModels {
            let model = Self.model(kind, all)
            for removed in removals {
                let logits = noGrad {
                    model(Self.batch(all, InputPerturbation(removed: removed), for: model)).logits
                }
                #expect(logits.shape == [Self.clips.count, 3])
                let finite = logits.scalars.allSatisfy { $0.isFinite }
                let missing = removed.map(\.rawValue).sorted()
                #expect(finite, "\(kind.displayName) without \(missing)")
            }
            // Per clip (modality dropout in training): each clip misses something else, in train
            // mode.
            model.train()
            let perClip: [Set<Modality>] = [
                [.audio], [], [.text], [.video, .audio], [.text, .video], [],
            ]
            let output = model(Self.batch(all, removed: perClip, for: model))
            let loss = TrainingStep.loss(output, labels: Self.batch(all, for: model).labels)
            #expect(loss.item.isFinite, "\(kind.displayName) with modalities dropped per clip")
            loss.backward()
            let gradients = model.namedParameters().compactMap(\.tensor.grad)
            #expect(
                !gradients.isEmpty
                    && gradients.allSatisfy { $0.scalars.allSatisfy { $0.isFinite } },
                "\(kind.displayName) gradients")
        }
    }

    /// Copies every parameter of `source` to the same-named one of `target`, taking for the
    /// listed parameters only the given columns (input features) of the source.
    static func copy(
        _ source: any FusionModel, to target: any FusionModel, columns: [String: [Int]]
    ) {
        let values = Dictionary(
            uniqueKeysWithValues: source.namedParameters().map { ($0.key, $0.tensor) })
        #expect(
            columns.keys.allSatisfy { values[$0] != nil }, "parameters \(columns.keys.sorted())")
        for p in target.namedParameters() {
            let from = values[p.key]!
            if let keep = columns[p.key] {
                let rows = from.shape[0]
                let width = from.shape[1]
                let picked = (0..<rows).flatMap { r in keep.map { from.scalars[r * width + $0] } }
                p.tensor.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: picked) }
            } else {
                #expect(p.tensor.shape == from.shape, "\(p.key)")
                p.tensor.withUnsafeMutableBufferPointer {
                    _ = $0.update(fromContentsOf: from.scalars)
                }
            }
        }
        let buffers = Dictionary(
            uniqueKeysWithValues: source.namedBuffers().map { ($0.key, $0.tensor) })
        for b in target.namedBuffers() {
            b.tensor.withUnsafeMutableBufferPointer {
                _ = $0.update(fromContentsOf: buffers[b.key]!.scalars)
            }
        }
    }

    static func close(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape
            && zip(a.scalars, b.scalars).allSatisfy {
                Swift.abs($0 - $1) <= 1e-5 + 1e-5 * Swift.abs($1)
            }
    }

    /// `kind` on TAV with audio removed against `kind` on TV whose weights are the TAV model's,
    /// with only the `columns` (input features) kept of the named parameter.
    static func expectAudioRemovalIsTheModelWithout(
        _ kind: ModelName, parameter: String, columns: [Int]
    ) {
        let full = model(kind, Modality.allCases)
        let tv = model(kind, [.text, .video], seed: 9)
        copy(full, to: tv, columns: [parameter: columns])
        let removed = noGrad {
            full(batch(Modality.allCases, InputPerturbation(removed: [.audio]), for: full)).logits
        }
        let reference = noGrad { tv(batch([.text, .video], for: tv)).logits }
        #expect(
            close(removed, reference),
            "\(kind): \(removed.scalars.prefix(6)) vs \(reference.scalars.prefix(6))")
    }

    /// LF-DNN: the removed branch's representation is zero, so the post-fusion network sees
    /// only the others: the TV model with the first post-fusion layer's audio columns dropped.
    @Test func lateFusionWithoutABranchIsTheModelWithoutIt() {
        let c = smallConfigurations().lfDNN
        let (t, a, v) = (c.textOut, c.hidden.audio, c.hidden.video)
        Self.expectAudioRemovalIsTheModelWithout(
            .lfDNN, parameter: "post_fusion_layer_1.weight",
            columns: Array(0..<t) + Array((t + a)..<(t + a + v)))
    }

    /// TFN: the removed audio vector is zero, so of the fusion tensor (audio ⊗ video ⊗ text,
    /// each with a 1 appended; audio the slowest index) only the block where audio's index is
    /// the appended 1 is non-zero: the first (1 + V)(1 + T) columns, the TV model's tensor.
    @Test func tensorFusionWithoutAudioIsTheModelWithoutIt() {
        let c = smallConfigurations().tfn
        Self.expectAudioRemovalIsTheModelWithout(
            .tfn, parameter: "post_fusion_layer_1.weight",
            columns: Array(0..<((1 + c.hidden.video) * (1 + c.textOut))))
    }

    /// EF-LSTM: a removed modality's aligned input is zero at every step, so the LSTM's input
    /// projection sees only the others: the TV model with the audio columns of `weight_ih_l0`.
    @Test func earlyFusionWithoutAModalityIsTheModelWithoutIt() {
        let d = Self.data.features.mapValues(\.dim)
        let (t, a, v) = (d[.text]!, d[.audio]!, d[.video]!)
        Self.expectAudioRemovalIsTheModelWithout(
            .efLSTM, parameter: "lstm.weight_ih_l0",
            columns: Array(0..<t) + Array((t + a)..<(t + a + v)))
    }

    /// The perturbations are seeded per clip: the same condition gives the same batch, in any
    /// batch order; another seed gives other noise.
    @Test func perturbationsAreSeededPerClip() {
        let batcher = Batcher(
            dataset: Self.data, modalities: Modality.allCases, task: .sentiment, needs: InputNeeds()
        )
        let p = InputPerturbation(noise: [.audio: 0.5], frameDrop: 0.3, seed: 7)
        let forward = batcher.batch(Self.clips, perturbation: p)
        let backward = batcher.batch(Self.clips.reversed(), perturbation: p)
        #expect(forward.inputs[.audio]!.lengths == backward.inputs[.audio]!.lengths.reversed())
        // Each clip's perturbed steps are the same in either order.
        let (a, z) = (forward.inputs[.audio]!, backward.inputs[.audio]!)
        let (steps, dim, n) = (a.features.shape[1], a.features.shape[2], Self.clips.count)
        #expect(z.features.shape == a.features.shape)
        for b in 0..<n {
            let mine = a.features.scalars[
                (b * steps * dim)..<(b * steps * dim + a.lengths[b] * dim)]
            let theirs = z.features.scalars[
                ((n - 1 - b) * steps * dim)..<((n - 1 - b) * steps * dim + a.lengths[b] * dim)]
            #expect(Array(mine) == Array(theirs), "clip \(b)")
        }
        let clean = batcher.batch(Self.clips)
        #expect(
            forward.inputs[.video]!.lengths.enumerated().allSatisfy {
                $1 >= 1 && $1 <= clean.inputs[.video]!.lengths[$0]
            })
        #expect(
            forward.inputs[.audio]!.features.scalars
                == batcher.batch(Self.clips, perturbation: p).inputs[.audio]!.features.scalars)
        var other = p
        other.seed = 8
        #expect(
            forward.inputs[.audio]!.features.scalars
                != batcher.batch(Self.clips, perturbation: other).inputs[.audio]!.features.scalars)
        // Noise alone keeps every frame; its σ is in units of the standardised features.
        let noisy = batcher.batch(
            Self.clips, perturbation: InputPerturbation(noise: [.video: 1], seed: 1))
        #expect(noisy.inputs[.video]!.lengths == clean.inputs[.video]!.lengths)
        let diff = zip(
            noisy.inputs[.video]!.features.scalars, clean.inputs[.video]!.features.scalars
        ).map { Double($0 - $1) }
        let nonzero = diff.filter { $0 != 0 }
        let variance = nonzero.map { $0 * $0 }.reduce(0, +) / Double(nonzero.count)
        #expect(Swift.abs(variance - 1) < 0.05, "noise variance \(variance)")
        #expect(
            noisy.inputs[.text]!.features.scalars == clean.inputs[.text]!.features.scalars,
            "other modalities untouched")
    }
}
