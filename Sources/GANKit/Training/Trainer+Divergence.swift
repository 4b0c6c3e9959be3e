/// Why training stopped without finishing.
///
/// `description` is one paragraph a user can act on, e.g.
/// `training diverged at step 1234 (epoch 3, batch 17): the discriminator loss is nan;
/// last finite losses at step 1233: D 0.6931, G 1.2345. …`
public enum TrainingError: Error, CustomStringConvertible {
    /// A loss or a parameter became NaN or infinite; training stopped before any
    /// callback saw the step, so checkpoints written by callbacks are the last good ones.
    case diverged(TrainingDivergence)
    /// A run component (``TrainingComponent``) threw, e.g. a checkpoint could not be written;
    /// `component` is its type name.
    case componentFailed(component: String, error: any Error)
    /// A member of the data-parallel group (``Trainer/distribute(over:)``) ended the job,
    /// or this rank could not take rank 0's state.
    case processGroupFailed(ProcessGroupFailure)

    /// What went wrong, where, and what to try.
    public var description: String {
        switch self {
        case .diverged(let divergence): divergence.description
        case .componentFailed(let component, let error): "\(component): \(error)"
        case .processGroupFailed(let failure): failure.description
        }
    }
}

/// Where and how a training run diverged (see ``TrainingError/diverged(_:)``).
public struct TrainingDivergence: Sendable, CustomStringConvertible {
    /// The step (counted from 1, like ``BatchReport/step``) whose result was not finite.
    public var step: Int
    /// The epoch of that step, counted from 0.
    public var epoch: Int
    /// The batch within the epoch, counted from 0, or nil when found by the end-of-epoch check.
    public var batch: Int?
    /// What was not finite, e.g. `"the discriminator loss is nan"` or
    /// `"parameter generator/0.weight holds inf"`.
    public var finding: String
    /// The losses of the last step whose losses were finite in this run, if any.
    public var lastFiniteLosses: (step: Int, discriminator: Float, generator: Float)?
    /// The reports of the steps and epochs this call of `train` completed before diverging.
    public var history: History

    /// Creates a description of a divergence.
    public init(step: Int, epoch: Int, batch: Int?, finding: String,
                lastFiniteLosses: (step: Int, discriminator: Float, generator: Float)?, history: History) {
        self.step = step
        self.epoch = epoch
        self.batch = batch
        self.finding = finding
        self.lastFiniteLosses = lastFiniteLosses
        self.history = history
    }

    /// One paragraph: where, what, the last finite losses, and what to try.
    public var description: String {
        let place = batch.map { "step \(step) (epoch \(epoch + 1), batch \($0 + 1))" }
            ?? "the end of epoch \(epoch + 1) (step \(step))"
        let last = lastFiniteLosses.map { "last finite losses at step \($0.step): D \($0.discriminator), G \($0.generator)" }
            ?? "no step of this run had finite losses"
        return "training diverged at \(place): \(finding); \(last). "
            + "Lower the learning rate or set gradientClipNorm, and resume from the last checkpoint."
    }
}

extension Trainer {
    // MARK: - Finite checks

    /// The first parameter or buffer of either network holding NaN or ±infinity,
    /// with the offending value, or nil when all are finite. Names look like
    /// checkpoint entries: `generator/0.weight`, `discriminator/1.runningVariance`.
    public func firstNonFiniteValue() -> (name: String, value: Float)? {
        for (prefix, network) in [("generator", generator), ("discriminator", discriminator)] {
            let tensors = network.namedParameters.map { ($0.path, $0.parameter.value) }
                + network.namedBuffers.map { ($0.path, $0.buffer.value) }
            for (path, tensor) in tensors {
                if let value = firstNonFinite(tensor) { return ("\(prefix)/\(path)", value) }
            }
        }
        return nil
    }

    /// Throws ``TrainingError/diverged(_:)`` if a parameter or buffer is not finite.
    /// Call it before saving a checkpoint so a broken model never overwrites a good one.
    public func checkParametersFinite() throws(TrainingError) {
        if let divergence = parameterDivergence(history: History()) { throw .diverged(divergence) }
    }

    /// The divergence of a non-finite parameter or buffer, or nil when all are finite.
    func parameterDivergence(history: History) -> TrainingDivergence? {
        guard let (name, value) = firstNonFiniteValue() else { return nil }
        return TrainingDivergence(step: step, epoch: epoch, batch: nil, finding: "parameter \(name) holds \(value)",
                                  lastFiniteLosses: lastFiniteLosses, history: history)
    }

    /// The divergence of a step whose losses are `losses`, or nil when they are finite.
    func divergence(after losses: (discriminator: Float, generator: Float), batch: Int,
                    history: History) -> TrainingDivergence? {
        guard !losses.discriminator.isFinite || !losses.generator.isFinite else { return nil }
        var findings: [String] = []
        if !losses.discriminator.isFinite { findings.append("the discriminator loss is \(losses.discriminator)") }
        if !losses.generator.isFinite { findings.append("the generator loss is \(losses.generator)") }
        if let (name, value) = firstNonFiniteValue() { findings.append("parameter \(name) holds \(value)") }
        return TrainingDivergence(step: step, epoch: epoch, batch: batch, finding: findings.joined(separator: ", "),
                                  lastFiniteLosses: lastFiniteLosses, history: history)
    }

    // MARK: - Gradient clipping

    /// Scales the gradients of `parameters` so that their global L2 norm is at
    /// most `maximumNorm` (PyTorch's `clip_grad_norm_`: factor
    /// `maximumNorm / (norm + 1e-6)` when the norm exceeds `maximumNorm`).
    /// Non-finite norms are left alone: the loss check reports them.
    /// - Returns: the norm before clipping, accumulated in `Double`.
    @discardableResult
    public static func clipGradientNorm(of parameters: [Parameter], to maximumNorm: Float) -> Double {
        require(maximumNorm > 0, "clipGradientNorm: the maximum norm must be positive, got \(maximumNorm)")
        var sum = 0.0
        for parameter in parameters {
            parameter.gradient.withUnsafeBufferPointer { values in
                for value in values { sum += Double(value) * Double(value) }
            }
        }
        let norm = sum.squareRoot()
        guard norm.isFinite, norm > Double(maximumNorm) else { return norm }
        let scale = Float(Double(maximumNorm) / (norm + 1e-6))
        for parameter in parameters {
            parameter.gradient.withUnsafeMutableBufferPointer { values in
                for index in values.indices { values[index] *= scale }
            }
        }
        return norm
    }

}

/// The first NaN or infinite element of `tensor`, if any.
private func firstNonFinite(_ tensor: Tensor) -> Float? {
    tensor.withUnsafeBufferPointer { values in
        // A sum is NaN or infinite when an element is; scan for the element only then.
        var sum: Float = 0
        for value in values { sum += value * 0 }
        guard !sum.isFinite else { return nil }
        return values.first { !$0.isFinite }
    }
}
