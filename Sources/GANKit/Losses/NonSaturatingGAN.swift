/// The non-saturating GAN objective: the discriminator minimises binary
/// cross-entropy on logits, the generator minimises `−log D(G(z))`.
///
/// From Goodfellow et al., "Generative Adversarial Networks", 2014,
/// <https://arxiv.org/abs/1406.2661> (section 3: "Rather than training G to
/// minimize log(1 − D(G(z))) we can train G to maximize log D(G(z))"). This is
/// what PyTorch's DCGAN tutorial and Keras' examples use, and GANKit's default.
/// With `x` the discriminator's logits, `t` the real label and σ the sigmoid:
///
///     real:      mean(−t·log σ(x) − (1 − t)·log(1 − σ(x)))   gradient (σ(x) − t) / n
///     fake:      mean(−log(1 − σ(x))) = mean(softplus(x))    gradient σ(x) / n
///     generator: mean(−log σ(x))      = mean(softplus(−x))   gradient (σ(x) − 1) / n
///
/// i.e. BCEWithLogits(real, t), BCEWithLogits(fake, 0) and BCEWithLogits(fake, 1),
/// each evaluated as `max(x, 0) − x·t + log1p(e^(−|x|))` so any finite logit is safe.
/// The generator's gradient stays near −1/n while D confidently rejects fakes
/// (σ(x) ≈ 0), which is why this form learns where ``MinimaxGAN`` stalls.
///
/// **Probabilities.** `NonSaturatingGAN(outputs: .probabilities)` is the same
/// objective for a D that ends in a `Sigmoid` (Keras' `binary_crossentropy` on
/// probabilities, as in the minimal Keras GAN, ``MLPGAN/Configuration/minimal``).
/// With `p` D's output and `p̂ = clamp(p, ε, 1 − ε)`, ε = 1e-7:
///
///     real:      mean(−t·log p̂ − (1 − t)·log(1 − p̂))   gradient (p̂ − t) / (p̂·(1 − p̂)) / n
///     fake:      mean(−log(1 − p̂))                      gradient 1 / (1 − p̂) / n
///     generator: mean(−log p̂)                           gradient −1 / p̂ / n
///
/// each gradient 0 where `p` lies outside the clamp (the exact derivative of the
/// clamped loss, as ``BinaryCrossEntropy``). Keras clamps the same way; on its
/// TensorFlow backend it also recovers the logits when the probabilities come
/// straight from a sigmoid layer (`_get_logits` in `keras/backend`) and then
/// computes the logits form above instead. GANKit's D hands over probabilities
/// only, so this form clamps; prefer `.logits` (the default) in new models.
public struct NonSaturatingGAN: GANObjective {
    /// Whether D's outputs are logits (default) or probabilities.
    public var outputs: DiscriminatorOutputs

    /// Creates the objective for a D that outputs `outputs`: `.logits` (default)
    /// or `.probabilities` (D ends in a `Sigmoid`).
    public init(outputs: DiscriminatorOutputs = .logits) {
        self.outputs = outputs
    }

    /// Binary cross-entropy of the real outputs against `realLabel`:
    /// `mean(max(x, 0) − x·t + log1p(e^(−|x|)))` on logits.
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyRealLoss("NonSaturatingGAN", output, realLabel: realLabel, outputs: outputs, gradient: &gradient)
    }

    /// Binary cross-entropy of the fake outputs against 0: `mean(softplus(x))` on logits.
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyFakeLoss("NonSaturatingGAN", output, outputs: outputs, gradient: &gradient)
    }

    /// Binary cross-entropy of the fake outputs against 1: `mean(−log σ(x)) = mean(softplus(−x))` on logits.
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyLoss("NonSaturatingGAN", fakeOutput, target: 1, outputs: outputs, gradient: &gradient)
    }

    /// The probability D assigns to "real": the sigmoid of a logit, or the probability itself.
    public func realness(_ output: Float) -> Float { crossEntropyRealness(output, outputs: outputs) }
}

extension NonSaturatingGAN: CustomStringConvertible {
    /// `NonSaturatingGAN`, or `NonSaturatingGAN(outputs: probabilities)` for a discriminator that ends in a sigmoid.
    public var description: String { outputs == .logits ? "NonSaturatingGAN" : "NonSaturatingGAN(outputs: probabilities)" }
}
