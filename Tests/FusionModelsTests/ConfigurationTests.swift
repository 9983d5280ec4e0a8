import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct ConfigurationTests {
    /// `experiments/models.json` (the defaults as data) and the coded defaults agree.
    @Test func experimentsFileHoldsTheDefaults() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("experiments/models.json")
        let decoded = try JSONDecoder().decode(
            ModelConfigurations.self, from: Data(contentsOf: url))
        #expect(
            decoded == ModelConfigurations(),
            """
            regenerate with: swift run baselines models --defaults > /tmp/models.json \
            && mv /tmp/models.json experiments/models.json
            """
        )
    }

    @Test func partialOverridesKeepOtherDefaults() throws {
        let mult = String(decoding: try JSONEncoder().encode(MulTConfig()), as: UTF8.self)
        let decoded = try JSONDecoder().decode(
            ModelConfigurations.self,
            from: Data(#"{"mult": \#(mult)}"#.utf8))
        #expect(decoded == ModelConfigurations())
        #expect(
            ModelConfigurations().mult.audioPool == 4 && ModelConfigurations().misa.audioPool == 1)
    }
}
