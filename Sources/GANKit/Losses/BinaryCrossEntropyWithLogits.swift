import Foundation

/// Binary cross-entropy on logits: the mean over all elements of
/// `−[t·log σ(x) + (1 − t)·log(1 − σ(x))]`, computed stably as
/// `max(x, 0) − x·t + log1p(e^(−|x|))`.
///
/// Equivalent to a `Sigmoid` followed by ``BinaryCrossEntropy`` but exact for
/// any finite logit: no clamp, no overflow, and the gradient does not vanish
/// when the sigmoid saturates. This is PyTorch's `BCEWithLogitsLoss` and
/// Keras' `BinaryCrossentropy(from_logits=True)`.
///
/// Shapes: logits and targets have the same shape (any rank, typically
/// `[N, 1]`); the gradient has that shape.
///
///     L      = (1/n) Σᵢ max(xᵢ, 0) − xᵢ·tᵢ + log1p(e^(−|xᵢ|))
///     dL/dxᵢ = (σ(xᵢ) − tᵢ) / n
///
/// with σ evaluated in the form that never overflows, so logits of ±1e4 give
/// finite values (1e4 when confidently wrong) and gradients of exactly ±1/n or 0.
public struct BinaryCrossEntropyWithLogits: Loss {
    /// Creates the loss (it has no settings).
    public init() {}

    /// Returns the mean binary cross-entropy of `sigmoid(prediction)` against
    /// `target` and dLoss/dPrediction.
    ///
    /// - Parameters:
    ///   - prediction: Logits (raw scores), any shape.
    ///   - target: Labels in [0, 1] (soft labels allowed), same shape.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Precondition: the shapes are equal and not empty.
    public func evaluate(_ prediction: Tensor, _ target: Tensor,
                         gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        meanElementwiseLoss("BinaryCrossEntropyWithLogits", prediction, target, gradient: &gradient) { x, t in
            Self.term(x, target: t)
        }
    }

    /// The per-element loss `max(x, 0) − x·t + log1p(e^(−|x|))` and its derivative `σ(x) − t`.
    @inline(__always)
    static func term(_ x: Double, target t: Double) -> (value: Double, derivative: Double) {
        (max(x, 0) - x * t + log1p(exp(-abs(x))), stableSigmoid(x) - t)
    }
}

/// Shorthand for `BinaryCrossEntropyWithLogits()` where a loss is expected, e.g. `let loss: some Loss = .binaryCrossEntropyWithLogits`.
extension Loss where Self == BinaryCrossEntropyWithLogits {
    /// Binary cross-entropy on logits.
    public static var binaryCrossEntropyWithLogits: BinaryCrossEntropyWithLogits { BinaryCrossEntropyWithLogits() }
}
