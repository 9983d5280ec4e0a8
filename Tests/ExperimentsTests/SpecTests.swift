import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Synchronization
import Testing
import Vocabulary

@Suite struct SpecTests {
    func expectSpecError(
        _ json: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(sourceLocation: sourceLocation) {
            try TinyGrid.spec(json, in: dir)
        } throws: { error in
            fragments.allSatisfy { "\(error)".contains($0) }
        }
    }

    @Test func badSpecsFailWithTheProblemNamed() throws {
        let base = #""tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1]"#
        try expectSpecError(#"{"models": ["tfnn"], \#(base)}"#, ["unknown model 'tfnn'"])
        try expectSpecError(
            #"{"models": ["tfn"], "tasks": ["sentiment"], "modalities": [""], "seeds": [1]}"#,
            ["empty modality subset"])
        try expectSpecError(
            #"{"models": ["tfn"], "tasks": ["sentiment"], "modalities": ["TX"], "seeds": [1]}"#,
            ["'TX'"])
        try expectSpecError(
            #"{"models": ["tfn"], \#(base), "epochs": 3}"#, ["unknown key 'epochs'"])
        try expectSpecError(
            #"{"models": ["tfn"], \#(base), "training": {"learningRat": 0.1}}"#,
            ["unknown key 'training.learningRat'"])
        try expectSpecError(
            #"{"models": ["mult"], \#(base), "#
                + #""perModel": {"mult": {"hyperparameters": {"dimm": 4}}}}"#,
            ["unknown key 'perModel.mult.hyperparameters.dimm'"])
        try expectSpecError(
            #"{"models": ["mult"], \#(base), "perModel": {"mulx": {}}}"#, ["unknown model 'mulx'"])
        try expectSpecError(#"{"models": [], \#(base)}"#, ["'models' must be a non-empty list"])
        try expectSpecError(
            #"{"tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1]}"#, ["missing 'models'"])
        try expectSpecError(
            #"{"models": ["tfn"], "tasks": ["anger"], "modalities": ["TAV"], "seeds": [1]}"#,
            ["unknown task 'anger'"])
    }

    @Test func shippedSpecsLoadAndInherit() throws {
        let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "experiments")
        let main = try GridSpec.load(path: experiments.appendingPathComponent("default.json").path)
        #expect(
            main.models.count == 8 && main.tasks.count == 2
                && main.modalities == [.all] && main.seeds == [1111])
        // models.json's schedule comes through (MulT's clip, EF-LSTM's weight decay) under
        // default.json's documented deviations (EF-LSTM's rate, MulT without accumulation).
        #expect(
            main.training[.mult]!.clipValue == 0.6 && main.training[.efLSTM]!.weightDecay == 0.001)
        #expect(
            main.training[.efLSTM]!.learningRate == 0.002 && main.training[.mult]!.accumulation == 1
        )
        #expect(
            main.hyperparameters.efLSTM.layers == 1 && main.hyperparameters.efLSTM.dropout == 0.2,
            "one layer in the smoke grid")
        #expect(main.training[.misa]!.epochs == 3 && main.training[.lfDNN]!.epochs == 8)
        #expect(
            main.hyperparameters.misa.simWeight == 0.1,
            "the smoke grid's CMD weight (default.json's description says why)")
        #expect(
            main.training[.lfDNN]!.selection == .macroF1 && !main.training[.lfDNN]!.classWeights)
        let chsims = try GridSpec.load(path: experiments.appendingPathComponent("chsims.json").path)
        #expect(chsims.tasks == [.sims3] && chsims.models.count == 8 && chsims.seeds.count == 5)
        #expect(chsims.training[.misa]!.epochs == 100 && chsims.hyperparameters.misa.simWeight == 1)
        #expect(chsims.training.values.allSatisfy { $0.dataProtocol == .trueLengths })
        let mmsa = try GridSpec.load(
            path: experiments.appendingPathComponent("chsims-mmsa.json").path)
        #expect(mmsa.models == chsims.models && mmsa.seeds == chsims.seeds)
        #expect(
            mmsa.training.values.allSatisfy { $0.dataProtocol == .mmsa && $0.selection == .loss })
        #expect(!mmsa.hyperparameters.mult.positions && mmsa.hyperparameters.mult.audioPool == 1)
        #expect(
            mmsa.hyperparameters.lfDNN.dropout == PerModality(text: 0, audio: 0.3, video: 0.3)
                && mmsa.hyperparameters.tfn.dropout.text == 0)
        let paper = try GridSpec.load(path: experiments.appendingPathComponent("paper.json").path)
        #expect(
            paper.seeds == [1111, 1112, 1113, 1114, 1115] && paper.training[.mult]!.clipValue == 0.6
        )
        #expect(
            paper.hyperparameters.efLSTM.layers == 3, "MMSA's sims EF-LSTM for reported numbers")
        #expect(
            paper.hyperparameters.misa.simWeight == 1, "MMSA's sims CMD weight for reported numbers"
        )
        let ablation = try GridSpec.load(
            path: experiments.appendingPathComponent("ablation.json").path)
        #expect(ablation.modalities.count == 7 && ablation.seeds.count == 3)
        #expect(ablation.runs.count == 8 * 2 * 7 * 3)
    }
}
