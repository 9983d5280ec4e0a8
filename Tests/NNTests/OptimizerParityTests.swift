import Autograd
import NN
import TestSupport
import Testing

/// Ten steps of each optimizer on fixed gradients against PyTorch's trajectory, then
/// convergence on a tiny problem; clipping and schedules against PyTorch too.
@Suite struct OptimizerParityTests {
    static let cases: [(String, @Sendable ([(key: String, tensor: Tensor)]) -> Optimizer)] = [
        ("sgd", { SGD(parameters: $0, learningRate: 0.1) }),
        (
            "sgd_momentum",
            {
                SGD(
                    parameters: $0, learningRate: 0.1, momentum: 0.9, dampening: 0.1,
                    weightDecay: 0.01)
            }
        ),
        ("sgd_nesterov", { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }),
        ("adam", { Adam(parameters: $0, learningRate: 0.01, weightDecay: .l2(0.01)) }),
        ("adamw", { Adam.adamW(parameters: $0, learningRate: 0.01, weightDecay: 0.1) }),
    ]

    @Test(arguments: 0..<cases.count)
    func tenStepsOnFixedGradients(_ index: Int) throws {
        let (name, make) = Self.cases[index]
        let f = try Fixture("optim_\(name)")
        let w = try f.tensor("initial/weight")
        let b = try f.tensor("initial/bias")
        w.requiresGrad = true
        b.requiresGrad = true
        // Matched by key: pass the parameters in the opposite order from the fixture's.
        let optimizer = make([("bias", b), ("weight", w)])
        let (gw, gb) = (try f.tensor("grads/weight"), try f.tensor("grads/bias"))
        let (sw, sb) = (try f.tensor("steps/weight"), try f.tensor("steps/bias"))
        for step in 0..<10 {
            w.grad = gw.slice(axis: 0, step..<(step + 1)).reshape([2, 3])
            b.grad = gb.slice(axis: 0, step..<(step + 1)).reshape([3])
            optimizer.step()
            expectClose(
                w.scalars, sw.slice(axis: 0, step..<(step + 1)).scalars, rtol: 1e-5, atol: 1e-6,
                "\(name) weight after step \(step + 1)")
            expectClose(
                b.scalars, sb.slice(axis: 0, step..<(step + 1)).scalars, rtol: 1e-5, atol: 1e-6,
                "\(name) bias after step \(step + 1)")
        }
    }

    @Test(arguments: 0..<cases.count)
    func convergesOnATinyRegression(_ index: Int) {
        let (name, make) = Self.cases[index]
        // Fit y = x·[2, −1] + 0.5 by least squares.
        let generator = Generator(seed: 3)
        let x = Tensor.uniform([32, 2], low: -1, high: 1, generator: generator)
        let y = x.matmul(Tensor([2, -1], shape: [2, 1])) + 0.5
        let model = Linear(2, 1, generator: generator)
        let optimizer = make(model.namedParameters())
        var loss: Float = .infinity
        for _ in 0..<1000 {
            let diff = model(x) - y
            let l = (diff * diff).mean()
            loss = l.item
            model.zeroGrad()
            l.backward()
            optimizer.step()
        }
        // Weight decay biases the optimum slightly; 1e-2 is far below the initial loss (~2).
        #expect(loss < 1e-2, "\(name) ended at loss \(loss)")
    }

    @Test func clippingByNormAndByValue() throws {
        let f = try Fixture("clipping")
        func parameters() throws -> [(key: String, tensor: Tensor)] {
            let w = Tensor.zeros([2, 3], requiresGrad: true)
            let b = Tensor.zeros([3], requiresGrad: true)
            w.grad = try f.tensor("grads/weight")
            b.grad = try f.tensor("grads/bias")
            return [("weight", w), ("bias", b)]
        }
        let byNorm = try parameters()
        let total = GradientClipping.clipNorm(byNorm, maxNorm: 1.5)
        expectClose([total], try f.tensor("norm/total").scalars, rtol: 1e-6, "total norm")
        expectClose(
            byNorm[0].tensor.grad!, try f.tensor("norm/weight"), rtol: 1e-6, atol: 1e-7,
            "clipped by norm")
        expectClose(
            byNorm[1].tensor.grad!, try f.tensor("norm/bias"), rtol: 1e-6, atol: 1e-7,
            "clipped by norm")
        let byValue = try parameters()
        GradientClipping.clipValue(byValue, limit: 0.7)
        expectClose(byValue[0].tensor.grad!, try f.tensor("value/weight"), "clipped by value")
        expectClose(byValue[1].tensor.grad!, try f.tensor("value/bias"), "clipped by value")
    }

    @Test func reduceOnPlateauFollowsPyTorch() throws {
        let f = try Fixture("schedules")
        let optimizer = SGD(parameters: [], learningRate: 1)
        let schedule = ReduceLROnPlateau(
            optimizer: optimizer, factor: 0.5, patience: 2, cooldown: 1, minLR: 0.05)
        let expected = try f.file.readFloats("plateau/lrs").values
        for (metric, lr) in zip(try f.file.readFloats("plateau/metrics").values, expected) {
            schedule.step(Double(metric))
            #expect(
                Swift.abs(optimizer.learningRate - lr) < 1e-7,
                "lr \(optimizer.learningRate), PyTorch \(lr) after metric \(metric)")
        }
    }

    @Test func cosineWithWarmupFollowsPyTorch() throws {
        let f = try Fixture("schedules")
        let optimizer = SGD(parameters: [], learningRate: 0.5)
        let schedule = CosineWithWarmup(optimizer: optimizer, warmupSteps: 3, totalSteps: 10)
        var lrs = [optimizer.learningRate]
        for _ in 0..<12 {
            schedule.step()
            lrs.append(optimizer.learningRate)
        }
        expectClose(
            lrs, try f.file.readFloats("cosine/lrs").values, rtol: 1e-6, atol: 1e-7,
            "cosine schedule")
    }
}
