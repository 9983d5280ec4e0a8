import Experiments
import Foundation
import Testing

/// Spec values are type- and range-checked at every level, with the key's path in the message.
@Suite struct SpecStrictnessTests {
    static let base =
        #""models": ["majority"], "tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1]"#

    static func refusal(
        _ json: String, name: String = "spec.json", extra: [String: String] = [:]
    ) throws -> String {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (file, text) in extra {
            try text.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let path = dir.appendingPathComponent(name).path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try GridSpec.load(path: path)
            return "loaded"
        } catch { return "\(error)" }
    }

    @Test(arguments: [
        (#""threads": "four""#, "'threads' must be a whole number"),
        (#""threads": 1.5"#, "'threads' must be a whole number"),
        (#""description": 3"#, "'description' must be a string"),
        (#""training": 5"#, "'training' must be an object, not a number"),
        (
            #""training": { "learningRate": "fast" }"#,
            "'training.learningRate' must be a number, not a string"
        ),
        (
            #""training": { "learningRate": -0.001 }"#,
            "'training.learningRate' must not be negative"
        ),
        (#""training": { "patience": -2 }"#, "'training.patience' must not be negative"),
        (#""training": { "weightDecay": -1 }"#, "'training.weightDecay' must not be negative"),
        (
            #""perModel": { "lf-dnn": { "training": 5 } }"#,
            "'perModel.lf-dnn.training' must be an object"
        ),
        (
            #""perModel": { "lf-dnn": { "hyperparameters": { "postFusion": -8 } } }"#,
            "'perModel.lf-dnn.hyperparameters.postFusion' must not be negative"
        ),
        (
            #""perModel": { "lf-dnn": { "hyperparameters": { "hidden": 8 } } }"#,
            "'perModel.lf-dnn.hyperparameters.hidden' must be an object, not a number"
        ),
    ])
    func aWrongValueIsRefusedWithItsPath(setting: String, message: String) throws {
        let text = try Self.refusal("{ \(Self.base), \(setting) }")
        #expect(text.contains(message), "\(text)")
    }

    @Test(arguments: ["./self.json", "self.json", "../" + "SAME/self.json"])
    func aBaseThatIsTheSpecItselfIsACycle(base: String) throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("self.json").path
        let name = base.replacingOccurrences(of: "SAME", with: dir.lastPathComponent)
        try "{ \(Self.base), \"base\": \"\(name)\" }".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect { try GridSpec.load(path: path) } throws: {
            "\($0)".contains("'base' refers back to itself")
        }
    }

    @Test func duplicatesInASpecAreOneRunEach() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try TinyGrid.spec(
            #"{ "models": ["majority", "prior", "majority"], "#
                + #""tasks": ["sentiment", "sentiment"], "modalities": ["TAV", "VAT", "AT"], "#
                + #""seeds": [1, 1, 2] }"#,
            in: dir)
        #expect(spec.runs.count == 2 * 2 * 2, "majority and prior x TAV and TA x seeds 1 and 2")
        #expect(
            spec.duplicatesNote
                == "listed more than once, run once: model majority; task sentiment; "
                + "modality subset TAV; seed 1"
        )
    }
}
