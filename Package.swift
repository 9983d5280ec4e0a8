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
        // Our own few lines of C: `cpuid`/`xgetbv` and `mallopt`, which Swift cannot reach.
        .target(name: "CPlatform", cSettings: optimisedC),
        // Hot loops compiled for AVX2 + FMA and generic x86-64 (Swift has no target attributes).
        .target(name: "CKernels", cSettings: optimisedC),

        .target(
            name: "Autograd", dependencies: ["CBLAS", "CLAPACKE", "CPlatform", "CKernels"],
            swiftSettings: optimisedSwift),
        // The one Swift wrapper over libhdf5: checkpoints (NN) and the feature cache (Datasets).
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "NN", dependencies: ["Autograd", "HDF5"], swiftSettings: optimisedSwift),
        .target(
            name: "Datasets", dependencies: ["Autograd", "HDF5"], swiftSettings: optimisedSwift),
        .target(
            name: "FusionModels", dependencies: ["NN", "Datasets"], swiftSettings: optimisedSwift),
        .target(
            name: "Experiments", dependencies: ["FusionModels", "HDF5"],
            swiftSettings: optimisedSwift),
        .target(name: "TestSupport", dependencies: ["Autograd"]),
        .executableTarget(
            name: "baselines",
            dependencies: [
                "Autograd", "NN", "Datasets", "FusionModels", "Experiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Datasets", "HDF5", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "FusionModelsTests", dependencies: ["FusionModels", "HDF5", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "NNTests", dependencies: ["NN", "HDF5", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ExperimentsTests", dependencies: ["Experiments", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "BaselinesCLITests", dependencies: ["Autograd", "baselines"]),
    ]
)
