/// Hands a step's class labels to the class-conditioned layers of a ``Trainer``'s networks.
///
/// A conditional network reads its labels from its ``ClassConditionedLayer``s, set
/// before each forward with ``Layer/setClassLabels(_:)``. The trainer generates fakes
/// for the classes of the real batch, so one set of labels serves the whole step:
/// ``feed(_:batchSize:)`` gives them to both networks, and ``refeedDiscriminator()``
/// gives them to D again before the generator update (a gradient penalty may have run
/// D on other inputs in between). Unconditional models pass no labels and nothing happens.
struct ClassLabelFeed {
    /// Whether either network holds a ``ClassConditionedLayer``.
    let isConditional: Bool
    private let generator: any Layer
    private let discriminator: any Layer
    /// The labels of the current step, `[N]`.
    private var current = Tensor.empty

    init(generator: any Layer, discriminator: any Layer) {
        self.generator = generator
        self.discriminator = discriminator
        isConditional = generator.isClassConditioned || discriminator.isClassConditioned
    }

    /// Gives `labels` to both networks, checking they are given exactly when needed.
    mutating func feed(_ labels: Tensor?, batchSize: Int) {
        guard isConditional else {
            require(labels == nil, "Trainer: class labels given, but neither network is class-conditioned")
            return
        }
        guard let labels else {
            requirementFailed("Trainer: the model is class-conditioned; pass the batch's labels [\(batchSize)]")
        }
        require(labels.shape == [batchSize], "Trainer: expected class labels [\(batchSize)] for the batch, got \(labels.shape)")
        current = labels
        generator.setClassLabels(labels)
        discriminator.setClassLabels(labels)
    }

    /// Gives the current step's labels to the discriminator again.
    func refeedDiscriminator() {
        if isConditional { discriminator.setClassLabels(current) }
    }
}
