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

    /// MMSA's tasks are known by name but not trained yet: a spec naming one is refused.
    @Test func aSpecCannotTrainATaskOfOtherData() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect {
            _ = try TinyGrid.spec(
                #"{"models": ["tfn"], "tasks": ["cmu-7"], "modalities": ["TAV"], "seeds": [1]}"#,
                in: dir)
        } throws: { error in
            "\(error)".contains("unknown task 'cmu-7' (tasks: sentiment, emotion)")
        }
    }
}
