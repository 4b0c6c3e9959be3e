/// A penalty on the norm of the discriminator's gradient with respect to its
/// input, added to the discriminator's loss at every update, or at one update in
/// every ``interval`` (lazy regularisation, see there).
///
/// - **WGAN-GP** (Gulrajani et al. 2017, <https://arxiv.org/abs/1704.00028>):
///   `λ · mean_i (‖∇ₓD(x̂_i)‖ − 1)²` at random interpolates
///   `x̂_i = ε_i x_i + (1 − ε_i) G(z_i)`, `ε_i ~ U[0, 1]`; keeps a Wasserstein
///   critic close to 1-Lipschitz. Use with ``WassersteinGAN``, 5 critic steps
///   and Adam(1e-4, β 0 / 0.9), as in the paper.
/// - **R1** (Mescheder et al. 2018, <https://arxiv.org/abs/1801.04406>):
///   `γ/2 · mean_i ‖∇ₓD(x_i)‖²` on real data; stabilises any objective.
///
/// **How the second derivative is computed.** The penalty's gradient with
/// respect to the discriminator's weights θ needs the mixed derivative
/// ∇θ(uᵀ∇ₓD), where `u` is the penalty's derivative with respect to the input
/// gradient. That is the derivative of ∇θD along `u`, which a central
/// difference of two ordinary backward passes gives:
///
///     ∇θ(uᵀ∇ₓD(x)) ≈ [∇θD(x + δu) − ∇θD(x − δu)] / 2δ
///
/// so it works for any layer that implements the ordinary `Layer` contract
/// (custom layers included), costs three extra forward/backward passes of the
/// discriminator per update, and is exact up to rounding wherever D is
/// piecewise linear in its input between the two points (ReLU/LeakyReLU
/// networks); for smooth activations the error is O(δ²). When every layer of
/// the discriminator treats samples independently (no BatchNorm), each sample
/// gets its own `δ`, so that its perturbation has size ``finiteDifferenceStep``:
/// a sample's contribution then depends on that sample alone, and a batch split
/// over the ranks of a data-parallel job gets the gradient one process gets for
/// the whole batch. With BatchNorm in the critic the batch is perturbed as a whole
/// (one `δ`, giving the perturbation root-mean-square size ``finiteDifferenceStep``
/// per sample), so the result is the derivative of the batch's function, as
/// double backpropagation would give. Dropout masks and BatchNorm running
/// statistics are the same in all passes (restored between them). The tests compare it with
/// the closed-form gradient of small networks (see `Docs/WGAN-GP.md` for the
/// measured accuracy).
public struct GradientPenalty: Sendable, Equatable {
    /// Where the penalty is evaluated, and what it penalises.
    public enum Kind: Sendable, Equatable {
        /// WGAN-GP: `(‖∇ₓD‖ − target)²` at random interpolates between real and fake samples.
        case interpolates(target: Float)
        /// R1: `‖∇ₓD‖²` on real samples.
        case realData
    }

    /// Where and what.
    public var kind: Kind
    /// The factor: λ for WGAN-GP, γ/2 for R1.
    public var weight: Float
    /// Root-mean-square size, per sample, of the input perturbation of the
    /// central difference (see above). The default suits inputs in [−1, 1].
    public var finiteDifferenceStep: Float = 1e-2
    /// Lazy regularisation (Karras et al. 2020, StyleGAN2 §3.1,
    /// <https://arxiv.org/abs/1912.04958>): the ``Trainer`` computes the penalty at
    /// one discriminator update in every `interval` (updates 0, k, 2k, … of
    /// ``Trainer/discriminatorUpdates``) with its weight multiplied by `interval`,
    /// so its gradient per update is the same on average for 1/`interval` of the
    /// cost. The scaled gradient joins that update's own gradient (no extra
    /// optimizer step; see `Docs/WGAN-GP.md` for Adam and for the sample quality
    /// measured). 1 (the default) computes it at every update.
    public var interval: Int = 1 {
        didSet { require(interval >= 1, "GradientPenalty: interval must be at least 1, got \(interval)") }
    }

