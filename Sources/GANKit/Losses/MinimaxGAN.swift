/// The original minimax GAN objective: the discriminator minimises binary
/// cross-entropy on logits, the generator minimises `log(1 − D(G(z)))`.
///
/// From Goodfellow et al., "Generative Adversarial Networks", 2014,
/// <https://arxiv.org/abs/1406.2661> (equation 1). With `x` the
/// discriminator's logits, `t` the real label and σ the sigmoid:
///
///     real:      mean(−t·log σ(x) − (1 − t)·log(1 − σ(x)))   gradient (σ(x) − t) / n
///     fake:      mean(−log(1 − σ(x))) = mean(softplus(x))    gradient σ(x) / n
///     generator: mean(log(1 − σ(x)))  = −mean(softplus(x))   gradient −σ(x) / n
///
/// The generator loss is −BCEWithLogits(fake, 0), evaluated from the logits as
/// `−(max(x, 0) + log1p(e^(−|x|)))` (never `log(1 − sigmoid(x))`, which
/// rounds to log 0 once σ(x) reaches 1 in Float). Its gradient vanishes when
/// D confidently rejects fakes (σ(x) → 0), early in training, which is why
/// ``NonSaturatingGAN`` is the usual choice; this one is here for comparison.
public struct MinimaxGAN: GANObjective {
    /// Creates the objective (it has no settings).
    public init() {}

    /// Binary cross-entropy of the real logits against `realLabel`:
    /// `mean(max(x, 0) − x·t + log1p(e^(−|x|)))`.
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyRealLoss("MinimaxGAN", output, realLabel: realLabel, gradient: &gradient)
    }

    /// Binary cross-entropy of the fake logits against 0: `mean(softplus(x))`.
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyFakeLoss("MinimaxGAN", output, gradient: &gradient)
    }

    /// `mean(log(1 − σ(x))) = −mean(softplus(x))`, the negated fake cross-entropy
    /// (never positive; it approaches 0 from below as D rejects fakes).
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("MinimaxGAN", fakeOutput, gradient: &gradient) { x in
            (-stableSoftplus(x), -stableSigmoid(x))
        }
    }

    /// The sigmoid of the logit: the probability D assigns to "real".
    public func realness(_ output: Float) -> Float { Float(stableSigmoid(Double(output))) }
}
