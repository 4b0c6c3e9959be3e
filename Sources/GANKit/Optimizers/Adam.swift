import CGANKitKernels
import Foundation

/// Adam: per-parameter step sizes from running averages of the gradient and
/// its square, with bias correction; optionally AdamW's decoupled weight decay.
///
/// From Kingma & Ba, "Adam: A Method for Stochastic Optimization", 2015,
/// <https://arxiv.org/abs/1412.6980>; decoupled weight decay from Loshchilov &
/// Hutter, "Decoupled Weight Decay Regularization", 2019,
/// <https://arxiv.org/abs/1711.05101>. Follows PyTorch's `torch.optim.Adam` and
/// `AdamW` exactly. At step t = 1, 2, … for each element, with gradient g:
///
///     g  ← g + λ·p                       (L2, when weightDecay λ ≠ 0 and not decoupled)
///     p  ← p·(1 − η·λ)                   (AdamW, when decoupled)
///     m  ← β₁·m + (1 − β₁)·g
///     v  ← β₂·v + (1 − β₂)·g²
///     p  ← p − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// Conventions: bias correction is always on (PyTorch, Keras; MLX defaults it
/// off); ε is added *after* the bias-corrected square root, as in PyTorch
/// (TensorFlow adds an "ε hat" before correcting). GANs usually want
/// `learningRate: 2e-4, beta1: 0.5` (Radford et al., DCGAN).
///
/// Each step makes one vectorized pass over each parameter's raw buffers
/// (weight decay, moments and update fused, in C: `gk_adam_update`) and
/// allocates nothing. The Swift loop it replaced took a third of an MLP-GAN step
/// (3 ns per element: scalar SSE2 square root and division). A parameter of at
/// least 65 536 elements per thread is split over the threads in blocks of 16
/// (`AdamUpdateKernel`): the update ran on one core while the other waited
/// (6–12 % of a 2-thread MLP step). It is elementwise, so the split does not
/// change the result.
///
/// State dictionary: `"step"` (see ``Optimizer/stateDictionary()``),
/// `"learningRate"`, and `"m.i"`, `"v.i"` shaped like parameter `i`.
/// Hyper-parameters other than the learning rate are not saved: construct
/// the optimizer with the same settings before loading.
public final class Adam: Optimizer {
    /// The parameters updated by `step()`, in the order their state is stored.
    public let parameters: [Parameter]
    /// The step size η.
    public var learningRate: Float
    /// Decay rate β₁ of the first-moment (mean) estimate.
    public let beta1: Float
    /// Decay rate β₂ of the second-moment (uncentred variance) estimate.
    public let beta2: Float
    /// Added to the denominator for numerical stability.
    public let epsilon: Float
    /// The weight-decay coefficient λ (L2 penalty, or decoupled decay when `decoupledWeightDecay`).
    public let weightDecay: Float
    /// Whether weight decay shrinks the weights directly (AdamW) instead of adding λ·p to the gradient.
    public let decoupledWeightDecay: Bool
    /// The number of steps taken so far (used for bias correction).
    public private(set) var stepCount = 0

    /// First-moment estimates m, one per parameter, same shapes.
    private var firstMoments: [Tensor]
    /// Second-moment estimates v, one per parameter, same shapes.
    private var secondMoments: [Tensor]

    /// Creates an Adam optimizer over `parameters` (PyTorch defaults).
    ///
    /// - Parameters:
    ///   - parameters: The parameters to update, captured now; each must appear once.
    ///   - learningRate: Step size η (default 0.001).
    ///   - beta1: First-moment decay β₁ in [0, 1) (default 0.9; 0.5 for DCGAN).
    ///   - beta2: Second-moment decay β₂ in [0, 1) (default 0.999).
    ///   - epsilon: Denominator term ε ≥ 0 (default 1e-8).
    ///   - weightDecay: λ ≥ 0 (default 0).
    ///   - decoupledWeightDecay: `true` for AdamW's `p ← p·(1 − η·λ)`; `false`
    ///     (default) for the L2 form `g ← g + λ·p`.
    public init(parameters: [Parameter], learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        require(learningRate >= 0, "Adam: learningRate must be ≥ 0, got \(learningRate)")
        require(beta1 >= 0 && beta1 < 1, "Adam: beta1 must lie in [0, 1), got \(beta1)")
        require(beta2 >= 0 && beta2 < 1, "Adam: beta2 must lie in [0, 1), got \(beta2)")
        require(epsilon >= 0, "Adam: epsilon must be ≥ 0, got \(epsilon)")
        require(weightDecay >= 0, "Adam: weightDecay must be ≥ 0, got \(weightDecay)")
        checkDistinctParameters(parameters, optimizer: "Adam")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = parameters.map { Tensor(zeros: $0.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.shape) }
    }

