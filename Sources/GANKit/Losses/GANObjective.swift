/// The losses a GAN trains with: two for the discriminator (real and fake
/// batches) and one for the generator, all on the discriminator's raw outputs.
///
/// Every loss here takes *raw* discriminator outputs — logits for the
/// cross-entropy objectives, unbounded critic scores for the others — so the
/// discriminator ends in a linear layer, never a `Sigmoid`. The sigmoid, where
/// there is one, lives inside the loss, where it can be evaluated stably. (The
/// one exception, for ports of Keras models whose D ends in a sigmoid:
/// `NonSaturatingGAN(outputs: .probabilities)` and `MinimaxGAN(outputs: .probabilities)`,
/// see ``DiscriminatorOutputs``.)
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

// MARK: - Discriminator outputs

/// What the discriminator's outputs are, for the cross-entropy objectives
/// (``NonSaturatingGAN``, ``MinimaxGAN``), and whether the ``MLPGAN`` builder
/// ends D in a `Sigmoid` (``MLPGAN/Configuration/discriminatorOutput``).
///
/// Shapes: either way D outputs `[N, 1]` (any shape works: the losses are means).
public enum DiscriminatorOutputs: Sendable, Hashable {
    /// Raw scores: D ends in a linear layer and the loss applies the sigmoid
    /// itself, exactly for any finite logit (the default, and the better choice).
    case logits
    /// Probabilities in [0, 1]: D ends in a `Sigmoid`, as in Keras models compiled
    /// with `loss="binary_crossentropy"`. The loss clamps each probability to
    /// [ε, 1 − ε] with ε = 1e-7 (Keras' `epsilon()`) before taking logarithms, as
    /// ``BinaryCrossEntropy`` does, so a saturated D gives a loss of at most
    /// −log ε ≈ 16.1 and a zero gradient beyond the clamp.
    case probabilities

    /// Keras' clamp of probabilities, ε = 1e-7.
    static let probabilityEpsilon: Float = 1e-7
}

// MARK: - Shared pieces

/// The discriminator's cross-entropy loss on real outputs against `realLabel`,
/// shared by ``MinimaxGAN`` and ``NonSaturatingGAN``. On logits:
/// `mean(max(x, 0) − x·t + log1p(e^(−|x|)))`, gradient `(σ(x) − t) / n`; on
/// probabilities: `mean(−t·log p̂ − (1 − t)·log(1 − p̂))`, gradient
/// `(p̂ − t) / (p̂·(1 − p̂)) / n` inside the clamp, 0 outside.
func crossEntropyRealLoss(_ name: String, _ output: Tensor, realLabel: Float, outputs: DiscriminatorOutputs,
                          gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
    crossEntropyLoss(name, output, target: Double(realLabel), outputs: outputs, gradient: &gradient)
}

/// The discriminator's cross-entropy loss on fake outputs against label 0. On
/// logits: `mean(softplus(x))`, gradient `σ(x) / n`; on probabilities:
/// `mean(−log(1 − p̂))`, gradient `1 / (1 − p̂) / n` inside the clamp, 0 outside.
func crossEntropyFakeLoss(_ name: String, _ output: Tensor, outputs: DiscriminatorOutputs,
                          gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
    switch outputs {
    case .logits:
        meanElementwiseLoss(name, output, gradient: &gradient) { x in
            (stableSoftplus(x), stableSigmoid(x))
        }
    case .probabilities:
        crossEntropyLoss(name, output, target: 0, outputs: .probabilities, gradient: &gradient)
    }
}

/// `sign`·mean(BCE(output, target)) on logits or clamped probabilities, with its gradient.
func crossEntropyLoss(_ name: String, _ output: Tensor, target t: Double, sign: Double = 1, outputs: DiscriminatorOutputs,
                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
    switch outputs {
    case .logits:
        return meanElementwiseLoss(name, output, gradient: &gradient) { x in
            let (value, derivative) = BinaryCrossEntropyWithLogits.term(x, target: t)
            return (sign * value, sign * derivative)
        }
    case .probabilities:
        let bounds = BinaryCrossEntropy.clampBounds(DiscriminatorOutputs.probabilityEpsilon)
        return meanElementwiseLoss(name, output, gradient: &gradient) { p in
            let (value, derivative) = BinaryCrossEntropy.term(p, target: t, bounds: bounds)
            return (sign * value, sign * derivative)
        }
    }
}

/// How a cross-entropy objective reads one output as D's probability of "real":
/// the sigmoid of a logit, or the probability itself.
func crossEntropyRealness(_ output: Float, outputs: DiscriminatorOutputs) -> Float {
    outputs == .logits ? Float(stableSigmoid(Double(output))) : output
}
