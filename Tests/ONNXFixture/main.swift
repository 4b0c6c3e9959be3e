// onnx-fixture OUTDIR: exports GANKit networks built with fixed seeds to OUTDIR/NAME.onnx and
// writes, for each, inputs and GANKit's inference-mode outputs as raw little-endian .bin files
// (float32 images and noise, int64 labels) and OUTDIR/cases.json listing them, so that
// `Scripts/check-onnx.py OUTDIR` can run the models with ONNX Runtime and compare.
//
// Before export every network runs a few training-mode forwards (BatchNorm's running statistics
// and SpectralNorm's u and v move away from their initial values), and parameters that start
// at zero (biases, the projection's class vectors) get random values, so the inference form
// of every layer is really exercised.
import Foundation
import GANKit

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: onnx-fixture OUTDIR\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: CommandLine.arguments[1])
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

/// One network to export: its per-sample input shape, its class count when conditioned,
/// and the batch sizes to record outputs for (the first is the main one).
struct Case {
    let name: String
    let network: any Layer
    let inputShape: [Int]
    var classCount: Int? = nil
    var batches: [Int] = [8]
    /// For a network that starts with an Embedding: its inputs are class indices `0..<indexCount` as floats.
    var indexCount: Int? = nil
}

var rng = SeededGenerator(seed: 2024)
let digits = ClassConditioning.digits
let projection = ClassConditioning(classCount: 10, embeddingDimension: 10, discriminator: .projection)
let sn = MLPGAN.Configuration(spectralNorm: true, minibatchStdDev: true)
let image = [1, 28, 28]

/// A nested Sequential with the layer options the model builders never use: BatchNorm without
/// affine parameters, non-square kernels, output padding, a spectrally normalised ConvTranspose2D,
/// Dropout, Sigmoid, MinibatchStdDev on feature maps, Dense on a feature map.
func assortedNetwork(using rng: inout SeededGenerator) -> Sequential {
    Sequential {
        Dense(16, 2 * 5 * 6, using: &rng)
        BatchNorm(60, affine: false)
        LeakyReLU(alpha: 0.1)
        Reshape([2, 5, 6])
        Sequential {
            ConvTranspose2D(2, 4, kernelSize: (3, 2), stride: (2, 3), padding: (1, 0), outputPadding: (1, 2),
                            using: &rng)  // [4, 10, 19]
            BatchNorm(4, momentum: 0.5, epsilon: 1e-3)
            Tanh()
            SpectralNorm(ConvTranspose2D(4, 3, kernelSize: 4, stride: 2, padding: 1, bias: false, using: &rng),
                         using: &rng)  // [3, 20, 38]
        }
        Conv2D(3, 5, kernelSize: (3, 5), stride: (2, 3), padding: (1, 2), using: &rng)  // [5, 10, 13]
        Dropout(rate: 0.3, seed: 7)
        ReLU()
        MinibatchStdDev(groupSize: 2)  // [6, 10, 13]
        Dense(780, 7, using: &rng)
        Sigmoid()
    }
}

let cases: [Case] = [
    Case(name: "mlp-generator", network: MLPGAN.makeGenerator(.small, using: &rng), inputShape: [100], batches: [8, 3]),
    Case(name: "mlp-discriminator", network: MLPGAN.makeDiscriminator(.small, using: &rng), inputShape: image),
    Case(name: "mlp-minimal-generator", network: MLPGAN.makeGenerator(.minimal, using: &rng), inputShape: [100]),
    Case(name: "mlp-minimal-discriminator", network: MLPGAN.makeDiscriminator(.minimal, using: &rng), inputShape: image),
    Case(name: "mlp-keras-discriminator", network: MLPGAN.makeDiscriminator(.keras, using: &rng), inputShape: image),
    Case(name: "mlp-discriminator-sn-mbstd", network: MLPGAN.makeDiscriminator(sn, using: &rng), inputShape: image,
         batches: [8, 3, 12]),
    Case(name: "dcgan-mnist-generator", network: DCGAN.makeGenerator(.mnist, using: &rng), inputShape: [100],
         batches: [8, 5]),
    Case(name: "dcgan-mnist-discriminator", network: DCGAN.makeDiscriminator(.mnist, using: &rng), inputShape: image),
    Case(name: "dcgan-rgb64-generator", network: DCGAN.makeGenerator(.rgb64, using: &rng), inputShape: [100],
         batches: [4]),
    Case(name: "dcgan-mnist-discriminator-sn-mbstd",
         network: DCGAN.makeDiscriminator(DCGAN.Configuration(spectralNorm: true, minibatchStdDev: true), using: &rng),
         inputShape: image, batches: [8, 2]),
    Case(name: "cgan-mlp-generator",
         network: MLPGAN.makeGenerator(MLPGAN.Configuration(conditioning: digits), using: &rng),
         inputShape: [100], classCount: 10, batches: [10, 3]),
    Case(name: "cgan-mlp-discriminator-concat",
         network: MLPGAN.makeDiscriminator(MLPGAN.Configuration(conditioning: digits), using: &rng),
         inputShape: image, classCount: 10, batches: [10]),
    Case(name: "cgan-mlp-discriminator-projection",
         network: MLPGAN.makeDiscriminator(MLPGAN.Configuration(spectralNorm: true, conditioning: projection),
                                           using: &rng),
         inputShape: image, classCount: 10, batches: [10]),
    Case(name: "cgan-dcgan-generator",
         network: DCGAN.makeGenerator(DCGAN.Configuration(conditioning: digits), using: &rng),
         inputShape: [100], classCount: 10, batches: [10]),
    Case(name: "cgan-dcgan-discriminator-concat",
         network: DCGAN.makeDiscriminator(DCGAN.Configuration(conditioning: digits), using: &rng),
         inputShape: image, classCount: 10, batches: [10]),
    Case(name: "cgan-dcgan-discriminator-projection",
         network: DCGAN.makeDiscriminator(DCGAN.Configuration(conditioning: projection), using: &rng),
         inputShape: image, classCount: 10, batches: [10]),
    Case(name: "assorted-layers", network: assortedNetwork(using: &rng), inputShape: [16], batches: [8, 4]),
    Case(name: "embedding-lookup",
         network: Sequential { Embedding(count: 5, dimension: 6, using: &rng); Dense(6, 3, using: &rng); Tanh() },
         inputShape: [1], batches: [8, 1], indexCount: 5),
]

