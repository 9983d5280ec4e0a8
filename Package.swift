// swift-tools-version: 6.0
// IndoMER fusion baselines: classical multimodal fusion models on our own autograd over OpenBLAS.
import PackageDescription

let package = Package(
    name: "IndoMERBaselines",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
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
        // Our own few lines of C: `cpuid`/`xgetbv` and `mallopt`, which Swift cannot reach.
        .target(name: "CPlatform"),

        .target(name: "Autograd", dependencies: ["CBLAS", "CLAPACKE", "CPlatform"]),
        .target(name: "TestSupport", dependencies: ["Autograd"]),
        .executableTarget(
            name: "baselines",
            dependencies: [
                "Autograd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "BaselinesCLITests", dependencies: ["Autograd", "baselines"]),
    ]
)
