/// Sums and means over the whole tensor or one axis.
///
/// Sums accumulate in `Double` so that the result does not depend on summation
/// order noise in `Float` (and is reproducible).
extension Tensor {
    /// The sum of all elements.
    public func sum() -> Float {
        withUnsafeBufferPointer { values in Float(values.reduce(0.0) { $0 + Double($1) }) }
    }

    /// The mean of all elements (0 for an empty tensor).
    public func mean() -> Float { count == 0 ? 0 : Float(Double(sum()) / Double(count)) }

    /// The largest element. - Precondition: not empty.
    public func max() -> Float {
        require(count > 0, "Tensor.max: expected a non-empty tensor, got shape \(shape)")
        return withUnsafeBufferPointer { $0.max()! }
    }

    /// The smallest element. - Precondition: not empty.
    public func min() -> Float {
        require(count > 0, "Tensor.min: expected a non-empty tensor, got shape \(shape)")
        return withUnsafeBufferPointer { $0.min()! }
    }

    /// Sums over `axis`, removing it: `[2, 3, 4].sum(alongAxis: 1)` has shape `[2, 4]`.
    /// - Precondition: `0 <= axis < rank`.
    public func sum(alongAxis axis: Int) -> Tensor {
        require(axis >= 0 && axis < rank, "Tensor.sum(alongAxis: \(axis)): axis out of range for shape \(shape)")
        let outer = shape.prefix(axis).reduce(1, *)
        let length = shape[axis]
        let inner = shape.suffix(from: axis + 1).reduce(1, *)
        var resultShape = Array(shape)
        resultShape.remove(at: axis)
        var result = Tensor(zeros: TensorShape(resultShape))
        var accumulator = [Double](repeating: 0, count: inner)
        result.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { values in
                for o in 0..<outer {
                    for i in 0..<inner { accumulator[i] = 0 }
                    for l in 0..<length {
                        let base = (o * length + l) * inner
                        for i in 0..<inner { accumulator[i] += Double(values[base + i]) }
                    }
                    for i in 0..<inner { out[o * inner + i] = Float(accumulator[i]) }
                }
            }
        }
        return result
    }

    /// The mean over `axis`, removing it. - Precondition: `0 <= axis < rank`.
    public func mean(alongAxis axis: Int) -> Tensor {
        require(axis >= 0 && axis < rank, "Tensor.mean(alongAxis: \(axis)): axis out of range for shape \(shape)")
        let length = Float(shape[axis])
        return sum(alongAxis: axis).map { length == 0 ? 0 : $0 / length }
    }

    /// The population variance of all elements.
    public func variance() -> Float {
        let mean = Double(self.mean())
        return withUnsafeBufferPointer { values in
            Float(values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(Swift.max(count, 1)))
        }
    }

    /// Whether every element is finite (no NaN or infinity).
    public var isFinite: Bool { withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) } }
}
