import Foundation

/// Softmax cross-entropy on logits: for each row of `K` class scores, the
/// cross-entropy between a target distribution and `softmax(logits)`, averaged
/// over the **rows** (samples), as PyTorch's `CrossEntropyLoss` and Keras'
/// `CategoricalCrossentropy(from_logits=True)` do.
///
/// Shapes: logits `[N, K]`, targets `[N, K]` (one-hot rows, or any rows of
/// probabilities summing to 1); the gradient is `[N, K]`. Integer labels go
/// through ``evaluate(_:labels:gradient:)`` (or ``oneHot(_:classes:)``).
///
///     log pᵢₖ = xᵢₖ − (mᵢ + log Σⱼ e^(xᵢⱼ − mᵢ)),   mᵢ = maxⱼ xᵢⱼ   (stable log-sum-exp)
///     L       = −(1/N) Σᵢ Σₖ tᵢₖ · log pᵢₖ
///     dL/dxᵢₖ = (pᵢₖ · Σⱼ tᵢⱼ − tᵢₖ) / N         (= (pᵢₖ − tᵢₖ) / N for normalised targets)
///
/// Unlike the element-wise losses (``Loss`` averages over every element), the
/// mean is over the `N` rows, not the `N·K` elements: this is the convention
/// every framework uses for classification, and it keeps the loss value
/// readable as "nats per sample". Everything is accumulated in `Double`;
/// logits of ±1e4 give finite values and gradients.
public struct SoftmaxCrossEntropy: Loss {
    /// Creates the loss (it has no settings).
    public init() {}

    /// Returns the mean over rows of the cross-entropy between `target` and
    /// `softmax(prediction)`, and dLoss/dPrediction.
    ///
    /// - Parameters:
    ///   - prediction: Logits `[N, K]` (any rank ≥ 2 is read as `[N, rest]`).
    ///   - target: Target distributions, same shape (one-hot for hard labels).
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Precondition: the shapes are equal, rank ≥ 2, and not empty.
    public func evaluate(_ prediction: Tensor, _ target: Tensor,
                         gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        require(prediction.shape == target.shape,
                lossShapeError(loss: "SoftmaxCrossEntropy", prediction: prediction.shape, target: target.shape))
        require(prediction.rank >= 2 && prediction.count > 0,
                "SoftmaxCrossEntropy: expected non-empty logits [N, K], got \(prediction.shape)")
        let rows = prediction.shape[0], classes = prediction.shape.elementsPerItem
        var sum = 0.0
        let result = prediction.withUnsafeBufferPointer { x in
            target.withUnsafeBufferPointer { t in
                gradient.fill(shape: prediction.shape) { dx in
                    for row in 0..<rows {
                        let base = row * classes
                        let logNormalizer = Self.logSumExp(x, base: base, count: classes)
                        var targetMass = 0.0
                        for k in 0..<classes { targetMass += Double(t[base + k]) }
                        for k in 0..<classes {
                            let logP = Double(x[base + k]) - logNormalizer
                            let tk = Double(t[base + k])
                            if tk != 0 { sum -= tk * logP }
                            dx[base + k] = Float((exp(logP) * targetMass - tk) / Double(rows))
                        }
                    }
                }
            }
        }
        return (Float(sum / Double(rows)), result)
    }

    /// Returns the mean cross-entropy of integer class labels under `softmax(prediction)`
    /// and dLoss/dPrediction (the same as one-hot targets, without building them).
    ///
    /// - Parameters:
    ///   - prediction: Logits `[N, K]`.
    ///   - labels: `N` class indices in `0..<K`.
    ///   - gradient: Reusable storage for the returned gradient.
    /// - Precondition: `labels.count == N` and every label lies in `0..<K`.
    public func evaluate(_ prediction: Tensor, labels: [Int],
                         gradient: inout TensorBuffer) -> (value: Float, gradient: Tensor) {
        require(prediction.rank >= 2 && prediction.count > 0,
                "SoftmaxCrossEntropy: expected non-empty logits [N, K], got \(prediction.shape)")
        let rows = prediction.shape[0], classes = prediction.shape.elementsPerItem
        require(labels.count == rows, "SoftmaxCrossEntropy: \(labels.count) labels for logits \(prediction.shape)")
        var sum = 0.0
        let result = prediction.withUnsafeBufferPointer { x in
            gradient.fill(shape: prediction.shape) { dx in
                for row in 0..<rows {
                    let label = labels[row]
                    require(label >= 0 && label < classes,
                            "SoftmaxCrossEntropy: label \(label) of row \(row) outside 0..<\(classes)")
                    let base = row * classes
                    let logNormalizer = Self.logSumExp(x, base: base, count: classes)
                    sum -= Double(x[base + label]) - logNormalizer
                    for k in 0..<classes {
                        let p = exp(Double(x[base + k]) - logNormalizer)
                        dx[base + k] = Float((p - (k == label ? 1 : 0)) / Double(rows))
                    }
                }
            }
        }
        return (Float(sum / Double(rows)), result)
    }

    /// Returns the mean cross-entropy of `labels` and its gradient, using a fresh buffer.
    public func callAsFunction(_ prediction: Tensor, labels: [Int]) -> (value: Float, gradient: Tensor) {
        var scratch = TensorBuffer()
        return evaluate(prediction, labels: labels, gradient: &scratch)
    }

    /// `m + log Σⱼ e^(xⱼ − m)` over `x[base..<base + count]`, with `m` the maximum (never overflows).
    @inline(__always)
    static func logSumExp(_ x: UnsafeBufferPointer<Float>, base: Int, count: Int) -> Double {
        var maximum = -Double.infinity
        for k in 0..<count { maximum = Swift.max(maximum, Double(x[base + k])) }
        var total = 0.0
        for k in 0..<count { total += exp(Double(x[base + k]) - maximum) }
        return maximum + log(total)
    }
}

/// Shorthand for `SoftmaxCrossEntropy()` where a loss is expected.
extension Loss where Self == SoftmaxCrossEntropy {
    /// Softmax cross-entropy on logits (mean over rows).
    public static var softmaxCrossEntropy: SoftmaxCrossEntropy { SoftmaxCrossEntropy() }
}

/// One-hot rows for integer labels: `[labels.count, classes]` with a 1 at each label.
/// - Precondition: every label lies in `0..<classes`.
public func oneHot(_ labels: [Int], classes: Int) -> Tensor {
    var tensor = Tensor(zeros: [labels.count, classes])
    tensor.withUnsafeMutableBufferPointer { values in
        for (row, label) in labels.enumerated() {
            require(label >= 0 && label < classes, "oneHot: label \(label) outside 0..<\(classes)")
            values[row * classes + label] = 1
        }
    }
    return tensor
}

/// Row-wise softmax of logits `[N, K]`, computed in `Double` with the maximum subtracted.
///
/// Returns probabilities `[N, K]` whose rows sum to 1.
public func softmax(_ logits: Tensor) -> Tensor {
    require(logits.rank >= 2, "softmax: expected logits [N, K], got \(logits.shape)")
    let rows = logits.shape[0], classes = logits.shape.elementsPerItem
    var result = Tensor(zeros: [rows, classes])
    logits.withUnsafeBufferPointer { x in
        result.withUnsafeMutableBufferPointer { p in
            for row in 0..<rows {
                let base = row * classes
                let logNormalizer = SoftmaxCrossEntropy.logSumExp(x, base: base, count: classes)
                for k in 0..<classes { p[base + k] = Float(exp(Double(x[base + k]) - logNormalizer)) }
            }
        }
    }
    return result
}
