// swift-tools-version: 6.0
//
// GANKit: Generative Adversarial Networks in Swift, on the CPU.
//
// No package dependencies. Matrix products use a CBLAS library loaded at run
// time (OpenBLAS, MKL, BLIS or the reference BLAS; Accelerate on Apple
// platforms), or the built-in kernels when none is present. gzip (MNIST files)
// and PNG compression use the system zlib. No `unsafeFlags`, so other packages
// can depend on GANKit by URL and version.
import PackageDescription

let package = Package(
    name: "GANKit",
    platforms: [.macOS(.v13), .iOS(.v16)],
    products: [
        .library(name: "GANKit", targets: ["GANKit"]),
    ],
    targets: [
        // The system zlib (inflate for .gz data files, deflate for PNG).
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Element-wise and matrix kernels in C, compiled for AVX-512, AVX2+FMA and
        // the baseline, chosen at run time (function target attributes, no flags).
        .target(
            name: "CGANKitKernels",
            path: "Sources/CGANKitKernels"
        ),
        .target(
            name: "GANKit",
            dependencies: ["CZlib", "CGANKitKernels"]
        ),
        .testTarget(
            name: "GANKitTests",
            dependencies: ["GANKit"]
        ),
        // A program that must stop with Dense's shape message; CI runs its
        // release build (.ci/release-errors.sh), where precondition messages vanish.
        .executableTarget(
            name: "release-shape-check",
            dependencies: ["GANKit"],
            path: "Tests/ReleaseChecks"
        ),
        // Writes an event file of known content for Scripts/check-tensorboard.py (.ci/tensorboard.sh),
        // which reads it with TensorBoard's own reader.
        .executableTarget(
            name: "tensorboard-fixture",
            dependencies: ["GANKit"],
            path: "Tests/TensorBoardFixture"
        ),
        // Exports GANKit networks to ONNX with inputs and GANKit's outputs, for Scripts/check-onnx.py
        // (.ci/onnx.sh), which checks the models with onnx's checker and runs them with ONNX Runtime.
        .executableTarget(
            name: "onnx-fixture",
            dependencies: ["GANKit"],
            path: "Tests/ONNXFixture"
        ),

        // Examples: flag parsing and output code shared by the example programs.
        .target(
            name: "ExampleSupport",
            dependencies: ["GANKit"],
            path: "Examples/ExampleSupport"
        ),
        .executableTarget(
            name: "mnist-gan",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/mnist-gan"
        ),
        .executableTarget(
            name: "mnist-dcgan",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/mnist-dcgan"
        ),
        .executableTarget(
            name: "mnist-cgan",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/mnist-cgan"
        ),
        .executableTarget(
            name: "cifar-dcgan",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/cifar-dcgan"
        ),
        .executableTarget(
            name: "custom-loop",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/custom-loop"
        ),
        .executableTarget(
            name: "train-classifier",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/train-classifier"
        ),
        .executableTarget(
            name: "gan-eval",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/gan-eval"
        ),
        .executableTarget(
            name: "gan-sample",
            dependencies: ["GANKit", "ExampleSupport"],
            path: "Examples/gan-sample"
        ),
        .executableTarget(
            name: "custom-layer",
            dependencies: ["GANKit"],
            path: "Examples/custom-layer"
        ),

        // Benchmarks: `swift run -c release gankit-bench`; Benchmarks/compare.sh runs it against PyTorch.
        // The allocation counter replaces malloc in the benchmark process only.
        .target(
            name: "CAllocationCounter",
            path: "Benchmarks/CAllocationCounter"
        ),
        .executableTarget(
            name: "gankit-bench",
            dependencies: ["GANKit", "CAllocationCounter", "CGANKitKernels"],
            path: "Benchmarks/gankit-bench"
        ),
    ]
)