    /// Creates a penalty of `kind` scaled by `weight`, computed every `interval` discriminator updates.
    public init(kind: Kind, weight: Float, finiteDifferenceStep: Float = 1e-2, interval: Int = 1) {
        require(weight >= 0 && weight.isFinite, "GradientPenalty: weight must be finite and ≥ 0, got \(weight)")
        require(finiteDifferenceStep > 0 && finiteDifferenceStep.isFinite,
                     "GradientPenalty: finiteDifferenceStep must be positive, got \(finiteDifferenceStep)")
        require(interval >= 1, "GradientPenalty: interval must be at least 1, got \(interval)")
        self.kind = kind
        self.weight = weight
        self.finiteDifferenceStep = finiteDifferenceStep
        self.interval = interval
    }

    /// WGAN-GP with coefficient `weight` (the paper's λ = 10) and target norm 1.
    public static func wassersteinGP(weight: Float = 10) -> GradientPenalty {
        GradientPenalty(kind: .interpolates(target: 1), weight: weight)
    }

    /// R1 on real data with the paper's γ: the penalty is `γ/2 · mean ‖∇ₓD(x)‖²`.
    public static func r1(gamma: Float = 10) -> GradientPenalty {
        GradientPenalty(kind: .realData, weight: gamma / 2)
    }

    /// This penalty computed lazily: at one discriminator update in every `interval`,
    /// weighted `interval` times as much (StyleGAN2 uses 16 for R1).
    /// ```swift
    /// trainer.gradientPenalty = .r1(gamma: 1).lazy(every: 16)
    /// ```
    public func lazy(every interval: Int) -> GradientPenalty {
        var penalty = self
        penalty.interval = interval
        return penalty
    }

    /// The penalty of one sample whose input gradient has squared norm `squaredNorm`,
    /// and the factor `c` with dPenalty/dg = `c · g`.
    func term(squaredNorm: Double) -> (value: Double, gradientScale: Double) {
        let w = Double(weight)
        switch kind {
        case .interpolates(let target):
            // d/dg (‖g‖ − t)² = 2(‖g‖ − t)·g/‖g‖; the 1e-12 (as in common WGAN-GP code) avoids 0/0.
            let norm = (squaredNorm + 1e-12).squareRoot()
            let gap = norm - Double(target)
            return (w * gap * gap, w * 2 * gap / norm)
        case .realData:
            return (w * squaredNorm, w * 2)
        }
    }
}

/// Reusable storage of ``Trainer``'s gradient-penalty passes.
struct GradientPenaltyScratch {
    var points = TensorBuffer()
    var direction = TensorBuffer()
    var perturbed = TensorBuffer()
    var outputWeights = TensorBuffer()
    /// Each sample's `δ` (samples treated independently).
    var sampleSteps = TensorBuffer()
    /// The value of the last penalty computed.
    var lastValue: Float = 0
}

extension GradientPenalty {
    /// Evaluates the penalty of `discriminator` at `points` `[N, …]` (interpolates
    /// or real samples, already chosen) and *adds* its gradient with respect to
    /// the discriminator's parameters into their `gradient`s.
    ///
    /// Three forward/backward passes of the discriminator (see the type's
    /// documentation); its buffers are left as they were, and its layer-owned
    /// generators (Dropout) as after one forward. Use it in custom loops; the
    /// ``Trainer`` calls it when ``Trainer/gradientPenalty`` is set.
    /// - Returns: the penalty's value (mean over the batch, times ``weight``).
    public func accumulateGradients(of discriminator: any Layer, at points: Tensor) -> Float {
        var scratch = GradientPenaltyScratch()
        return accumulateGradients(of: discriminator, at: points, scratch: &scratch)
    }

