// swift-tools-version: 6.0
// IndoMER fusion baselines: classical multimodal fusion models on our own autograd over OpenBLAS.
import PackageDescription

/// The hot targets are compiled optimised in debug builds too, so that `swift run baselines`
/// and `swift test` (debug builds) train at close to release speed; measured in README
/// ("Debug and release builds"). Unsafe flags are allowed here because this is the root package.
let optimisedSwift: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
let optimisedC: [CSetting] = [.unsafeFlags(["-O2"], .when(configuration: .debug))]

let package = Package(
    name: "IndoMERBaselines",
    products: [
        .library(name: "Vocabulary", targets: ["Vocabulary"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "FusionModels", targets: ["FusionModels"]),
        .executable(name: "baselines", targets: ["baselines"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // System libraries from Debian (see README): headers found through pkg-config.
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        // Our own C, which Swift cannot reach: `cpuid`/`xgetbv` and `mallopt` (cplatform.c);
        // the thread pool behind `Parallel`, with the per-thread thread limit and kernel
        // choice (pool.c).
        .target(name: "CPlatform", cSettings: optimisedC),
        // Hot loops compiled for AVX2 + FMA and generic x86-64 (Swift has no target attributes).
        .target(name: "CKernels", cSettings: optimisedC),

        // The words every layer shares: modality and subset, task, split, model name.
        .target(name: "Vocabulary"),
        // Tensors and reverse-mode autograd over OpenBLAS: `Tensor`, the graph and the seeded
        // generator in Sources/Autograd/Core, ops in Sources/Autograd/Ops, the runtime they run
        // on (BLAS door, thread pool, buffer cache, CPU and kernel selection) in
        // Sources/Autograd/Runtime.
        .target(
            name: "Autograd", dependencies: ["CBLAS", "CLAPACKE", "CPlatform", "CKernels"],
            swiftSettings: optimisedSwift),
        // The one Swift wrapper over libhdf5: checkpoints (NN) and the feature cache (Datasets).
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        // Layers, optimizers and schedules, with PyTorch state_dict names.
        .target(name: "NN", dependencies: ["Autograd", "HDF5"], swiftSettings: optimisedSwift),
        // Reading data: the restricted pickle reader, the release, the synthetic IndoMER, the
        // feature cache. No model code.
        .target(
            name: "Datasets", dependencies: ["Vocabulary", "Autograd", "HDF5"],
            swiftSettings: optimisedSwift),
        // The six models and their inputs (`FusionBatch`); they never see a file.
        .target(
            name: "FusionModels", dependencies: ["Vocabulary", "NN"], swiftSettings: optimisedSwift),
        // Everything between data and models: batching, training, grids, tuning, reports.
        .target(
            name: "Experiments", dependencies: ["Vocabulary", "Datasets", "FusionModels", "HDF5"],
            swiftSettings: optimisedSwift),
        .target(name: "TestSupport", dependencies: ["Autograd"]),
        .executableTarget(
            name: "baselines",
            dependencies: [
                "Vocabulary", "Autograd", "NN", "Datasets", "FusionModels", "Experiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Vocabulary", "Datasets", "HDF5", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "FusionModelsTests",
            dependencies: [
                "Vocabulary", "Datasets", "FusionModels", "Experiments", "HDF5", "TestSupport",
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "NNTests", dependencies: ["NN", "HDF5", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Vocabulary", "Datasets", "FusionModels", "Experiments", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "BaselinesCLITests", dependencies: ["Vocabulary", "Autograd", "baselines"]),
    ]
)
