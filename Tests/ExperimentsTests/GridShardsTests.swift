import Datasets
import Experiments
import Foundation
import FusionModels
import Testing
import Vocabulary

/// `--shard i/N`: runs dealt to array tasks by cost (longest first, to the least loaded task).
@Suite struct GridShardsTests {
    /// By hand: 5 -> task 0; 4 -> 1; the first 3 -> 1 (4 < 5); the second 3 -> 0 (5 < 7);
    /// 1 -> 1 (7 < 8). Ties go to the earlier run, then to the task with fewer runs, then to
    /// the lower task (so free runs spread as well).
    @Test func longestFirstToTheLeastLoadedTask() {
        #expect(GridShards.assign(costs: [5, 1, 4, 3, 3], count: 2) == [0, 1, 1, 1, 0])
        #expect(GridShards.assign(costs: [2, 2, 2], count: 3) == [0, 1, 2])
        #expect(GridShards.assign(costs: [0, 0, 0], count: 2) == [0, 1, 0])
        #expect(GridShards.assign(costs: [7, 3], count: 1) == [0, 0])
    }

    /// A grid whose models cycle with a period that divides the task count: by position one
    /// task holds every costly run (4 x 100); by cost each holds one (103).
    @Test func aCostlyModelIsSpreadOverTheTasks() {
        let costs = [Int]([[Int]](repeating: [100, 1, 1, 1], count: 4).joined())
        let owners = GridShards.assign(costs: costs, count: 4)
        var load = [Int](repeating: 0, count: 4)
        for (run, task) in owners.enumerated() { load[task] += costs[run] }
        #expect(load == [103, 103, 103, 103])
        var byPosition = [Int](repeating: 0, count: 4)
        for (run, cost) in costs.enumerated() { byPosition[run % 4] += cost }
        #expect(byPosition == [400, 4, 4, 4])
    }

    /// The costs come from counted multiply-adds, the same however often they are computed
    /// (every array task computes its own cut); a MISA run on video costs more than an LF-DNN
    /// run on it, references nothing; every run is in exactly one shard.
    @Test func costsAreDeterministicAndShardsCoverTheGrid() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try TinyGrid.spec(
            #"{"models": ["majority", "lf-dnn", "misa"], "tasks": ["sentiment"], "modalities": ["V", "T"], "seeds": [1, 2], "training": {"epochs": 1}}"#,
            in: dir)
        let runner = GridRunner(
            spec: spec, dataset: TinyGrid.dataset,
            store: RunStore(path: dir.appendingPathComponent("runs.jsonl").path))
        let costs = runner.runCosts
        #expect(costs == RunCost.costs(runner), "recounted from scratch")
        let cost = Dictionary(
            zip(spec.runs, costs).map { ("\($0.model.rawValue) \($0.modalities.letters)", $1) },
            uniquingKeysWith: { a, b in
                #expect(a == b, "seeds share a setting's cost")
                return a
            })
        #expect(cost["majority V"] == 0)
        #expect(cost["misa V"]! > cost["lf-dnn V"]! && cost["lf-dnn V"]! > 0)
        var seen: [GridSpec.Run] = []
        for i in 1...3 {
            var shard = runner
            shard.shard = (i, 3)
            seen += shard.shardRuns
        }
        #expect(seen.count == spec.runs.count)
        #expect(Set(seen.map { "\($0.model) \($0.modalities) \($0.seed)" }).count == seen.count)
    }
}
