import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct ParameterCountTests {
    /// At IndoMER's widths with the default (MMSA `sims`) hyperparameters, the counts equal
    /// (1) the PyTorch twins' (`Fixtures/parameter_counts.json`, from make_model_reference.py)
    /// and (2) MMSA's (`../shared/reference/mmsa-notes.md` §8.3) less what we leave out on
    /// purpose: EF-LSTM's time-as-channel BatchNorm (138) and MISA's unused discriminator (516)
    /// and text-sequence LayerNorm (3,072).
    @Test func defaultsAtIndoMERWidthsAgreeWithTwinsAndMMSA() throws {
        let mmsa: [ModelName: (Int, Int)] = [
            .efLSTM: (209_293 - 138, 209_425 - 138), .lfDNN: (630_697, 630_829),
            .tfn: (35_626_953, 35_627_085),
            .mfn: (591_459, 591_719), .mult: (1_868_753, 1_869_957),
            .misa: (19_616_891 - 516 - 3_072, 19_618_431 - 516 - 3_072),
        ]
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/parameter_counts.json")
        let twins = try JSONDecoder().decode(
            [String: [String: Int]].self, from: Data(contentsOf: url))
        for kind in ModelName.fusionModels {
            for (task, expected) in [
                (ClassificationTask.sentiment, mmsa[kind]!.0), (.emotion, mmsa[kind]!.1),
            ] {
                let count = ModelConfigurations().make(
                    kind, problem: .indoMER(Modality.allCases, task: task),
                    generator: Generator(seed: 0)
                ).parameterCount
                #expect(count == expected, "\(kind.displayName) \(task) vs MMSA")
                #expect(
                    count == twins[kind.rawValue]?["\(task.classCount)"],
                    "\(kind.displayName) \(task) vs the PyTorch twin")
            }
        }
    }
}
