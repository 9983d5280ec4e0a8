import ArgumentParser
import FusionModels
import Vocabulary

// The vocabulary on the command line, spelled as in specs and run records.

extension ModelName: ExpressibleByArgument {}
extension Modality: ExpressibleByArgument {}
extension Split: ExpressibleByArgument {}
extension InputProtocol: ExpressibleByArgument {}

extension ClassificationTask: ExpressibleByArgument {
    public init?(argument: String) { self.init(named: argument) }
    public static var allValueStrings: [String] { known.map(\.name) }
}

/// `TAV`, `tv`, `VAT`: the letters T, A, V, each at most once, in any order.
extension ModalitySubset: ExpressibleByArgument {
    public init?(argument: String) { self.init(letters: argument) }
    public static var allValueStrings: [String] { tableOrder.map(\.letters) }
}
