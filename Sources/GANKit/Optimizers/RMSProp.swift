/// RMSProp: divides each gradient by a running root-mean-square of recent
/// gradients; optionally centred and with momentum, with PyTorch's
/// `torch.optim.RMSprop` semantics.
///
/// From Hinton's Coursera lecture 6e (2012),
/// <https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf>;
/// the centred form from Graves, 2013, <https://arxiv.org/abs/1308.0850>.
/// For each element, with gradient g, smoothing α, momentum μ, weight decay λ:
///
///     g ← g + λ·p                          (when λ ≠ 0)
///     s ← α·s + (1 − α)·g²
///     a ← α·a + (1 − α)·g                  (centred only)
///     r ← √(s − a²) + ε  if centred,  else  r ← √s + ε
///     b ← μ·b + g / r;   p ← p − η·b       (when μ > 0)
///     p ← p − η·g / r                      (when μ = 0)
///
/// All state starts at zero. Conventions: ε is added outside the square root
/// (PyTorch; Keras and TensorFlow add it inside); `alpha` is PyTorch's name for
/// what Keras calls `rho`. One deliberate difference from PyTorch: in the
/// centred form `s − a²` is clamped at 0 before the square root, because
/// rounding can make it a tiny negative number and PyTorch then yields NaN;
/// results are otherwise identical. WGAN (Arjovsky et al.) trains with
/// RMSProp at `learningRate: 5e-5`.
///
/// One pass per parameter over raw buffers, no allocation per step.
///
/// State dictionary: `"step"`, `"learningRate"`, `"squareAverage.i"`, and
/// when used `"gradientAverage.i"` (centred) and `"momentum.i"` (μ > 0).
public final class RMSProp: Optimizer {
    /// The parameters updated by `step()`, in the order their state is stored.
    public let parameters: [Parameter]
    /// The step size η.
    public var learningRate: Float
    /// The smoothing constant α of the running averages (Keras: `rho`).
    public let alpha: Float
    /// Added to the root-mean-square for numerical stability.
    public let epsilon: Float
    /// The momentum factor μ (0 for none).
    public let momentum: Float
    /// Whether to normalise by the estimated variance rather than the mean square.
    public let centered: Bool
    /// The L2 weight-decay coefficient λ, added to the gradient as λ·p.
    public let weightDecay: Float
    /// The number of steps taken so far.
    public private(set) var stepCount = 0

    /// Running mean squares s, one per parameter.
    private var squareAverages: [Tensor]
    /// Running means a, one per parameter (empty unless `centered`).
    private var gradientAverages: [Tensor]
    /// Momentum buffers b, one per parameter (empty unless `momentum > 0`).
    private var momentumBuffers: [Tensor]

    /// Creates an RMSProp optimizer over `parameters` (PyTorch defaults).
    ///
    /// - Parameters:
    ///   - parameters: The parameters to update, captured now; each must appear once.
    ///   - learningRate: Step size η ≥ 0 (default 0.01).
    ///   - alpha: Smoothing constant α in [0, 1) (default 0.99).
    ///   - epsilon: ε ≥ 0 (default 1e-8).
    ///   - momentum: μ ≥ 0 (default 0).
    ///   - centered: Normalise by an estimate of the variance (default `false`).
    ///   - weightDecay: L2 coefficient λ ≥ 0 (default 0).
    public init(parameters: [Parameter], learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
                momentum: Float = 0, centered: Bool = false, weightDecay: Float = 0) {
        require(learningRate >= 0, "RMSProp: learningRate must be ≥ 0, got \(learningRate)")
        require(alpha >= 0 && alpha < 1, "RMSProp: alpha must lie in [0, 1), got \(alpha)")
        require(epsilon >= 0, "RMSProp: epsilon must be ≥ 0, got \(epsilon)")
        require(momentum >= 0, "RMSProp: momentum must be ≥ 0, got \(momentum)")
        require(weightDecay >= 0, "RMSProp: weightDecay must be ≥ 0, got \(weightDecay)")
        checkDistinctParameters(parameters, optimizer: "RMSProp")
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        squareAverages = parameters.map { Tensor(zeros: $0.shape) }
        gradientAverages = centered ? parameters.map { Tensor(zeros: $0.shape) } : []
        momentumBuffers = momentum > 0 ? parameters.map { Tensor(zeros: $0.shape) } : []
    }

