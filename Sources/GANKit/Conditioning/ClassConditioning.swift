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
    /// The class index of every sample of the next `forward`, `[N]`, whole numbers as `Float`.
    var classLabels: Tensor { get set }
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

    /// Whether any layer in this tree is a ``ClassConditionedLayer`` (so the network needs labels).
    public var isClassConditioned: Bool {
        if self is any ClassConditionedLayer { return true }
        guard let container = self as? any LayerContainer else { return false }
        return container.children.contains { $0.isClassConditioned }
    }
}
