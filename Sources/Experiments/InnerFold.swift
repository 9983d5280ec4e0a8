import Autograd
import Datasets
import Vocabulary

/// The inner validation fold for model selection: about `fraction` of the training split,
/// whole source videos only (no speaker crosses it), stratified as far as groups allow.
///
/// Greedy: source videos in a seeded random order; a video joins the fold when it reduces the
/// fold's largest shortfall against the per-class targets (`fraction` of each class) without
/// taking the fold past its size target, until the size target is met. The official
/// validation split is never touched.
///
/// A data set with a test split (MMSA's) has its own validation split for selection, as MMSA
/// uses it: the fold is then that split, whatever `fraction`, and the test split is reported.
public enum InnerFold {
    public static func split(
        _ dataset: IndoMERDataset, task: ClassificationTask, fraction: Double = 0.15, seed: UInt64
    ) -> (train: [Int], fold: [Int]) {
        let train = dataset.indices(in: .train, for: task)
        if dataset.reportedSplit == .test {
            return (train, dataset.indices(in: .val, for: task))
        }
        var groups: [String: [Int]] = [:]
        for i in train { groups[dataset.clips[i].sourceVideo, default: []].append(i) }
        var order = groups.keys.sorted()
        var rng = Generator(seed: seed ^ 0x1F01D)
        order.shuffle(using: &rng)
        let classes = task.classCount
        var targets = [Double](repeating: 0, count: classes)
        for i in train { targets[dataset.clips[i].label(for: task)] += fraction }
        let sizeTarget = Double(train.count) * fraction
        var counts = [Double](repeating: 0, count: classes)
        var chosen = Set<String>()
        var size = 0.0
        func shortfall(_ counts: [Double]) -> Double {
            zip(targets, counts).map { Swift.max(0, $0 - $1) / Swift.max($0, 1) }.reduce(0, +)
        }
        // Two passes: first only videos that help the class balance, then fill up by size.
        for pass in 0..<2 {
            for video in order where !chosen.contains(video) && size < sizeTarget {
                let members = groups[video]!
                var next = counts
                for i in members { next[dataset.clips[i].label(for: task)] += 1 }
                let fits = size + Double(members.count) <= sizeTarget * 1.1
                if fits && (pass == 1 || shortfall(next) < shortfall(counts) - 1e-12) {
                    chosen.insert(video)
                    counts = next
                    size += Double(members.count)
                }
            }
        }
        if chosen.isEmpty, let first = order.first { chosen.insert(first) }
        let fold = train.filter { chosen.contains(dataset.clips[$0].sourceVideo) }
        let rest = train.filter { !chosen.contains(dataset.clips[$0].sourceVideo) }
        return (rest, fold)
    }

    /// Why this data cannot be trained with an inner fold of `fraction`, or nil when it can:
    /// the fold takes whole source videos, so the training split needs at least two, and the
    /// official validation split must not be empty.
    public static func problem(
        _ dataset: IndoMERDataset, task: ClassificationTask, fraction: Double, seed: UInt64
    ) -> String? {
        let train = dataset.indices(in: .train, for: task)
        let videos = Set(train.map { dataset.clips[$0].sourceVideo })
        if dataset.indices(in: dataset.reportedSplit, for: task).isEmpty {
            return
                "the \(dataset.reportedSplit == .test ? "test" : "validation") split has no clips"
        }
        if dataset.reportedSplit == .test && dataset.indices(in: .val, for: task).isEmpty {
            return "the validation split (which selects the epoch) has no clips"
        }
        if train.isEmpty { return "the training split has no clips" }
        guard fraction > 0, dataset.reportedSplit == .val else { return nil }
        if videos.count < 2 {
            return
                "the training split's \(train.count) clip(s) come from \(videos.count) source video(s); the inner fold (\(Int(fraction * 100))% of them, by whole source video) needs at least 2"
        }
        let (rest, fold) = split(dataset, task: task, fraction: fraction, seed: seed)
        if rest.isEmpty || fold.isEmpty {
            return
                "an inner fold of \(Int(fraction * 100))% by source video leaves \(rest.count) clip(s) to train on and \(fold.count) to select with"
        }
        return nil
    }
}
