/// The Wasserstein GAN objective: the critic maximises the gap between its
/// mean score on real and on generated samples; the generator raises the
/// score of its samples.
///
/// From Arjovsky, Chintala & Bottou, "Wasserstein GAN", 2017,
/// <https://arxiv.org/abs/1701.07875> (algorithm 1). With `x` the raw critic scores:
///
///     real:      −mean(x)   gradient −1/n
///     fake:       mean(x)   gradient  1/n
///     generator: −mean(x)   gradient −1/n
///
/// so the critic's total loss is `mean(fake) − mean(real)`. The critic must be
/// kept (approximately) 1-Lipschitz for this to estimate a distance — by weight
/// clipping as in the paper, or a gradient penalty (Gulrajani et al.,
/// <https://arxiv.org/abs/1704.00028>); neither is part of the objective.
/// There are no labels: `realLabel` is ignored.
public struct WassersteinGAN: GANObjective {
    /// Creates the objective (it has no settings).
    public init() {}

    /// `−mean(x)`; `realLabel` is ignored.
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("WassersteinGAN", output, gradient: &gradient) { x in (-x, -1) }
    }

    /// `mean(x)`.
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("WassersteinGAN", output, gradient: &gradient) { x in (x, 1) }
    }

    /// `−mean(x)`.
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("WassersteinGAN", fakeOutput, gradient: &gradient) { x in (-x, -1) }
    }

    /// The raw critic score itself (unbounded; only differences are meaningful).
    public func realness(_ output: Float) -> Float { output }
}
