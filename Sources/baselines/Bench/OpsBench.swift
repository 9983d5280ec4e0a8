import ArgumentParser
import Autograd
import Experiments
import Foundation

/// `baselines bench ops`: GFLOP/s of `Tensor` matmul beside a direct `cblas_sgemm` call (OpenBLAS
/// threading it itself over the same threads) on the shapes the models use, and GB/s of
/// elementwise kernels beside `memcpy`.
struct OpsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract:
            "Tensor matmul vs direct sgemm (GFLOP/s); elementwise add, mul, exp vs memcpy (GB/s).")

    @OptionGroup var blas: BLASOptions
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Option(help: "Timed rounds per case (median reported).") var repeats = 9

    struct GEMMCase {
        let name: String
        let batch: Int
        let m: Int, k: Int, n: Int
    }

    static let gemmCases = [
        GEMMCase(name: "1024x1024 by 1024x1024", batch: 1, m: 1024, k: 1024, n: 1024),
        GEMMCase(name: "video (32*723)x673 by 673x50", batch: 1, m: 32 * 723, k: 673, n: 50),
        GEMMCase(name: "audio (32*2252)x18 by 18x50", batch: 1, m: 32 * 2252, k: 18, n: 50),
        GEMMCase(name: "text (32*69)x768 by 768x128", batch: 1, m: 32 * 69, k: 768, n: 128),
        GEMMCase(name: "batched 32 x (135x50 by 50x540)", batch: 32, m: 135, k: 50, n: 540),
    ]

    struct GEMMResult: Encodable {
        let bench = "ops.gemm"
        let shape: String
        let tensorGFLOPs: Double
        let directGFLOPs: Double
        let ratio: Double
        let tensorMedianMs: Double
        let directMedianMs: Double
        let blas: BLASInfo
    }

    struct StreamResult: Encodable {
        let bench = "ops.elementwise"
        let kernel: String
        let floats: Int
        let gbPerSecond: Double
        let memcpyGBPerSecond: Double
        let ratioToMemcpy: Double
        let medianMs: Double
        let blas: BLASInfo
    }

    func run() throws {
        blas.apply()
        let context = BLASInfo.current
        if !json {
            print(
                "bench ops: \(context.line); median of \(repeats) rounds, Tensor and direct interleaved"
            )
        }
        let generator = Generator(seed: 7)
        if !json {
            print(
                TextTable.pad("shape", 34) + TextTable.pad("Tensor GFLOP/s", 16)
                    + TextTable.pad("direct GFLOP/s", 16)
                    + "Tensor/direct")
        }
        for c in Self.gemmCases {
            let a = Tensor.uniform(
                c.batch == 1 ? [c.m, c.k] : [c.batch, c.m, c.k], low: -1, high: 1,
                generator: generator)
            let b = Tensor.uniform(
                c.batch == 1 ? [c.k, c.n] : [c.batch, c.k, c.n], low: -1, high: 1,
                generator: generator)
            let direct = UnsafeMutablePointer<Float>.allocate(capacity: c.batch * c.m * c.n)
            defer { direct.deallocate() }
            var sink: Float = 0
            // The direct call leaves OpenBLAS's worker spinning for a while: let it park.
            let times = Timing.interleaved(
                rounds: repeats, settle: 0.3,
                [
                    { sink += Tensor.matmul(a, b).withUnsafeBufferPointer { $0[0] } },
                    {
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                for i in 0..<c.batch {
                                    BLAS.directSgemm(
                                        transA: false, transB: false, m: c.m, n: c.n, k: c.k,
                                        a: pa.baseAddress! + i * c.m * c.k, lda: c.k,
                                        b: pb.baseAddress! + i * c.k * c.n, ldb: c.n,
                                        c: direct + i * c.m * c.n, ldc: c.n)
                                }
                            }
                        }
                        sink += direct[0]
                    },
                ])
            let flops = 2.0 * Double(c.batch * c.m * c.n * c.k)
            let (tensorTime, directTime) = (Timing.median(times[0]), Timing.median(times[1]))
            let result = GEMMResult(
                shape: c.name, tensorGFLOPs: flops / tensorTime * 1e-9,
                directGFLOPs: flops / directTime * 1e-9, ratio: directTime / tensorTime,
                tensorMedianMs: tensorTime * 1e3, directMedianMs: directTime * 1e3, blas: context)
            if json {
                printJSONLine(result)
            } else {
                print(
                    TextTable.pad(c.name, 34)
                        + TextTable.pad(TextTable.number(result.tensorGFLOPs, 1), 16)
                        + TextTable.pad(TextTable.number(result.directGFLOPs, 1), 16)
                        + TextTable.number(result.ratio, 3))
            }
            if sink.isNaN { print("") }
        }
        streamKernels(context: context, generator: generator)
    }

    /// add, mul and exp over 16M floats, each beside a memcpy of the same bytes read.
    private func streamKernels(context: BLASInfo, generator: Generator) {
        let n = 16 << 20
        let x = Tensor.uniform([n], low: -1, high: 1, generator: generator)
        let y = Tensor.uniform([n], low: -1, high: 1, generator: generator)
        let target = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { target.deallocate() }
        target.initialize(repeating: 0, count: n)
        if !json {
            print(
                "\n" + TextTable.pad("kernel (16M floats)", 34) + TextTable.pad("GB/s", 16)
                    + TextTable.pad("memcpy GB/s", 16)
                    + "kernel/memcpy")
        }
        let kernels: [(String, Int, () -> Tensor)] = [
            ("add", 3, { x + y }), ("mul", 3, { x * y }), ("exp", 2, { x.exp() }),
        ]
        for (name, arrays, body) in kernels {
            var sink: Float = 0
            let times = Timing.interleaved(
                rounds: repeats,
                [
                    { sink += body().withUnsafeBufferPointer { $0[0] } },
                    {
                        _ = x.withUnsafeBufferPointer { memcpy(target, $0.baseAddress!, n * 4) }
                        sink += target[0]
                    },
                ])
            let (kernelTime, copyTime) = (Timing.median(times[0]), Timing.median(times[1]))
            let kernelBytes = Double(arrays * n * 4)
            let copyBytes = Double(2 * n * 4)
            let result = StreamResult(
                kernel: name, floats: n, gbPerSecond: kernelBytes / kernelTime * 1e-9,
                memcpyGBPerSecond: copyBytes / copyTime * 1e-9,
                ratioToMemcpy: (kernelBytes / kernelTime) / (copyBytes / copyTime),
                medianMs: kernelTime * 1e3, blas: context)
            if json {
                printJSONLine(result)
            } else {
                print(
                    TextTable.pad(name, 34)
                        + TextTable.pad(TextTable.number(result.gbPerSecond, 1), 16)
                        + TextTable.pad(TextTable.number(result.memcpyGBPerSecond, 1), 16)
                        + TextTable.number(result.ratioToMemcpy, 2))
            }
            if sink.isNaN { print("") }
        }
    }
}
