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
public struct NonSaturatingGAN: GANObjective {
    /// Creates the objective (it has no settings).
    public init() {}

    /// Binary cross-entropy of the real logits against `realLabel`:
    /// `mean(max(x, 0) − x·t + log1p(e^(−|x|)))`.
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyRealLoss("NonSaturatingGAN", output, realLabel: realLabel, gradient: &gradient)
    }

    /// Binary cross-entropy of the fake logits against 0: `mean(softplus(x))`.
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyFakeLoss("NonSaturatingGAN", output, gradient: &gradient)
    }

    /// Binary cross-entropy of the fake logits against 1: `mean(−log σ(x)) = mean(softplus(−x))`.
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("NonSaturatingGAN", fakeOutput, gradient: &gradient) { x in
            BinaryCrossEntropyWithLogits.term(x, target: 1)
        }
    }

    /// The sigmoid of the logit: the probability D assigns to "real".
    public func realness(_ output: Float) -> Float { Float(stableSigmoid(Double(output))) }
}
