import Foundation

/// A differentiable loss: the mean over all elements of a per-element loss,
/// with its gradient with respect to the prediction.
///
/// Shapes: `prediction` and `target` must have the same shape (any rank);
/// the gradient has that shape too. The reduction is always the mean over
/// every element (PyTorch's `reduction="mean"`, Keras' default for
/// single-output models), so the gradient of element `i` is `ℓ'(pᵢ, tᵢ) / n`.
///
/// Implementations accumulate the value in `Double` and write the gradient
/// into a caller-owned ``TensorBuffer``, so a training loop that keeps the
/// buffer allocates nothing after its first step:
///
/// ```swift
/// let loss = BinaryCrossEntropyWithLogits()
/// var scratch = TensorBuffer()
/// let (value, gradient) = loss.evaluate(logits, labels, gradient: &scratch)
/// _ = model.backward(gradient)
/// ```
public protocol Loss: Sendable {
    /// Returns the mean over all elements of the per-element loss and
    /// dLoss/dPrediction (shaped like `prediction`), written into `gradient`.
    ///
    /// - Parameters:
    ///   - prediction: The model output, any shape.
    ///   - target: The expected values, same shape as `prediction`.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Precondition: `prediction.shape == target.shape` and the tensors are not empty.
    func evaluate(_ prediction: Tensor, _ target: Tensor, gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor)
}

extension Loss {
    /// Returns the loss value and dLoss/dPrediction, using a fresh buffer
    /// (allocates the gradient; use `evaluate(_:_:gradient:)` in training loops).
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> (value: Float, gradient: Tensor) {
        var scratch = TensorBuffer()
        return evaluate(prediction, target, gradient: &scratch)
    }
}

/// The message of a failed loss shape check, e.g.
/// `BinaryCrossEntropy: prediction [64, 1] and target [32, 1] differ`.
///
/// Losses stop with this message when the shapes of `prediction` and
/// `target` differ; tests call it to check the wording.
func lossShapeError(loss: String, prediction: TensorShape, target: TensorShape) -> String {
    "\(loss): prediction \(prediction) and target \(target) differ"
}

/// The message of a loss evaluated on an empty tensor, e.g. `MeanSquaredError: empty prediction [0, 1]`.
func emptyLossInputError(loss: String, shape: TensorShape) -> String {
    "\(loss): empty prediction \(shape)"
}

// MARK: - Shared kernels

/// Mean of `term(pᵢ, tᵢ).value` over all elements, with gradient `term(pᵢ, tᵢ).derivative / n`.
///
/// The shared loop behind every element-wise loss: one pass over raw
/// buffers, value summed in `Double`, derivative scaled and rounded to
/// `Float` once. `term` returns the per-element loss and its derivative with
/// respect to the prediction, both in `Double`.
///
/// Buffers: `prediction`, `target` and the returned gradient all have `n` elements.
@inline(__always)
func meanElementwiseLoss(
    _ name: @autoclosure () -> String,
    _ prediction: Tensor, _ target: Tensor,
    gradient: inout TensorBuffer,
    _ term: (_ prediction: Double, _ target: Double) -> (value: Double, derivative: Double)
) -> (value: Float, gradient: Tensor) {
    require(prediction.shape == target.shape,
            lossShapeError(loss: name(), prediction: prediction.shape, target: target.shape))
    let n = prediction.count
    require(n > 0, emptyLossInputError(loss: name(), shape: prediction.shape))
    let scale = 1 / Double(n)
    var sum = 0.0
    let result = prediction.withUnsafeBufferPointer { p in
        target.withUnsafeBufferPointer { t in
            gradient.fill(shape: prediction.shape) { dp in
                for i in 0..<n {
                    let (value, derivative) = term(Double(p[i]), Double(t[i]))
                    sum += value
                    dp[i] = Float(derivative * scale)
                }
            }
        }
    }
    return (Float(sum * scale), result)
}

/// Mean of `term(xᵢ).value` over all elements against a constant target,
/// with gradient `term(xᵢ).derivative / n` (used by GAN objectives, whose
/// targets are a single label, so no target tensor is built).
///
/// Buffers: `output` and the returned gradient both have `n` elements.
@inline(__always)
func meanElementwiseLoss(
    _ name: @autoclosure () -> String,
    _ output: Tensor,
    gradient: inout TensorBuffer,
    _ term: (_ output: Double) -> (value: Double, derivative: Double)
) -> (value: Float, gradient: Tensor) {
    let n = output.count
    require(n > 0, emptyLossInputError(loss: name(), shape: output.shape))
    let scale = 1 / Double(n)
    var sum = 0.0
    let result = output.withUnsafeBufferPointer { x in
        gradient.fill(shape: output.shape) { dx in
            for i in 0..<n {
                let (value, derivative) = term(Double(x[i]))
                sum += value
                dx[i] = Float(derivative * scale)
            }
        }
    }
    return (Float(sum * scale), result)
}

// MARK: - Stable logistic functions

/// σ(x) = 1 / (1 + e^(−x)), evaluated without overflow for any finite x.
///
/// For x ≥ 0, e^(−x) ≤ 1; for x < 0 the equivalent e^x / (1 + e^x) is used,
/// so the exponential never overflows (|x| = 1e4 gives exactly 0 or 1).
@inline(__always)
func stableSigmoid(_ x: Double) -> Double {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}

/// softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)), stable for any finite x.
@inline(__always)
func stableSoftplus(_ x: Double) -> Double {
    max(x, 0) + log1p(exp(-abs(x)))
}
