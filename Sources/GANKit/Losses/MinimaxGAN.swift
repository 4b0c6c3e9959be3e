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
///
/// `MinimaxGAN(outputs: .probabilities)` takes the outputs of a D that ends in a
/// `Sigmoid`, clamped to [ε, 1 − ε] with ε = 1e-7 as in ``NonSaturatingGAN``;
/// its generator loss is `mean(log(1 − p̂))`, gradient `−1 / (1 − p̂) / n` inside
/// the clamp and 0 outside.
public struct MinimaxGAN: GANObjective {
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
        crossEntropyRealLoss("MinimaxGAN", output, realLabel: realLabel, outputs: outputs, gradient: &gradient)
    }

    /// Binary cross-entropy of the fake outputs against 0: `mean(softplus(x))` on logits.
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        crossEntropyFakeLoss("MinimaxGAN", output, outputs: outputs, gradient: &gradient)
    }

    /// `mean(log(1 − σ(x))) = −mean(softplus(x))` on logits, the negated fake cross-entropy
    /// (never positive; it approaches 0 from below as D rejects fakes).
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        switch outputs {
        case .logits:
            meanElementwiseLoss("MinimaxGAN", fakeOutput, gradient: &gradient) { x in
                (-stableSoftplus(x), -stableSigmoid(x))
            }
        case .probabilities:
            crossEntropyLoss("MinimaxGAN", fakeOutput, target: 0, sign: -1, outputs: .probabilities, gradient: &gradient)
        }
    }

    /// The probability D assigns to "real": the sigmoid of a logit, or the probability itself.
    public func realness(_ output: Float) -> Float { crossEntropyRealness(output, outputs: outputs) }
}

extension MinimaxGAN: CustomStringConvertible {
    /// `MinimaxGAN`, or `MinimaxGAN(outputs: probabilities)` for a discriminator that ends in a sigmoid.
    public var description: String { outputs == .logits ? "MinimaxGAN" : "MinimaxGAN(outputs: probabilities)" }
}
