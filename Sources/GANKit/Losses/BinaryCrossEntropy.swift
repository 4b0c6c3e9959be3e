import Foundation

/// Binary cross-entropy on probabilities: the mean over all elements of
/// `−[t·log p̂ + (1 − t)·log(1 − p̂)]`, where `p̂ = clamp(p, ε, 1 − ε)`.
///
/// Use it after a `Sigmoid` layer. Shapes: prediction and target have the
/// same shape (any rank, typically `[N, 1]`); the gradient has that shape.
///
/// Convention (Keras `binary_crossentropy`): predictions are clamped to
/// [ε, 1 − ε] with ε = 1e-7 before the logarithm, so a saturated sigmoid gives a
/// large but finite loss. PyTorch's `BCELoss` instead clamps each logarithm
/// at −100. The gradient is the exact derivative of the clamped loss:
///
///     dL/dpᵢ = (p̂ᵢ − tᵢ) / (p̂ᵢ·(1 − p̂ᵢ)) / n   when ε ≤ pᵢ ≤ 1 − ε
///     dL/dpᵢ = 0                               when pᵢ lies outside (the clamp is flat there)
///
/// Prefer ``BinaryCrossEntropyWithLogits`` on raw logits: it needs no clamp
/// and its gradient does not vanish when the sigmoid saturates.
///
/// ```swift
/// let (value, gradient) = BinaryCrossEntropy()(Tensor([0.9, 0.2]), Tensor([1, 0]))
/// // value = −(log 0.9 + log 0.8) / 2 ≈ 0.164
/// ```
public struct BinaryCrossEntropy: Loss {
    /// The clamp applied to predictions: they are kept in [ε, 1 − ε].
    public var epsilon: Float

    /// Creates the loss with Keras' clamp, ε = 1e-7.
    /// - Precondition: 0 < ε < 0.5.
    public init(epsilon: Float = 1e-7) {
        require(epsilon > 0 && epsilon < 0.5, "BinaryCrossEntropy: epsilon must lie in (0, 0.5), got \(epsilon)")
        self.epsilon = epsilon
    }

    /// Returns the mean clamped binary cross-entropy and dLoss/dPrediction.
    ///
    /// - Parameters:
    ///   - prediction: Probabilities, any shape (values outside [0, 1] are clamped).
    ///   - target: Labels in [0, 1] (soft labels allowed), same shape.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Precondition: the shapes are equal and not empty.
    public func evaluate(_ prediction: Tensor, _ target: Tensor,
                         gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        let bounds = Self.clampBounds(epsilon)
        return meanElementwiseLoss("BinaryCrossEntropy", prediction, target, gradient: &gradient) { p, t in
            Self.term(p, target: t, bounds: bounds)
        }
    }

    /// The clamp [ε, 1 − ε] in `Double`, its bounds rounded to `Float` first, so
    /// "inside the clamp" means the same thing here as it does for the `Float`
    /// predictions being compared.
    static func clampBounds(_ epsilon: Float) -> ClosedRange<Double> { Double(epsilon)...Double(1 - epsilon) }

    /// The per-element loss `−[t·log p̂ + (1 − t)·log(1 − p̂)]`, `p̂ = clamp(p, bounds)`,
    /// and its derivative `(p̂ − t) / (p̂·(1 − p̂))` inside the clamp, 0 outside.
    @inline(__always)
    static func term(_ p: Double, target t: Double, bounds: ClosedRange<Double>) -> (value: Double, derivative: Double) {
        let clamped = min(max(p, bounds.lowerBound), bounds.upperBound)
        let value = -(t * log(clamped) + (1 - t) * log(1 - clamped))
        guard bounds.contains(p) else { return (value, 0) }
        return (value, (clamped - t) / (clamped * (1 - clamped)))
    }
}

/// Shorthand for `BinaryCrossEntropy()` where a loss is expected, e.g. `let loss: some Loss = .binaryCrossEntropy`.
extension Loss where Self == BinaryCrossEntropy {
    /// Binary cross-entropy on probabilities with ε = 1e-7.
    public static var binaryCrossEntropy: BinaryCrossEntropy { BinaryCrossEntropy() }
}
