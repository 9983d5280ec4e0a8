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
}
