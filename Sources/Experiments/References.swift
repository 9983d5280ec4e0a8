import Autograd
import Datasets
import Vocabulary

/// The trivial references every grid carries: the majority class of the training split, and
/// random guessing with the training split's class prior (seeded).
public enum References {
    public static func predictions(
        _ model: ModelName, dataset: IndoMERDataset, task: ClassificationTask, seed: UInt64
    ) -> [Int] {
        let trainLabels = dataset.indices(in: .train, for: task).map {
            dataset.clips[$0].label(for: task)
        }
        var counts = [Int](repeating: 0, count: task.classCount)
        for y in trainLabels { counts[y] += 1 }
        let validation = dataset.indices(in: dataset.reportedSplit, for: task)
        switch model {
        case .majority:
            let majority = counts.indices.max { counts[$0] < counts[$1] }!
            return validation.map { _ in majority }
        case .prior:
            let generator = Generator(seed: seed)
            let total = Double(trainLabels.count)
            return validation.map { _ in
                var u = generator.uniform() * total
                for (c, n) in counts.enumerated() {
                    u -= Double(n)
                    if u < 0 { return c }
                }
                return counts.count - 1
            }
        default:
            preconditionFailure("\(model) is not a reference")
        }
    }
}
