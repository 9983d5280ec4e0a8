import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct ModuleRegistrationTests {
    /// Every `Module` a model stores (directly, in arrays or dictionaries, or in tuples) is
    /// listed in `children` somewhere below it; otherwise `eval()` would not reach it and its
    /// parameters would be neither trained nor saved.
    @Test(arguments: ModelName.fusionModels)
    func everyStoredSubmoduleIsRegistered(_ kind: ModelName) {
        let model = smallConfigurations().make(
            kind, problem: .indoMER(Modality.allCases, task: .sentiment),
            generator: Generator(seed: 0))
        var registered = Set<ObjectIdentifier>()
        var stack: [Module] = [model]
        while let m = stack.popLast() {
            registered.insert(ObjectIdentifier(m))
            stack += m.children.map(\.module)
        }
        func stored(_ value: Any) -> [Module] {
            if let m = value as? Module { return [m] }
            return Mirror(reflecting: value).children.flatMap { stored($0.value) }
        }
        var visited = Set<ObjectIdentifier>()
        stack = [model]
        while let m = stack.popLast() {
            guard visited.insert(ObjectIdentifier(m)).inserted else { continue }
            for child in Mirror(reflecting: m).children {
                for sub in stored(child.value) {
                    let (owner, label, held) = (type(of: m), child.label ?? "?", type(of: sub))
                    #expect(
                        registered.contains(ObjectIdentifier(sub)),
                        "\(kind.displayName): \(owner).\(label) (\(held)) is not in children"
                    )
                    stack.append(sub)
                }
            }
        }
    }
}
