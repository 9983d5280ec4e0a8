import Datasets
import FusionModels
import Vocabulary

extension FusionProblem {
    /// A problem with the IndoMER release's feature widths.
    public static func indoMER(_ modalities: [Modality], task: ClassificationTask) -> FusionProblem
    {
        FusionProblem(
            modalities: modalities, dims: IndoMERRelease.featureWidths, classes: task.classCount)
    }

    /// The problem of a run on `dataset`: its feature widths and padded lengths, the task's
    /// classes, the run's input protocol.
    public init(
        _ dataset: IndoMERDataset, modalities: [Modality], task: ClassificationTask,
        inputProtocol: InputProtocol
    ) {
        self.init(
            modalities: modalities, dims: dataset.features.mapValues(\.dim),
            classes: task.classCount, inputProtocol: inputProtocol,
            paddedLengths: dataset.features.mapValues(\.paddedLength))
    }
}
