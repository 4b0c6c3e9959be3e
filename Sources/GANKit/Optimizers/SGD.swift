/// Stochastic gradient descent with optional momentum, Nesterov momentum and
/// L2 weight decay, with PyTorch's `torch.optim.SGD` semantics.
///
/// For each element, with gradient g, momentum μ, weight decay λ, learning rate η:
///
///     g ← g + λ·p                    (when λ ≠ 0)
///     b ← g                          (first step: buffer initialised to the gradient)
///     b ← μ·b + g                    (later steps; dampening 0)
///     d ← g + μ·b   if nesterov,  else  d ← b      (d ← g when μ = 0)
///     p ← p − η·d
///
/// Conventions: PyTorch's form, where the learning rate multiplies the buffer
/// (`p ← p − η·b`); Sutskever et al. and Keras accumulate `b ← μ·b − η·g`
/// instead, which differs when η changes during training. Dampening is 0.
/// Nesterov follows PyTorch's reformulation (Sutskever et al., 2013,
/// <http://proceedings.mlr.press/v28/sutskever13.html>).
///
/// One pass per parameter over raw buffers, no allocation per step.
///
/// State dictionary: `"step"`, `"learningRate"`, and with momentum the
/// buffers `"momentum.i"` shaped like parameter `i` (meaningful once `step > 0`).
public final class SGD: Optimizer {
    /// The parameters updated by `step()`, in the order their state is stored.
    public let parameters: [Parameter]
    /// The step size η.
    public var learningRate: Float
    /// The momentum factor μ (0 for plain SGD).
    public let momentum: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// The L2 weight-decay coefficient λ, added to the gradient as λ·p.
    public let weightDecay: Float
    /// The number of steps taken so far (0 means momentum buffers are not yet initialised).
    public private(set) var stepCount = 0

    /// Momentum buffers b, one per parameter (empty when `momentum == 0`).
    private var momentumBuffers: [Tensor]

    /// Creates an SGD optimizer over `parameters`.
    ///
    /// - Parameters:
    ///   - parameters: The parameters to update, captured now; each must appear once.
    ///   - learningRate: Step size η ≥ 0.
    ///   - momentum: μ ≥ 0 (default 0).
    ///   - nesterov: Use Nesterov momentum (default `false`); requires μ > 0.
    ///   - weightDecay: L2 coefficient λ ≥ 0 (default 0).
    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0) {
        require(learningRate >= 0, "SGD: learningRate must be ≥ 0, got \(learningRate)")
        require(momentum >= 0, "SGD: momentum must be ≥ 0, got \(momentum)")
        require(!nesterov || momentum > 0, "SGD: nesterov requires momentum > 0, got \(momentum)")
        require(weightDecay >= 0, "SGD: weightDecay must be ≥ 0, got \(weightDecay)")
        checkDistinctParameters(parameters, optimizer: "SGD")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        momentumBuffers = momentum == 0 ? [] : parameters.map { Tensor(zeros: $0.shape) }
    }

    // MARK: - Update

    /// Applies one SGD update to every parameter from its current gradient.
    /// - Precondition: each gradient has its parameter's shape.
    public func step() {
        let isFirstStep = stepCount == 0
        stepCount += 1
        let (learningRate, momentum, nesterov, weightDecay) = (learningRate, momentum, nesterov, weightDecay)

        for index in parameters.indices {
            let parameter = parameters[index]
            checkGradientShape(parameter, index: index, optimizer: "SGD")
            // Buffers: p, g (and b) all have parameter.value.count elements.
            parameter.gradient.withUnsafeBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    if momentum == 0 {
                        for i in 0..<p.count {
                            var d = g[i]
                            if weightDecay != 0 { d += weightDecay * p[i] }
                            p[i] -= learningRate * d
                        }
                        return
                    }
                    momentumBuffers[index].withUnsafeMutableBufferPointer { b in
                        for i in 0..<p.count {
                            var d = g[i]
                            if weightDecay != 0 { d += weightDecay * p[i] }
                            let bi = isFirstStep ? d : momentum * b[i] + d
                            b[i] = bi
                            d = nesterov ? d + momentum * bi : bi
                            p[i] -= learningRate * d
                        }
                    }
                }
            }
        }
    }

    // MARK: - State

    /// `"step"`, `"learningRate"`, and with momentum `"momentum.i"` (copies).
    public func stateDictionary() -> [String: Tensor] {
        var state: [String: Tensor] = ["step": encodeStepCount(stepCount), "learningRate": Tensor([learningRate])]
        addPerParameterState(&state, prefix: "momentum", tensors: momentumBuffers.map(independentCopy))
        return state
    }

    /// Restores `"step"`, `"learningRate"` and the momentum buffers saved by `stateDictionary()`.
    /// - Throws: ``OptimizerStateError`` (the optimizer is then unchanged).
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        var shapes = commonStateShapes
        if momentum != 0 { addPerParameterShapes(&shapes, prefix: "momentum", parameters: parameters) }
        let step = try validateOptimizerState(state, expected: shapes, optimizer: "SGD")
        let rate = try savedLearningRate(from: state, optimizer: "SGD")
        stepCount = step
        learningRate = rate
        for index in momentumBuffers.indices {
            copyElements(from: state["momentum.\(index)"]!, into: &momentumBuffers[index])
        }
    }
}
