/// Mean squared error: the mean over all elements of `(p − t)²`.
///
/// Shapes: prediction and target have the same shape (any rank); the gradient
/// has that shape.
///
///     L      = (1/n) Σᵢ (pᵢ − tᵢ)²
///     dL/dpᵢ = 2·(pᵢ − tᵢ) / n
///
/// Convention: no ½ factor (PyTorch `MSELoss`, Keras `mean_squared_error`).
/// ``LeastSquaresGAN`` adds the ½ of Mao et al. itself.
public struct MeanSquaredError: Loss {
    /// Creates the loss (it has no settings).
    public init() {}

    /// Returns the mean squared error and dLoss/dPrediction.
    ///
    /// - Parameters:
    ///   - prediction: Model output, any shape.
    ///   - target: Expected values, same shape.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Precondition: the shapes are equal and not empty.
    public func evaluate(_ prediction: Tensor, _ target: Tensor,
                         gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("MeanSquaredError", prediction, target, gradient: &gradient) { p, t in
            let difference = p - t
            return (difference * difference, 2 * difference)
        }
    }
}

/// Shorthand for `MeanSquaredError()` where a loss is expected, e.g. `let loss: some Loss = .meanSquaredError`.
extension Loss where Self == MeanSquaredError {
    /// Mean squared error.
    public static var meanSquaredError: MeanSquaredError { MeanSquaredError() }
}
