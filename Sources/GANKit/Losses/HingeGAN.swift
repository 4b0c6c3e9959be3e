/// The hinge GAN objective: a margin loss for the discriminator and the
/// negated mean score for the generator.
///
/// From Lim & Ye, "Geometric GAN", 2017, <https://arxiv.org/abs/1705.02894>,
/// as used by SN-GAN (Miyato et al., <https://arxiv.org/abs/1802.05957>) and
/// BigGAN. With `x` the raw discriminator scores:
///
///     real:      mean(relu(1 − x))   gradient −1/n where x < 1, else 0
///     fake:      mean(relu(1 + x))   gradient  1/n where x > −1, else 0
///     generator: −mean(x)            gradient −1/n
///
/// At the kinks (x = 1 real, x = −1 fake) the gradient is 0, as for PyTorch's
/// `relu`. There are no labels: `realLabel` is ignored.
public struct HingeGAN: GANObjective {
    /// Creates the objective (it has no settings).
    public init() {}

    /// `mean(relu(1 − x))`; `realLabel` is ignored.
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("HingeGAN", output, gradient: &gradient) { x in
            x < 1 ? (1 - x, -1) : (0, 0)
        }
    }

    /// `mean(relu(1 + x))`.
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("HingeGAN", output, gradient: &gradient) { x in
            x > -1 ? (1 + x, 1) : (0, 0)
        }
    }

    /// `−mean(x)`.
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("HingeGAN", fakeOutput, gradient: &gradient) { x in (-x, -1) }
    }

    /// The raw score itself (scores are not probabilities; ≥ 1 reads as confidently real).
    public func realness(_ output: Float) -> Float { output }
}
