import Autograd
import Testing

/// Finite-difference gradient check: shows that an operation's backward agrees with its forward.
///
/// Concretely: with a fixed random weighting `r` of the output (so every output element
/// matters and errors cannot cancel), the loss is `L(x) = Σ rᵢ·f(x)ᵢ`, summed in `Double`.
/// The analytic gradient from `backward()` is compared with the central difference
/// `(L(x + h·eⱼ) − L(x − h·eⱼ)) / 2h` for every input element `j`.
///
/// Why these numbers: the forward runs in `Float`, so `L` carries a rounding error of roughly
/// `1e-7·√n·|f|`; dividing by `2h` with `h = 1e-2` leaves about `1e-5`, while the truncation
/// error of the central difference is `O(h²) ≈ 1e-4` relative for smooth functions. A
/// tolerance of `atol 2e-3 + rtol 2e-2` sits well above both and far below the size of any
/// real mistake (a wrong sign, a missing term, a wrong broadcast reduction). Inputs should
/// keep `h` away from kinks (relu at 0, clamp bounds, abs at 0, ties in max).
public func checkGradients(
    _ inputs: [Tensor], step h: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) -> Tensor
) {
    for x in inputs {
        x.requiresGrad = true
        x.grad = nil
    }
    let output = f(inputs)
    let generator = Generator(seed: 12345)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, generator: generator)
    (output * weights).sum().backward()

    func loss() -> Double {
        noGrad {
            let y = f(inputs).scalars
            return zip(y, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }

    for (k, x) in inputs.enumerated() {
        let analytic = x.grad?.scalars ?? [Float](repeating: 0, count: x.count)
        var numeric = [Double](repeating: 0, count: x.count)
        for j in 0..<x.count {
            let original = x.withUnsafeBufferPointer { $0[j] }
            x.withUnsafeMutableBufferPointer { $0[j] = original + h }
            let plus = loss()
            x.withUnsafeMutableBufferPointer { $0[j] = original - h }
            let minus = loss()
            x.withUnsafeMutableBufferPointer { $0[j] = original }
            numeric[j] = (plus - minus) / (2 * Double(h))
        }
        expectClose(
            analytic, numeric, rtol: rtol, atol: atol, "\(what) gradient of input \(k)",
            sourceLocation: sourceLocation)
    }
}

/// Seeded inputs for op tests: uniform in `[low, high]`.
public func randomTensor(
    _ shape: [Int], low: Float = -1, high: Float = 1, seed: UInt64 = 1
) -> Tensor {
    Tensor.uniform(shape, low: low, high: high, generator: Generator(seed: seed))
}