    func accumulateGradients(of discriminator: any Layer, at points: Tensor,
                             scratch: inout GradientPenaltyScratch) -> Float {
        let before = LayerState(capturing: discriminator)
        let batch = points.shape[0], row = points.shape.elementsPerItem
        let output = discriminator.forward(points)
        let afterOneForward = LayerState(capturing: discriminator)
        let ones = scratch.outputWeights.fill(shape: output.shape) { $0.update(repeating: 1) }
        let inputGradient = discriminator.backward(ones, parameterGradients: .skip)
        require(inputGradient.shape == points.shape,
                     "GradientPenalty: the discriminator's input gradient is \(inputGradient.shape), its input \(points.shape)")

        // Penalty value, and u = dPenalty/d(input gradient), whose direction the central difference follows.
        var total = 0.0, directionNormSquared = 0.0
        let step = Double(finiteDifferenceStep)
        let perSample = discriminator.treatsSamplesIndependently
        let direction = scratch.direction.fill(shape: points.shape) { u in
            inputGradient.withUnsafeBufferPointer { g in
                for n in 0..<batch {
                    let sample = g.baseAddress! + n * row
                    var squaredNorm = 0.0
                    for j in 0..<row { squaredNorm += Double(sample[j]) * Double(sample[j]) }
                    let (value, scale) = term(squaredNorm: squaredNorm)
                    total += value
                    let c = scale / Double(batch)
                    directionNormSquared += c * c * squaredNorm
                    for j in 0..<row { u[n * row + j] = Float(c) * sample[j] }
                }
            }
        }
        // δₙ·‖uₙ‖ = step (0 for a sample whose uₙ is 0: it contributes nothing).
        let sampleSteps = scratch.sampleSteps.fill(shape: [batch]) { steps in
            direction.withUnsafeBufferPointer { u in
                for n in 0..<batch {
                    var squaredNorm = 0.0
                    for j in (n * row)..<((n + 1) * row) { squaredNorm += Double(u[j]) * Double(u[j]) }
                    steps[n] = perSample && squaredNorm > 0 ? Float(step / squaredNorm.squareRoot()) : 0
                }
            }
        }
        defer {
            before.restoreBuffers()
            afterOneForward.restoreGenerators()
        }
        let value = Float(total / Double(batch))
        guard directionNormSquared > 0 else { return value }

        // ∇θ(uᵀ∇ₓD) ≈ [∇θD(x + δu) − ∇θD(x − δu)] / 2δ, with δₙ·‖uₙ‖ = step for each sample,
        // or one δ with δ·‖u‖ = step·√N for a batch that BatchNorm couples.
        let batchDelta = Float(step * Double(batch).squareRoot() / directionNormSquared.squareRoot())
        for sign: Float in [1, -1] {
            before.restore()
            let perturbed = scratch.perturbed.fill(shape: points.shape) { x in
                points.withUnsafeBufferPointer { p in
                    direction.withUnsafeBufferPointer { u in
                        sampleSteps.withUnsafeBufferPointer { steps in
                            for n in 0..<batch {
                                let shift = sign * (perSample ? steps[n] : batchDelta)
                                for i in (n * row)..<((n + 1) * row) { x[i] = p[i] + shift * u[i] }
                            }
                        }
                    }
                }
            }
            let output = discriminator.forward(perturbed)
            let weights = scratch.outputWeights.fill(shape: output.shape) { weights in
                sampleSteps.withUnsafeBufferPointer { steps in
                    let perOutput = weights.count / batch
                    for n in 0..<batch {
                        let delta = perSample ? steps[n] : batchDelta
                        let weight = delta > 0 ? sign / (2 * delta) : 0
                        for i in (n * perOutput)..<((n + 1) * perOutput) { weights[i] = weight }
                    }
                }
            }
            discriminator.backwardParametersOnly(weights)
        }
        return value
    }
}
