// swift-tools-version: 6.0
//
// libFuzzer targets for GANKit's file readers, kept out of the main package so
// that GANKit itself never needs `unsafeFlags`. Build and run with
// `Fuzz/run.sh SECONDS` (Linux; needs the toolchain's libFuzzer), which passes
// `-sanitize=fuzzer,address` on the command line.
import PackageDescription

let package = Package(
    name: "GANKitFuzz",
    dependencies: [.package(name: "GANKit", path: "..")],
    targets: [
        // The trainer the checkpoint fuzzer restores into, and the CRC it appends.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "GANKit", package: "GANKit")]
        ),
        // Declares libFuzzer's LLVMFuzzerRunDriver for the targets' `main`.
        .target(name: "CFuzzDriver"),
        // IDXFile.decode: plain and gzip IDX files (header, sizes, inflate limits).
        .executableTarget(
            name: "fuzz-idx",
            dependencies: ["CFuzzDriver", .product(name: "GANKit", package: "GANKit")]
        ),
        // Checkpoint.decode and Trainer.restore: container format, then model matching.
        .executableTarget(
            name: "fuzz-checkpoint",
            dependencies: ["CFuzzDriver", "FuzzSupport", .product(name: "GANKit", package: "GANKit")]
        ),
        // SafetensorsFile and TrainedGenerator: safetensors container, architecture, weights, sampling.
        .executableTarget(
            name: "fuzz-generator",
            dependencies: ["CFuzzDriver", .product(name: "GANKit", package: "GANKit")]
        ),
        // Writes the seed corpora in Corpus/ (run without the fuzzer flags:
        // `swift run --package-path Fuzz make-seeds Fuzz/Corpus`).
        .executableTarget(
            name: "make-seeds",
            dependencies: ["FuzzSupport", .product(name: "GANKit", package: "GANKit")]
        ),
    ]
)
