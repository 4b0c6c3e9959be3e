/// A layer whose output depends on each sample's class, given apart from its input.
///
/// A conditional GAN's networks take two inputs, noise (or an image) and a
/// class label, while a `Layer` takes one tensor. GANKit keeps the one-input
/// contract: the labels of the next forward are *set* on the network with
/// ``Layer/setClassLabels(_:)``, which hands them to every class-conditioned
/// layer inside it (``ConcatenateClassEmbedding`` is the built-in one). The
/// ``Trainer`` does this before every forward of a conditional model.
///
/// A conforming layer reads ``classLabels`` in `forward`, and must stop with a
/// message naming both sizes when their count differs from the batch size.
public protocol ClassConditionedLayer: Layer {
    /// The number of classes the layer knows (labels are `0..<classCount`).
    var classCount: Int { get }
    /// The class index of every sample of the next `forward`, `[N]`, whole numbers as `Float`.
    var classLabels: Tensor { get set }
}

extension ClassConditionedLayer {
    /// Stops, naming `layer` and both sizes, unless ``classLabels`` holds one label per sample of `shape`.
    func requireClassLabels(forInput shape: TensorShape, layer: @autoclosure () -> String) {
        require(classLabels.rank == 1 && classLabels.shape[0] == shape[0],
                "\(layer()): expected class labels [\(shape[0])] for input \(shape), got \(classLabels.shape); "
                   + "call setClassLabels before forward")
    }
}

extension Layer {
    /// Hands `labels` `[N]` (class indices as `Float`) to every ``ClassConditionedLayer``
    /// in this layer's tree, for the next forward. Does nothing for an unconditional network.
    public func setClassLabels(_ labels: Tensor) {
        if let conditioned = self as? any ClassConditionedLayer { conditioned.classLabels = labels }
        if let container = self as? any LayerContainer {
            for child in container.children { child.setClassLabels(labels) }
        }
    }

    /// Hands integer class indices (`labels.count` = the next batch's size, e.g. from
    /// ``ImageDataset/labels``) to every ``ClassConditionedLayer`` in this tree, as
    /// `setClassLabels(Tensor(classIndices: labels))` does.
    /// - Precondition: every index is ≥ 0.
    public func setClassLabels(_ labels: [Int]) {
        setClassLabels(Tensor(classIndices: labels))
    }

    /// Whether any layer in this tree is a ``ClassConditionedLayer`` (so the network needs labels).
    public var isClassConditioned: Bool { conditioningClassCount != nil }

    /// The class count of the first ``ClassConditionedLayer`` in this tree, or nil when there is none.
    public var conditioningClassCount: Int? {
        if let conditioned = self as? any ClassConditionedLayer { return conditioned.classCount }
        guard let container = self as? any LayerContainer else { return nil }
        for child in container.children {
            if let count = child.conditioningClassCount { return count }
        }
        return nil
    }
}

/// How the model builders (``MLPGAN``, ``DCGAN``) make a conditional GAN.
///
/// The generator starts with a ``ConcatenateClassEmbedding`` of `classCount`
/// learned vectors of length `embeddingDimension`, appended to the noise. The
/// discriminator either does the same with the image (``DiscriminatorConditioning/concatenation``:
/// appended to the flattened image, or as constant planes for the DCGAN), or
/// ends in a ``ClassProjectionOutput`` (``DiscriminatorConditioning/projection``).
public struct ClassConditioning: Sendable, Hashable {
    /// Where the discriminator sees the label.
    public enum DiscriminatorConditioning: Sendable, Hashable {
        /// A class vector appended to the input (Mirza & Osindero 2014).
        case concatenation
        /// A projection of the last features onto a class vector (Miyato & Koyama 2018).
        case projection
    }

    /// Number of classes (10 for MNIST).
    public var classCount: Int
    /// Length of each class vector given to the generator (and to a concatenating discriminator).
    public var embeddingDimension: Int
    /// Where the discriminator sees the label.
    public var discriminator: DiscriminatorConditioning

    /// Conditioning on `classCount` classes with vectors of length `embeddingDimension`.
    public init(classCount: Int, embeddingDimension: Int = 10, discriminator: DiscriminatorConditioning = .concatenation) {
        require(classCount >= 1 && embeddingDimension >= 1,
                "ClassConditioning: classCount and embeddingDimension must be positive, got \(classCount), \(embeddingDimension)")
        self.classCount = classCount
        self.embeddingDimension = embeddingDimension
        self.discriminator = discriminator
    }

    /// Input features the discriminator's first layer gets on top of the image's.
    var discriminatorInputExtra: Int { discriminator == .concatenation ? embeddingDimension : 0 }

    /// The ten digit classes of MNIST, vectors of length 10.
    public static let digits = ClassConditioning(classCount: 10)

    func makeLayer(using generator: inout SeededGenerator) -> ConcatenateClassEmbedding {
        ConcatenateClassEmbedding(classCount: classCount, dimension: embeddingDimension, using: &generator)
    }
}