    // MARK: - Update

    /// Applies one RMSProp update to every parameter from its current gradient.
    /// - Precondition: each gradient has its parameter's shape.
    public func step() {
        stepCount += 1
        let (learningRate, alpha, epsilon, momentum, weightDecay) = (learningRate, alpha, epsilon, momentum, weightDecay)

        for index in parameters.indices {
            let parameter = parameters[index]
            checkGradientShape(parameter, index: index, optimizer: "RMSProp")
            // Buffers: p, g, s (and a, b when used) all have parameter.value.count elements.
            // Unused optional state (a without `centered`, b without momentum) arrives as nil,
            // so one loop serves all four configurations.
            parameter.gradient.withUnsafeBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    squareAverages[index].withUnsafeMutableBufferPointer { s in
                        withOptionalState(&gradientAverages, index) { a in
                            withOptionalState(&momentumBuffers, index) { b in
                                for i in 0..<p.count {
                                    var gi = g[i]
                                    if weightDecay != 0 { gi += weightDecay * p[i] }
                                    let si = alpha * s[i] + (1 - alpha) * gi * gi
                                    s[i] = si
                                    var meanSquare = si
                                    if let a {
                                        let ai = alpha * a[i] + (1 - alpha) * gi
                                        a[i] = ai
                                        meanSquare = max(si - ai * ai, 0)
                                    }
                                    let rms = meanSquare.squareRoot() + epsilon
                                    if let b {
                                        let bi = momentum * b[i] + gi / rms
                                        b[i] = bi
                                        p[i] -= learningRate * bi
                                    } else {
                                        p[i] -= learningRate * (gi / rms)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - State

    /// `"step"`, `"learningRate"`, `"squareAverage.i"`, and when used
    /// `"gradientAverage.i"` and `"momentum.i"` (copies).
    public func stateDictionary() -> [String: Tensor] {
        var state: [String: Tensor] = ["step": encodeStepCount(stepCount), "learningRate": Tensor([learningRate])]
        addPerParameterState(&state, prefix: "squareAverage", tensors: squareAverages.map(independentCopy))
        addPerParameterState(&state, prefix: "gradientAverage", tensors: gradientAverages.map(independentCopy))
        addPerParameterState(&state, prefix: "momentum", tensors: momentumBuffers.map(independentCopy))
        return state
    }

    /// Restores the state saved by `stateDictionary()`.
    /// - Throws: ``OptimizerStateError`` (the optimizer is then unchanged).
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        var shapes = commonStateShapes
        addPerParameterShapes(&shapes, prefix: "squareAverage", parameters: parameters)
        if centered { addPerParameterShapes(&shapes, prefix: "gradientAverage", parameters: parameters) }
        if momentum > 0 { addPerParameterShapes(&shapes, prefix: "momentum", parameters: parameters) }
        let step = try validateOptimizerState(state, expected: shapes, optimizer: "RMSProp")
        let rate = try savedLearningRate(from: state, optimizer: "RMSProp")
        stepCount = step
        learningRate = rate
        for index in parameters.indices {
            copyElements(from: state["squareAverage.\(index)"]!, into: &squareAverages[index])
        }
        for index in gradientAverages.indices {
            copyElements(from: state["gradientAverage.\(index)"]!, into: &gradientAverages[index])
        }
        for index in momentumBuffers.indices {
            copyElements(from: state["momentum.\(index)"]!, into: &momentumBuffers[index])
        }
    }
}

/// Calls `body` with writable elements of `tensors[index]`, or with `nil` when
/// `tensors` is empty (state the configuration does not use).
private func withOptionalState<R>(_ tensors: inout [Tensor], _ index: Int,
                                  _ body: (UnsafeMutableBufferPointer<Float>?) -> R) -> R {
    if tensors.isEmpty { return body(nil) }
    return tensors[index].withUnsafeMutableBufferPointer { body($0) }
}
