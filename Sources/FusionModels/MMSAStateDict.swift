import Vocabulary

/// Our models' parameter names against MMSA 2.2.1's `state_dict` keys: the one table a weights
/// converter and the parity tests against MMSA's own classes use
/// (`Tests/FusionModelsTests/MMSAParityTests.swift`). So far for LF-DNN, TFN, MulT and MFN.
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
public enum MMSAStateDict {
    /// MMSA's key for one of ours, nil when MMSA has no such entry.
    public static func key(_ ours: String, model: ModelName) -> String? {
        switch model {
        case .lfDNN, .tfn:
            for m in Modality.allCases where ours.hasPrefix("\(m.rawValue).subnet.") {
                return "\(m.rawValue)_subnet." + ours.dropFirst("\(m.rawValue).subnet.".count)
            }
            return ours
        case .mult: return ours
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
        default: []
        }
    }

    /// For a weight whose input columns come in blocks per modality in another order: our
    /// blocks (modality, width) in our order, and MMSA's order of the same modalities; nil when
    /// the columns are in the same order.
    public static func columnBlocks(
        _ ours: String, model: ModelName, widths: [Modality: Int]
    ) -> (ours: [(Modality, Int)], mmsa: [Modality])? {
        guard model == .lfDNN, ours == "post_fusion_layer_1.weight" else { return nil }
        let order = Modality.allCases.filter { widths[$0] != nil }
        return (order.map { ($0, widths[$0]!) }, [.audio, .video, .text].filter(order.contains))
    }

    /// `mmsa` (rows x columns, row-major) with its column blocks put in our order.
    public static func permuteColumns(
        _ mmsa: [Float], rows: Int, blocks: (ours: [(Modality, Int)], mmsa: [Modality])
    ) -> [Float] {
        let width = Dictionary(uniqueKeysWithValues: blocks.ours)
        var start: [Modality: Int] = [:]
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
