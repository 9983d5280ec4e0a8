import Autograd
import Foundation
import HDF5
import NN
import TestSupport
import Testing

/// One PyTorch reference case written by `Tests/Fixtures/Reference/make_torch_reference.py`.
struct Fixture {
    let path: String
    let file: HDF5File

    init(_ name: String) throws {
        path =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name).h5").path
        file = try HDF5File(path: path, mode: .read)
    }

    func tensor(_ name: String) throws -> Tensor {
        let (values, shape) = try file.readFloats(name)
        return Tensor(values, shape: shape)
    }

    func ints(_ name: String) throws -> [Int] { try file.readInt64s(name).values.map { Int($0) } }

    /// Loads the case's initial weights into `module` (strict: every key must match).
    func load(into module: Module) throws { try module.load(from: path, group: "state") }

    /// The case's scalar loss, `Σ sum(output · weight)`, built from our outputs.
    func loss(_ outputs: [String: Tensor]) throws -> Tensor {
        var total: Tensor?
        for (name, y) in outputs.sorted(by: { $0.key < $1.key }) {
            let term = (y * (try tensor("weights/\(name)"))).sum()
            total = total.map { $0 + term } ?? term
        }
        return try #require(total)
    }

    /// Compares outputs, then runs backward and compares every input and parameter gradient,
    /// to the tolerance: 1e-4 relative, 1e-5 absolute near zero.
    func expectMatches(
        _ outputs: [String: Tensor], inputs: [String: Tensor], module: Module,
        rtol: Double = 1e-4, atol: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for (name, y) in outputs {
            expectClose(
                y, try tensor("outputs/\(name)"), rtol: rtol, atol: atol, "\(path) output \(name)",
                sourceLocation: sourceLocation)
        }
        try loss(outputs).backward()
        for (name, x) in inputs {
            let g = try #require(x.grad, "no gradient for input \(name)")
            expectClose(
                g, try tensor("grads/inputs/\(name)"), rtol: rtol, atol: atol, "\(path) d/d\(name)",
                sourceLocation: sourceLocation)
        }
        for (key, p) in module.namedParameters() {
            let g = try #require(p.grad, "no gradient for parameter \(key)")
            expectClose(
                g, try tensor("grads/params/\(key)"), rtol: rtol, atol: atol, "\(path) d/d\(key)",
                sourceLocation: sourceLocation)
        }
    }

    /// An input marked as requiring a gradient.
    /// `name` may start with a group (`"equal/q"` reads `equal/inputs/q`).
    func input(_ name: String) throws -> Tensor {
        let parts = name.split(separator: "/", maxSplits: 1)
        let x = try tensor(parts.count == 2 ? "\(parts[0])/inputs/\(parts[1])" : "inputs/\(name)")
        x.requiresGrad = true
        return x
    }
}
