/// AdamW: Adam with decoupled weight decay, PyTorch's `torch.optim.AdamW`.
///
/// A thin wrapper around ``Adam`` with `decoupledWeightDecay: true` and
/// PyTorch's AdamW default λ = 0.01, so code reads like the paper and the
/// PyTorch call it was ported from. (A wrapper rather than a subclass because
/// ``Adam`` is `final`; a factory returning `Adam` would hide the name.) Each step:
///
///     p ← p·(1 − η·λ)
///     then the Adam update of p from the (undecayed) gradient
///
/// From Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019,
/// <https://arxiv.org/abs/1711.05101>. Its state dictionary has the same keys
/// as ``Adam``'s, so state moves freely between `AdamW(…)` and
/// `Adam(…, decoupledWeightDecay: true)`.
///
/// ```swift
/// let optimizer = AdamW(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5)
/// ```
public final class AdamW: Optimizer {
    /// The `Adam` instance doing the work (decoupled weight decay on).
    public let adam: Adam

    /// Creates an AdamW optimizer over `parameters` (PyTorch `AdamW` defaults).
    ///
    /// - Parameters:
    ///   - parameters: The parameters to update, captured now; each must appear once.
    ///   - learningRate: Step size η (default 0.001).
    ///   - beta1: First-moment decay β₁ in [0, 1) (default 0.9).
    ///   - beta2: Second-moment decay β₂ in [0, 1) (default 0.999).
    ///   - epsilon: Denominator term ε ≥ 0 (default 1e-8).
    ///   - weightDecay: Decoupled decay λ ≥ 0 (default 0.01, as PyTorch's AdamW).
    public init(parameters: [Parameter], learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        adam = Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                    epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// The parameters updated by `step()`, in the order their state is stored.
    public var parameters: [Parameter] { adam.parameters }

    /// The step size η.
    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }

    /// The decoupled weight-decay coefficient λ.
    public var weightDecay: Float { adam.weightDecay }

    /// The number of steps taken so far.
    public var stepCount: Int { adam.stepCount }

    /// Applies one AdamW update (see ``Adam/step()``).
    public func step() { adam.step() }

    /// The same dictionary as ``Adam/stateDictionary()``.
    public func stateDictionary() -> [String: Tensor] { adam.stateDictionary() }

    /// Restores a dictionary saved by `AdamW` or `Adam` (see ``Adam/loadStateDictionary(_:)``).
    /// - Throws: ``OptimizerStateError`` naming the offending key.
    public func loadStateDictionary(_ state: [String: Tensor]) throws { try adam.loadStateDictionary(state) }
}
