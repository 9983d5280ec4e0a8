import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

/// Small hyperparameters so that the debug-build suite stays fast; the defaults are checked
/// by the parameter counts.
func smallConfigurations() -> ModelConfigurations {
    var c = ModelConfigurations()
    c.efLSTM.hidden = 16
    c.efLSTM.layers = 2
    c.lfDNN.hidden = PerModality(text: 16, audio: 8, video: 16)
    c.lfDNN.textOut = 16
    c.lfDNN.postFusion = 16
    c.tfn.hidden = PerModality(text: 8, audio: 4, video: 8)
    c.tfn.textOut = 8
    c.tfn.postFusion = 16
    c.mfn.hidden = PerModality(text: 16, audio: 8, video: 16)
    c.mfn.memory = 16
    c.mult.dim = 16
    c.mult.heads = 4
    c.mult.layers = 1
    c.misa.hidden = 16
    c.misa.fusionFeedForward = 32
    return c
}

let allSubsets: [[Modality]] = [
    [.text], [.audio], [.video], [.text, .audio], [.text, .video], [.audio, .video],
    [.text, .audio, .video],
]
