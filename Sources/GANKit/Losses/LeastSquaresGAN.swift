/// The least-squares GAN objective (LSGAN): squared distances of the raw
/// discriminator outputs to target codes, with a = 0 (fake), b = 1 (real) and
/// c = 1 (what the generator wants D to output).
///
/// From Mao et al., "Least Squares Generative Adversarial Networks", 2017,
/// <https://arxiv.org/abs/1611.04076> (equation 2, including its ½ factors).
/// With `x` the raw discriminator outputs (no sigmoid) and `b` the real label:
///
///     real:      ½·mean((x − b)²)   gradient (x − b) / n
///     fake:      ½·mean(x²)         gradient x / n
///     generator: ½·mean((x − 1)²)   gradient (x − 1) / n
///
/// `realLabel` is used as `b`, so 0.9 gives one-sided label smoothing; the
/// generator's target `c` stays 1. Implementations without the ½ (some Keras
/// examples use plain MSE) have twice these values and gradients.
public struct LeastSquaresGAN: GANObjective {
    /// Creates the objective (a = 0, c = 1; b is the real label passed per call).
    public init() {}

    /// `½·mean((x − b)²)` with `b = realLabel`.
    public func discriminatorRealLoss(_ output: Tensor, realLabel: Float,
                                      gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        let b = Double(realLabel)
        return meanElementwiseLoss("LeastSquaresGAN", output, gradient: &gradient) { x in
            let difference = x - b
            return (0.5 * difference * difference, difference)
        }
    }

    /// `½·mean(x²)` (target a = 0).
    public func discriminatorFakeLoss(_ output: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("LeastSquaresGAN", output, gradient: &gradient) { x in
            (0.5 * x * x, x)
        }
    }

    /// `½·mean((x − 1)²)` (target c = 1).
    public func generatorLoss(_ fakeOutput: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("LeastSquaresGAN", fakeOutput, gradient: &gradient) { x in
            let difference = x - 1
            return (0.5 * difference * difference, difference)
        }
    }

    /// The raw output itself: D is trained to output about 1 for real and 0 for fake.
    public func realness(_ output: Float) -> Float { output }
}