    // MARK: - Update

    /// Applies one Adam update to every parameter from its current gradient.
    /// - Precondition: each gradient has its parameter's shape.
    public func step() {
        stepCount += 1
        // Scalars in Double, as PyTorch computes them in Python floats.
        let t = Double(stepCount)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
        let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
        let l2 = decoupledWeightDecay ? 0 : weightDecay
        let shrink = decoupledWeightDecay ? Float(1 - Double(learningRate) * Double(weightDecay)) : 1
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)

        for index in parameters.indices {
            let parameter = parameters[index]
            checkGradientShape(parameter, index: index, optimizer: "Adam")
            // Buffers: p, g, m, v all have parameter.value.count elements; one fused
            // vectorized pass (gk_adam_update: AVX-512/AVX2/baseline chosen at run time),
            // split over the threads for large tensors (elementwise, so the split
            // does not change the result).
            parameter.gradient.withUnsafeBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { p in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            let kernel = AdamUpdateKernel(
                                p: SendablePointer(p.baseAddress!), g: SendablePointer(g.baseAddress!),
                                m: SendablePointer(m.baseAddress!), v: SendablePointer(v.baseAddress!), count: p.count,
                                beta1: beta1, beta2: beta2, stepSize: stepSize, correction2: correction2,
                                epsilon: epsilon, l2: l2, shrink: shrink)
                            parallelFor(kernel.blockCount, minimumChunk: AdamUpdateKernel.minimumBlocksPerThread,
                                        chunksPerThread: balancedChunksPerThread, kernel)
                        }
                    }
                }
            }
        }
    }

    // MARK: - State

    /// `"step"`, `"learningRate"`, and the moments `"m.i"`, `"v.i"` (copies).
    public func stateDictionary() -> [String: Tensor] {
        var state: [String: Tensor] = ["step": encodeStepCount(stepCount), "learningRate": Tensor([learningRate])]
        addPerParameterState(&state, prefix: "m", tensors: firstMoments.map(independentCopy))
        addPerParameterState(&state, prefix: "v", tensors: secondMoments.map(independentCopy))
        return state
    }

    /// Restores `"step"`, `"learningRate"` and the moments saved by `stateDictionary()`.
    /// - Throws: ``OptimizerStateError`` (the optimizer is then unchanged).
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        var shapes = commonStateShapes
        addPerParameterShapes(&shapes, prefix: "m", parameters: parameters)
        addPerParameterShapes(&shapes, prefix: "v", parameters: parameters)
        let step = try validateOptimizerState(state, expected: shapes, optimizer: "Adam")
        let rate = try savedLearningRate(from: state, optimizer: "Adam")
        stepCount = step
        learningRate = rate
        for index in parameters.indices {
            copyElements(from: state["m.\(index)"]!, into: &firstMoments[index])
            copyElements(from: state["v.\(index)"]!, into: &secondMoments[index])
        }
    }
}

/// Adam's fused update (`gk_adam_update`) over blocks of 16 elements of one
/// parameter tensor, so `parallelFor` can split a large tensor over the threads.
private struct AdamUpdateKernel: ParallelKernel {
    /// Elements per block: one AVX-512 vector, so every chunk but the last starts aligned.
    static let blockSize = 16
    /// Below 4 096 blocks (65 536 elements) per thread a split costs more than it saves.
    static let minimumBlocksPerThread = 4096
    let p: SendablePointer<Float>, g: SendablePointer<Float>, m: SendablePointer<Float>, v: SendablePointer<Float>
    let count: Int
    let beta1: Float, beta2: Float, stepSize: Float, correction2: Float, epsilon: Float, l2: Float, shrink: Float

    var blockCount: Int { (count + Self.blockSize - 1) / Self.blockSize }

    func run(_ blocks: Range<Int>) {
        let start = blocks.lowerBound * Self.blockSize, end = min(count, blocks.upperBound * Self.blockSize)
        gk_adam_update(p.pointer + start, g.pointer + start, m.pointer + start, v.pointer + start, end - start,
                       beta1, beta2, stepSize, correction2, epsilon, l2, shrink)
    }
}
