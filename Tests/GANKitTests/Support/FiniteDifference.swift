@testable import GANKit

/// Central-difference derivatives of a scalar function of a tensor, in `Double`.
///
/// For each element, `(f(x + h·eᵢ) − f(x − h·eᵢ)) / (x⁺ − x⁻)`, where the
/// denominator is the difference actually represented after rounding x ± h
/// to `Float`, so rounding of the step does not bias the estimate.
func centralDifferenceGradient(of function: (Tensor) -> Float, at point: Tensor, step: Float = 1e-3) -> [Double] {
    var probe = point
    let values = point.scalars
    return values.indices.map { index in
        let original = values[index]
        let plus = original + step, minus = original - step
        probe.withUnsafeMutableBufferPointer { $0[index] = plus }
        let high = Double(function(probe))
        probe.withUnsafeMutableBufferPointer { $0[index] = minus }
        let low = Double(function(probe))
        probe.withUnsafeMutableBufferPointer { $0[index] = original }
        return (high - low) / (Double(plus) - Double(minus))
    }
}

/// Seeded values in `range`, kept at least `margin` away from each of `kinks`
/// (inputs of hinge, clamp or ReLU-like losses must not straddle a kink).
func seededValues(_ count: Int, in range: ClosedRange<Float>, avoiding kinks: [Float] = [], margin: Float = 0.05,
                  seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    var values: [Float] = []
    while values.count < count {
        let value = range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnitFloat()
        if kinks.allSatisfy({ abs(value - $0) >= margin }) { values.append(value) }
    }
    return values
}
