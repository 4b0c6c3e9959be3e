import Foundation

/// A small convolutional digit classifier built from GANKit layers: the
/// feature network behind the sample-quality metrics.
///
/// For MNIST-like data the standard Inception features are a poor fit (they
/// were trained on 299×299 photographs); TF-GAN's *classifier score* and
/// *Fréchet classifier distance* use a classifier trained on the domain
/// instead, and so does GANKit. Images `[N, 1, 28, 28]` in [−1, 1] (the range
/// of the data loaders and of a tanh generator):
///
/// | layer | output |
/// | --- | --- |
/// | `Conv2D(1 → 32, k3, p1)`, `ReLU` | `[N, 32, 28, 28]` |
/// | `Conv2D(32 → 64, k4, s2, p1)`, `ReLU` | `[N, 64, 14, 14]` |
/// | `Conv2D(64 → 64, k4, s2, p1)`, `ReLU` | `[N, 64, 7, 7]` |
/// | `Flatten`, `Dense(3136 → 128)`, `ReLU` | `[N, 128]` **features** |
/// | `Dropout(0.2)` (training only), `Dense(128 → 10)` | `[N, 10]` logits |
///
/// 501 k parameters (a 2.0 MB checkpoint). The weights shipped in
/// `Examples/Data/Classifier/mnist-classifier.gankit` are reproduced by
/// `swift run -c release train-classifier`; they reach 99.27 % on the MNIST
/// test set (see `Docs/Evaluation.md`).
///
/// ```swift
/// let classifier = try MNISTClassifier(contentsOf: checkpointURL)
/// let (features, logits) = classifier.outputs(images)   // [N, 128], [N, 10]
/// ```
public final class MNISTClassifier {
    /// The number of classes (digits).
    public static let classCount = 10
    /// The length of a feature vector (the penultimate activations).
    public static let featureDimension = 128
    /// The shape of one input image.
    public static let imageShape: TensorShape = [1, 28, 28]
    /// The checkpoint prefix of the weights (`classifier/0.0.weight`, …).
    public static let checkpointPrefix = "classifier"

    /// Images `[N, 1, 28, 28]` → features `[N, 128]` (after the last ReLU).
    public let featureExtractor: Sequential
    /// Features `[N, 128]` → logits `[N, 10]`.
    public let head: Sequential
    /// `featureExtractor` followed by `head`: the network that is trained.
    public let network: Sequential

    /// Builds the network with fresh weights (PyTorch's default initialisation).
    /// - Parameter generator: draws the weights and the dropout seed.
    public init(using generator: inout SeededGenerator) {
        featureExtractor = Sequential {
            Conv2D(1, 32, kernelSize: 3, padding: 1, using: &generator)
            ReLU()
            Conv2D(32, 64, kernelSize: 4, stride: 2, padding: 1, using: &generator)
            ReLU()
            Conv2D(64, 64, kernelSize: 4, stride: 2, padding: 1, using: &generator)
            ReLU()
            Flatten()
            Dense(64 * 7 * 7, Self.featureDimension, weightInitializer: .pytorchDefault, using: &generator)
            ReLU()
        }
        head = Sequential {
            Dropout(rate: 0.2, seed: generator.next())
            Dense(Self.featureDimension, Self.classCount, weightInitializer: .pytorchDefault, using: &generator)
        }
        network = Sequential([featureExtractor, head])
    }

    /// Loads a classifier saved with ``makeCheckpoint()`` (e.g. the bundled
    /// `Examples/Data/Classifier/mnist-classifier.gankit`).
    /// - Throws: ``CheckpointError`` when the file is unreadable or does not hold this architecture.
    public convenience init(contentsOf url: URL) throws {
        var generator = SeededGenerator(seed: 0)
        self.init(using: &generator)
        try restore(from: Checkpoint.read(from: url))
    }

    /// A checkpoint holding the weights under ``checkpointPrefix``.
    public func makeCheckpoint() -> Checkpoint {
        var checkpoint = Checkpoint()
        checkpoint.store(network, as: Self.checkpointPrefix)
        return checkpoint
    }

    /// Restores weights saved by ``makeCheckpoint()``.
    /// - Throws: ``CheckpointError`` naming the first missing or mismatched entry; nothing changes then.
    public func restore(from checkpoint: Checkpoint) throws {
        try checkpoint.restore(network, from: Self.checkpointPrefix)
    }

    // MARK: - Inference

    /// Features and logits of `images`, in inference mode, `batchSize` images at a time.
    ///
    /// - Parameters:
    ///   - images: `[N, 1, 28, 28]` in [−1, 1].
    ///   - batchSize: Images per forward pass (bounds the memory of the convolutions).
    /// - Returns: features `[N, 128]` and logits `[N, 10]`.
    /// - Precondition: `images` has shape `[N, 1, 28, 28]`.
    public func outputs(_ images: Tensor, batchSize: Int = 500) -> (features: Tensor, logits: Tensor) {
        require(images.rank == 4 && TensorShape(images.shape.dropFirst()) == Self.imageShape,
                "MNISTClassifier: expected images [N, 1, 28, 28], got \(images.shape)")
        require(batchSize >= 1, "MNISTClassifier: batchSize must be ≥ 1, got \(batchSize)")
        let wasTraining = network.isTraining
        network.isTraining = false
        defer { network.isTraining = wasTraining }
        let n = images.shape[0]
        var features = Tensor(zeros: [n, Self.featureDimension])
        var logits = Tensor(zeros: [n, Self.classCount])
        var start = 0
        while start < n {
            let range = start..<min(start + batchSize, n)
            let batchFeatures = featureExtractor.forward(images.slice(range))
            let batchLogits = head.forward(batchFeatures)
            copyRows(batchFeatures, into: &features, at: start)
            copyRows(batchLogits, into: &logits, at: start)
            start = range.upperBound
        }
        return (features, logits)
    }

    /// The fraction of `images` whose arg-max prediction equals `labels`.
    /// - Precondition: one label per image.
    public func accuracy(images: Tensor, labels: [Int]) -> Double {
        require(labels.count == images.shape[0], "MNISTClassifier: \(labels.count) labels for \(images.shape[0]) images")
        let predicted = ClassHistogram.argMax(outputs(images).logits)
        let correct = zip(predicted, labels).filter { $0 == $1 }.count
        return Double(correct) / Double(max(labels.count, 1))
    }
}

/// Copies the rows of `source` into `destination` starting at row `row` (same row length).
private func copyRows(_ source: Tensor, into destination: inout Tensor, at row: Int) {
    let width = destination.shape.elementsPerItem
    source.withUnsafeBufferPointer { from in
        destination.withUnsafeMutableBufferPointer { to in
            _ = UnsafeMutableBufferPointer(rebasing: to[(row * width)..<(row * width + from.count)]).update(fromContentsOf: from)
        }
    }
}
