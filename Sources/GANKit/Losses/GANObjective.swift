/// The losses a GAN trains with: two for the discriminator (real and fake
/// batches) and one for the generator, all on the discriminator's raw outputs.
///
/// Every loss here takes *raw* discriminator outputs — logits for the
/// cross-entropy objectives, unbounded critic scores for the others — so the
/// discriminator ends in a linear layer, never a `Sigmoid`. The sigmoid, where
/// there is one, lives inside the loss, where it can be evaluated stably.
///
/// Shapes: outputs are `[N, 1]` (or any shape: every loss is a mean over all
/// elements); each gradient has the shape of its input. A discriminator step
/// adds the gradients of the real and fake parts (backward once per batch,
/// gradients accumulate), and its loss is
///
///     L_D = discriminatorRealLoss(D(x)) + discriminatorFakeLoss(D(G(z)))
///
/// each part a mean over its batch. The generator step minimises
/// `generatorLoss(D(G(z)))`, backpropagating through D without touching D's
/// gradients.
///
/// ```swift
/// let objective: any GANObjective = .nonSaturating
/// let real = objective.discriminatorRealLoss(discriminator(images), realLabel: 0.9)
/// _ = discriminator.backward(real.gradient)
/// ```
///
/// The requirements write each gradient into a caller-owned ``TensorBuffer``, so
/// a training loop that keeps one (as ``Trainer`` does) allocates nothing after its
/// first step; the forms without `gradient:` (in an extension) allocate a fresh
/// gradient and return the same values and gradients.
///
/// Conforming types: ``NonSaturatingGAN`` (the default), ``MinimaxGAN``,
/// ``LeastSquaresGAN``, ``HingeGAN``, ``WassersteinGAN``.
public protocol GANObjective: Sendable {
    /// The discriminator's loss on its raw outputs for a batch of real samples.
    ///
    /// - Parameters:
    ///   - output: Raw discriminator outputs (logits or critic scores), e.g. `[N, 1]`.
    ///   - realLabel: The target for real samples: 1, or e.g. 0.9 for one-sided
    ///     label smoothing (Salimans et al., 2016). Objectives without labels
    ///     (hinge, Wasserstein) ignore it.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Returns: The mean loss and dLoss/dOutput, shaped like `output`.
    func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                               gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor)

    /// The discriminator's loss on its raw outputs for a batch of generated samples.
    ///
    /// - Parameters:
    ///   - output: Raw discriminator outputs on generated samples, e.g. `[N, 1]`.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Returns: The mean loss and dLoss/dOutput, shaped like `output`.
    func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor)

    /// The generator's loss, computed from the discriminator's raw outputs on generated samples.
    ///
    /// - Parameters:
    ///   - fakeOutput: Raw discriminator outputs on `G(z)`, e.g. `[N, 1]`.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Returns: The mean loss and dLoss/dFakeOutput, shaped like `fakeOutput`;
    ///   backpropagate it through the discriminator to reach the generator.
    func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor)

    /// Turns one raw discriminator output into the "probability the sample is
    /// real" that users see as D(x): the sigmoid for cross-entropy objectives,
    /// the identity for the others (whose scores are not probabilities).
    func realness(_ output: Float) -> Float
}

// MARK: - Without a buffer

extension GANObjective {
    /// ``discriminatorRealLoss(_:realLabel:gradient:)`` with a freshly allocated
    /// gradient, for custom loops and notebooks: the mean loss and dLoss/dOutput,
    /// shaped like `output` (e.g. `[N, 1]`).
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float = 1) -> (value: Float, gradient: Tensor) {
        var gradient = TensorBuffer()
        return discriminatorRealLoss(output, realLabel: realLabel, gradient: &gradient)
    }

    /// ``discriminatorFakeLoss(_:gradient:)`` with a freshly allocated gradient:
    /// the mean loss and dLoss/dOutput, shaped like `output` (e.g. `[N, 1]`).
    public func discriminatorFakeLoss(_ output: Tensor) -> (value: Float, gradient: Tensor) {
        var gradient = TensorBuffer()
        return discriminatorFakeLoss(output, gradient: &gradient)
    }

    /// ``generatorLoss(_:gradient:)`` with a freshly allocated gradient: the mean
    /// loss and dLoss/dFakeOutput, shaped like `fakeOutput` (e.g. `[N, 1]`).
    public func generatorLoss(_ fakeOutput: Tensor) -> (value: Float, gradient: Tensor) {
        var gradient = TensorBuffer()
        return generatorLoss(fakeOutput, gradient: &gradient)
    }
}

// MARK: - Shorthands

extension GANObjective where Self == NonSaturatingGAN {
    /// The non-saturating GAN loss (the usual default), ``NonSaturatingGAN``.
    public static var nonSaturating: Self { .init() }
}

extension GANObjective where Self == MinimaxGAN {
    /// The original minimax GAN loss, ``MinimaxGAN``.
    public static var minimax: Self { .init() }
}

extension GANObjective where Self == LeastSquaresGAN {
    /// The least-squares GAN loss, ``LeastSquaresGAN``.
    public static var leastSquares: Self { .init() }
}

extension GANObjective where Self == HingeGAN {
    /// The hinge GAN loss, ``HingeGAN``.
    public static var hinge: Self { .init() }
}

extension GANObjective where Self == WassersteinGAN {
    /// The Wasserstein GAN loss, ``WassersteinGAN``.
    public static var wasserstein: Self { .init() }
}

// MARK: - Shared pieces

/// The discriminator's cross-entropy loss on real logits against `realLabel`,
/// shared by ``MinimaxGAN`` and ``NonSaturatingGAN``:
/// `mean(max(x, 0) − x·t + log1p(e^(−|x|)))`, gradient `(σ(x) − t) / n`.
func crossEntropyRealLoss(_ name: String, _ output: Tensor, realLabel: Float,
                          gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
    let t = Double(realLabel)
    return meanElementwiseLoss(name, output, gradient: &gradient) { x in
        BinaryCrossEntropyWithLogits.term(x, target: t)
    }
}

/// The discriminator's cross-entropy loss on fake logits against label 0:
/// `mean(softplus(x))`, gradient `σ(x) / n`.
func crossEntropyFakeLoss(_ name: String, _ output: Tensor,
                          gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
    meanElementwiseLoss(name, output, gradient: &gradient) { x in
        (stableSoftplus(x), stableSigmoid(x))
    }
}
