import Vocabulary

/// Our models' parameter names against MMSA 2.2.1's `state_dict` keys: the one table a weights
/// converter and the parity tests against MMSA's own classes use
/// (`Tests/FusionModelsTests/MMSAParityTests.swift`, `MMSAProtocolParityTests.swift`), and
/// `tools/mmsa_weights.py` holds the same table in Python.
///
/// - EF-LSTM: the same names (`norm`, `lstm`, `linear`, `out`); `norm` (MMSA's BatchNorm over
///   the padded time axis) exists in ours under the MMSA protocol only.
///
/// - MFN: our LSTM cells are `lstm_T`, `lstm_A`, `lstm_V`; MMSA's `lstm_l`, `lstm_a`, `lstm_v`;
///   the attention, gate and output layers share their names (`att1_fc1`, ..., `out_fc2`).
///
/// - MulT: the same names (MMSA's and the official MulT's), without fairseq's `version`
///   buffers.
///
/// - LF-DNN and TFN: our per-modality encoders sit under the modality's name with a `subnet`
///   inside (`audio.subnet.norm.weight`); MMSA's under `<modality>_subnet`
///   (`audio_subnet.norm.weight`); the post-fusion layers share their names. TFN's
///   `output_range` and `output_shift` (regression read-out constants, no gradient) have no
///   counterpart.
/// - LF-DNN concatenates the encoders' outputs as text, audio, video; MMSA as audio, video,
///   text: `post_fusion_layer_1.weight`'s input columns are permuted (`columnBlocks`). TFN's
///   product is in MMSA's order (audio, video, text) already.
///
/// - MISA: ours groups each modality's encoder (`a_encoder.rnn1`, `.layer_norm`, `.rnn2`),
///   MMSA names them flat (`arnn1`, `alayer_norm`, `arnn2`); MMSA's `nn.Sequential` blocks add a
///   level (`project_t.project_t`, `project_t.project_t_layer_norm`, `private_t.private_t_1`,
///   `private_a.private_a_3`, `shared.shared_1`, `recon_t.recon_t_1`,
///   `fusion.fusion_layer_1`); our `transformer` is MMSA's `transformer_encoder.layers.0`.
///   MMSA's `bertmodel` (BERT; ours reads the features), `tlayer_norm` (unused with BERT) and
///   `sp_discriminator` (computed, never in the loss) have no counterpart. Our fusion tokens are
///   (p_T, p_A, p_V, s_T, s_A, s_V), MMSA's (p_t, p_v, p_a, s_t, s_v, s_a): the transformer
///   has no positions, so its outputs permute with them and `fusion.layer_1.weight`'s input
///   columns are permuted (`columnBlocks`).
public enum MMSAStateDict {
    /// MMSA's key for one of ours, nil when MMSA has no such entry.
    public static func key(_ ours: String, model: ModelName) -> String? {
        switch model {
        case .lfDNN, .tfn:
            for m in Modality.allCases where ours.hasPrefix("\(m.rawValue).subnet.") {
                return "\(m.rawValue)_subnet." + ours.dropFirst("\(m.rawValue).subnet.".count)
            }
            return ours
        case .mult, .efLSTM: return ours
        case .misa: return misaKey(ours)
        case .mfn:
            // Our cells are named by the subset letter (`lstm_T`), MMSA's by MulT's (`lstm_l`).
            for m in Modality.allCases where ours.hasPrefix("lstm_\(m.letter).") {
                return "lstm_\(m.stateDictLetter(.mult))."
                    + ours.dropFirst("lstm_\(m.letter).".count)
            }
            return ours
        default: return nil
        }
    }

    /// MMSA's entries that have no counterpart in ours.
    public static func unmatched(model: ModelName) -> [String] {
        switch model {
        case .tfn: ["output_range", "output_shift"]
        // fairseq's `version` buffer of each of MulT's nine encoders.
        case .mult:
            ["l", "a", "v"].flatMap { t in
                ["l", "a", "v"].filter { $0 != t }.map { "trans_\(t)_with_\($0).version" }
                    + ["trans_\(t)_mem.version"]
            }
        case .misa:
            ["tlayer_norm.weight", "tlayer_norm.bias"]
                + ["weight", "bias"].map { "sp_discriminator.sp_discriminator_layer_1.\($0)" }
        default: []
        }
    }

    /// MISA's table (see the type's documentation).
    static func misaKey(_ ours: String) -> String {
        for (from, to) in misaPrefixes where ours.hasPrefix(from) {
            return to + ours.dropFirst(from.count)
        }
        return ours
    }

    /// MISA's (our prefix, MMSA's prefix) pairs.
    static let misaPrefixes: [(String, String)] =
        ["t", "a", "v"].flatMap { m in
            [
                ("\(m)_encoder.rnn1.", "\(m)rnn1."), ("\(m)_encoder.rnn2.", "\(m)rnn2."),
                ("\(m)_encoder.layer_norm.", "\(m)layer_norm."),
                ("project_\(m).linear.", "project_\(m).project_\(m)."),
                ("project_\(m).norm.", "project_\(m).project_\(m)_layer_norm."),
                // MMSA numbers private_a's layer 3 and the others' 1.
                ("private_\(m).", "private_\(m).private_\(m)_\(m == "a" ? 3 : 1)."),
                ("recon_\(m).", "recon_\(m).recon_\(m)_1."),
            ]
        } + [
            ("shared.", "shared.shared_1."), ("transformer.", "transformer_encoder.layers.0."),
            ("fusion.layer_", "fusion.fusion_layer_"),
        ]

    /// For a weight whose input columns come in named blocks in another order: our blocks
    /// (name, width) in our order, and MMSA's order of the same names; nil when the columns are
    /// in the same order. `widths`: each modality's block width (LF-DNN: its encoder's output;
    /// MISA: the hidden size, for each of its private and shared tokens).
    public static func columnBlocks(
        _ ours: String, model: ModelName, widths: [Modality: Int]
    ) -> (ours: [(String, Int)], mmsa: [String])? {
        let order = Modality.allCases.filter { widths[$0] != nil }
        switch (model, ours) {
        case (.lfDNN, "post_fusion_layer_1.weight"):
            return (
                order.map { ($0.rawValue, widths[$0]!) },
                [Modality.audio, .video, .text].filter(order.contains).map(\.rawValue)
            )
        case (.misa, "fusion.layer_1.weight"):
            let mmsaOrder = [Modality.text, .video, .audio].filter(order.contains)
            return (
                ["private", "shared"].flatMap { kind in
                    order.map { ("\(kind) \($0.rawValue)", widths[$0]!) }
                },
                ["private", "shared"].flatMap { kind in mmsaOrder.map { "\(kind) \($0.rawValue)" } }
            )
        default: return nil
        }
    }

    /// `mmsa` (rows x columns, row-major) with its column blocks put in our order.
    public static func permuteColumns(
        _ mmsa: [Float], rows: Int, blocks: (ours: [(String, Int)], mmsa: [String])
    ) -> [Float] {
        let width = Dictionary(uniqueKeysWithValues: blocks.ours)
        var start: [String: Int] = [:]
        var offset = 0
        for m in blocks.mmsa {
            start[m] = offset
            offset += width[m]!
        }
        let columns = offset
        var out: [Float] = []
        out.reserveCapacity(mmsa.count)
        for r in 0..<rows {
            for (m, w) in blocks.ours {
                let from = r * columns + start[m]!
                out += mmsa[from..<(from + w)]
            }
        }
        return out
    }
}