/// Class labels `0, 1, …, K−1, 0, 1, …` for a batch.
func labels(_ batch: Int, classCount: Int) -> [Int] { (0..<batch).map { $0 % classCount } }

/// Class indices for an Embedding input, noise N(0, 1) for an input of one axis, else images uniform in [−1, 1].
func input(batch: Int, for item: Case, using rng: inout SeededGenerator) -> Tensor {
    let full = TensorShape([batch] + item.inputShape)
    if let count = item.indexCount {
        return Tensor(shape: full, values: (0..<full.elementCount).map { _ in Float(rng.next(below: UInt64(count))) })
    }
    return item.inputShape.count == 1 ? Tensor.randomNormal(full, using: &rng)
        : Tensor.randomUniform(full, lowerBound: -1, upperBound: 1, using: &rng)
}

/// Moves the network away from its initial state: zero parameters get N(0, 0.1) values; three
/// training-mode forwards run SpectralNorm's power iteration (with its initial random u and v,
/// σ = uᵀWv is far from the largest singular value and W/σ huge); then BatchNorm's running
/// statistics become the average of four batches' (far from their initial 0 and 1, so a wrong
/// statistic or epsilon shows).
func perturb(_ item: Case, using rng: inout SeededGenerator) {
    for (_, parameter) in item.network.namedParameters
    where parameter.value.withUnsafeBufferPointer({ $0.allSatisfy { $0 == 0 } }) {
        parameter.value = Tensor.randomNormal(parameter.shape, standardDeviation: 0.1, using: &rng)
    }
    if let classCount = item.classCount { item.network.setClassLabels(labels(16, classCount: classCount)) }
    item.network.isTraining = true
    for _ in 0..<3 { _ = item.network.forward(input(batch: 16, for: item, using: &rng)) }
    recalibrateBatchNormStatistics(of: item.network,
                                   inputs: (0..<4).map { _ in input(batch: 16, for: item, using: &rng) })
    item.network.isTraining = false
}

func write(_ tensor: Tensor, to name: String) throws {
    try tensor.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: directory.appendingPathComponent(name))
}

func write(_ values: [Int], to name: String) throws {
    try values.map { Int64($0).littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) }
        .write(to: directory.appendingPathComponent(name))
}

var listing: [[String: Any]] = []
for item in cases {
    perturb(item, using: &rng)
    let model = try ONNXModel(network: item.network, inputShape: item.inputShape, classCount: item.classCount,
                              producerVersion: "onnx-fixture")
    try model.write(to: directory.appendingPathComponent("\(item.name).onnx"))
    var runs: [[String: Any]] = []
    for batch in item.batches {
        let x = input(batch: batch, for: item, using: &rng)
        let stem = "\(item.name).batch\(batch)"
        var inputs: [[String: Any]] = [["name": model.inputName, "file": "\(stem).input.bin", "dtype": "float32",
                                        "shape": [batch] + item.inputShape]]
        try write(x, to: "\(stem).input.bin")
        if let classCount = item.classCount, let labelsName = model.labelsName {
            let y = labels(batch, classCount: classCount)
            item.network.setClassLabels(y)
            try write(y, to: "\(stem).labels.bin")
            inputs.append(["name": labelsName, "file": "\(stem).labels.bin", "dtype": "int64", "shape": [batch]])
        }
        let output = item.network.forward(x)
        try write(output, to: "\(stem).output.bin")
        runs.append(["batch": batch, "inputs": inputs,
                     "output": ["name": model.outputName, "file": "\(stem).output.bin", "dtype": "float32",
                                "shape": Array(output.shape)]])
    }
    listing.append(["name": item.name, "model": "\(item.name).onnx", "runs": runs])
    print("\(item.name): \(item.inputShape) → \(model.outputShape), batches \(item.batches)")
}
try JSONSerialization.data(withJSONObject: ["cases": listing], options: [.sortedKeys, .prettyPrinted])
    .write(to: directory.appendingPathComponent("cases.json"))
print("wrote \(cases.count) models and cases.json to \(directory.path)")
