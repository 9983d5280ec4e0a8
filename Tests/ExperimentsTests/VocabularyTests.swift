import Experiments
import Foundation
import Testing
import Vocabulary

/// The vocabulary's spellings: each value written as the command line spells it, read back, and
/// anything else refused (never a crash).
@Suite struct VocabularyTests {
    @Test func spellingsRoundTrip() throws {
        let encoder = JSONEncoder()
        for task in ClassificationTask.known {
            let data = try encoder.encode(task)
            #expect(String(decoding: data, as: UTF8.self) == "\"\(task.name)\"")
            #expect(try JSONDecoder().decode(ClassificationTask.self, from: data) == task)
        }
        for subset in ModalitySubset.tableOrder {
            let data = try encoder.encode(subset)
            #expect(try JSONDecoder().decode(ModalitySubset.self, from: data) == subset)
        }
        #expect(ModalitySubset(letters: "vat") == .all)
        #expect(
            ModalitySubset.tableOrder.map(\.letters) == ["T", "A", "V", "TA", "TV", "AV", "TAV"])
        #expect(ModelName.allCases.map(\.description) == ModelName.allCases.map(\.rawValue))
    }

    @Test func otherSpellingsAreRefused() {
        // "ß" upper-cases to two letters; "TT" repeats one; "" is empty; "X" is none.
        for letters in ["ß", "TT", "", "X", "T A"] {
            #expect(ModalitySubset(letters: letters) == nil, "\(letters)")
        }
        #expect(Modality(letter: "ß") == nil && Modality(letter: "a") == .audio)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ClassificationTask.self, from: Data("\"valence\"".utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ModalitySubset.self, from: Data("\"TX\"".utf8))
        }
    }

    /// A grid names tasks of the vocabulary; one of another data set's is refused when it runs.
    @Test func aGridCannotTrainATaskOfOtherData() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try TinyGrid.spec(
            #"{"models": ["tfn"], "tasks": ["cmu-7"], "modalities": ["TAV"], "seeds": [1]}"#,
            in: dir)
        #expect {
            _ = try TinyGrid.run(spec, in: dir, log: "runs")
        } throws: { error in
            "\(error)".contains(
                "task cmu-7 is not a task of IndoMER (its tasks: sentiment, emotion)")
        }
    }
}
