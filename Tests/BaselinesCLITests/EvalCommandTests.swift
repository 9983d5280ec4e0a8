import Foundation
import Testing

/// `run --save-checkpoints` then `baselines eval`: every trained run's saved weights,
/// evaluated again on the data it was reported on, give exactly its recorded predictions.
@Suite struct EvalCommandTests {
    static let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("ExperimentsTests/Fixtures/tiny_grid.json").path

    @Test func savedWeightsReproduceTheRecordedPredictions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = [
            "--synthetic-size", "tiny", "--cache", dir.appendingPathComponent("tiny.h5").path,
        ]
        let runs = dir.appendingPathComponent("runs.jsonl").path
        let output = try ExecutableRunner.run(
            [
                "run", "--spec", Self.spec, "--seeds", "1", "--modalities", "TAV", "--results",
                runs,
                "--reports", dir.appendingPathComponent("out").path, "--quiet",
                "--save-checkpoints",
            ]
                + data)
        #expect(output.status == 0, "\(output.stderr)")
        let records = try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n")
            .map {
                try #require(
                    try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        let trained = records.filter { !["majority", "prior"].contains($0["model"] as? String) }
        #expect(trained.count == 4)
        for record in trained {
            let id = try #require(record["runID"] as? String)
            let weights = "\(runs).weights/\(id).h5"
            #expect(FileManager.default.fileExists(atPath: weights), "\(id)")
            let evaluated = try ExecutableRunner.run(
                ["eval", "--checkpoint", weights, "--results", runs] + data)
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
            let again = try #require(
                try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8))
                    as? [String: Any])
            let recorded = try #require(record["predictions"] as? [String: Int])
            let evaluatedPredictions = try #require(again["predictions"] as? [String: Int])
            #expect(!recorded.isEmpty)
            #expect(
                evaluatedPredictions == recorded, "\(record["model"] ?? "") \(record["task"] ?? "")"
            )
            #expect(again["evaluatedWeights"] as? String == weights)
            let metrics = try #require(record["metrics"] as? [String: Any])
            let metricsAgain = try #require(again["metrics"] as? [String: Any])
            #expect(metrics["macroF1"] as? Double == metricsAgain["macroF1"] as? Double)
        }
        // Weights of another run log are refused by name.
        let other = try ExecutableRunner.run(
            [
                "eval", "--checkpoint", dir.appendingPathComponent("nothing.h5").path, "--results",
                runs,
            ]
                + data)
        #expect(other.status != 0 && other.stderr.contains("no finished run nothing"))
    }
}
