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
/// (custom layers included) and costs three extra forward/backward passes of the
/// discriminator per update. The passes at `x ± δu` keep the slopes that ReLU and
/// LeakyReLU had at `x` (no unit flips between the points), so the difference is
/// exact up to rounding for the piecewise-linear part of D, like double
/// backpropagation; for smooth layers the error is O(δ²). R1 uses the forward
/// difference `[∇θD(x + δu) − ∇θD(x)] / δ` instead (see ``FiniteDifference``):
/// the ``Trainer`` folds its `∇θD(x)` term into the backward pass of the real
/// batch's loss, so the penalty costs two extra passes, one without parameter
/// gradients. When every layer of
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

    /// How the weight gradient ∇θ(uᵀ∇ₓD) is taken from ordinary backward passes.
    public enum FiniteDifference: Sendable, Equatable {
        /// `[∇θD(x + δu) − ∇θD(x − δu)] / 2δ`: error O(δ²) where D is smooth; two
        /// forward/backward passes with parameter gradients after the one that finds `u`.
        case central
        /// `[∇θD(x + δu) − ∇θD(x)] / δ`: error O(δ) where D is smooth; both are exact
        /// where D is piecewise linear between the points. For R1 in the ``Trainer``,
        /// when D has no Dropout, `−∇θD(x)/δ` joins the backward pass of the real
        /// batch's loss (the same `x`), which leaves one pass with parameter gradients
        /// instead of two (`Docs/WGAN-GP.md` has the time it saves).
        /// Elsewhere (interpolates, custom loops, Dropout) it costs what the central one does.
        case forward
    }

    /// Where and what.
    public var kind: Kind
    /// The factor: λ for WGAN-GP, γ/2 for R1.
    public var weight: Float
    /// Root-mean-square size, per sample, of the input perturbation of the
    /// difference (see above). The default suits inputs in [−1, 1].
    public var finiteDifferenceStep: Float = 1e-2
    /// The scheme of the weight gradient: ``FiniteDifference/forward`` for
    /// ``r1(gamma:)``, ``FiniteDifference/central`` for ``wassersteinGP(weight:)``.
    public var difference: FiniteDifference = .central
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

    /// Creates a penalty of `kind` scaled by `weight`, computed every `interval`
    /// discriminator updates, its weight gradient by the `difference` scheme.
    public init(kind: Kind, weight: Float, finiteDifferenceStep: Float = 1e-2, interval: Int = 1,
                difference: FiniteDifference = .central) {
        require(weight >= 0 && weight.isFinite, "GradientPenalty: weight must be finite and ≥ 0, got \(weight)")
        require(finiteDifferenceStep > 0 && finiteDifferenceStep.isFinite,
                     "GradientPenalty: finiteDifferenceStep must be positive, got \(finiteDifferenceStep)")
        require(interval >= 1, "GradientPenalty: interval must be at least 1, got \(interval)")
        self.kind = kind
        self.weight = weight
        self.finiteDifferenceStep = finiteDifferenceStep
        self.interval = interval
        self.difference = difference
    }

    /// WGAN-GP with coefficient `weight` (the paper's λ = 10) and target norm 1.
    public static func wassersteinGP(weight: Float = 10) -> GradientPenalty {
        GradientPenalty(kind: .interpolates(target: 1), weight: weight)
    }

    /// R1 on real data with the paper's γ: the penalty is `γ/2 · mean ‖∇ₓD(x)‖²`;
    /// its weight gradient by the cheaper ``FiniteDifference/forward`` scheme.
    public static func r1(gamma: Float = 10) -> GradientPenalty {
        GradientPenalty(kind: .realData, weight: gamma / 2, difference: .forward)
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
