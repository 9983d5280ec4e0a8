import ArgumentParser
import Autograd
import Foundation
import NN

/// `baselines bench memory`: resident memory over many training steps of a small MLP, to show
/// that each step's graph is released (memory must not grow with the number of steps).
struct MemoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract:
            "Resident memory across training steps of a small MLP (the graph must be released).")

    @OptionGroup var blas: BLASOptions
    @Flag(help: "One JSON object instead of text.") var json = false
    @Option(help: "Training steps.") var steps = 1000

    struct Result: Encodable {
        let bench = "memory.mlp"
        let steps: Int
        /// Resident set size in bytes after the warm-up tenth of the steps, and at the end.
        let residentAfterWarmup: Int
        let residentAtEnd: Int
        let growth: Int
        let finalLoss: Float
        let blas: BLASInfo
    }

    func run() throws {
        blas.apply()
        let generator = Generator(seed: 1)
        let w1 = Tensor.normal([64, 128], std: 0.1, generator: generator, requiresGrad: true)
        let b1 = Tensor.zeros([128], requiresGrad: true)
        let w2 = Tensor.normal([128, 7], std: 0.1, generator: generator, requiresGrad: true)
        let b2 = Tensor.zeros([7], requiresGrad: true)
        let x = Tensor.normal([32, 64], generator: generator)
        let targets = (0..<32).map { $0 % 7 }
        let optimizer = SGD(
            parameters: [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)], learningRate: 0.05)
        var loss: Float = 0
        var afterWarmup = 0
        for step in 0..<steps {
            let hidden = (x.matmul(w1) + b1).relu().dropout(
                0.1, training: true, generator: generator)
            let l = Tensor.crossEntropy(logits: hidden.matmul(w2) + b2, targets: targets)
            l.backward()
            loss = l.item
            optimizer.step()
            for p in [w1, b1, w2, b2] { p.grad = nil }
            if step == steps / 10 { afterWarmup = residentBytes() }
        }
        let end = residentBytes()
        let result = Result(
            steps: steps, residentAfterWarmup: afterWarmup, residentAtEnd: end,
            growth: end - afterWarmup, finalLoss: loss, blas: BLASInfo.current)
        if json {
            printJSONLine(result)
        } else {
            print("bench memory: \(result.blas.line)")
            print(
                "\(steps) steps: resident \(afterWarmup >> 10) KiB after warm-up, \(end >> 10) KiB at the end (growth \((end - afterWarmup) >> 10) KiB); final loss \(loss)"
            )
        }
    }
}

/// The process's resident set size, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
        return 0
    }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
