import Foundation

/// Noise vectors on the great circle from `start` to `end`: spherical linear
/// interpolation ("slerp"), the latent walks of the DCGAN paper (Radford et al. 2015,
/// §6.1) as White (2016, <https://arxiv.org/abs/1609.04468>) recommends for Gaussian
/// noise, whose samples lie near a sphere — a straight line would pass through the
/// low-norm middle that the generator never saw.
///
/// - Parameters:
///   - start: one noise vector, `[latentDimension]` or `[1, latentDimension]`.
///   - end: another of the same size.
///   - steps: the number of vectors, ≥ 2; the first is `start`, the last `end`.
/// - Returns: `[steps, latentDimension]`. Nearly parallel vectors fall back to linear interpolation.
public func sphericalInterpolation(from start: Tensor, to end: Tensor, steps: Int) -> Tensor {
    require(start.count == end.count && start.count >= 1 && steps >= 2,
            "sphericalInterpolation: expected two noise vectors of one size and steps ≥ 2, got \(start.shape), \(end.shape), \(steps)")
    let a = start.scalars.map(Double.init), b = end.scalars.map(Double.init)
    let norms = (a.reduce(0) { $0 + $1 * $1 }.squareRoot(), b.reduce(0) { $0 + $1 * $1 }.squareRoot())
    let cosine = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / max(norms.0 * norms.1, .leastNormalMagnitude)
    let omega = acos(min(1, max(-1, cosine)))
    var values: [Float] = []
    values.reserveCapacity(steps * a.count)
    for step in 0..<steps {
        let t = Double(step) / Double(steps - 1)
        let (wa, wb) = sin(omega) < 1e-6 ? (1 - t, t) : (sin((1 - t) * omega) / sin(omega), sin(t * omega) / sin(omega))
        values += zip(a, b).map { Float(wa * $0 + wb * $1) }
    }
    return Tensor(shape: [steps, a.count], values: values)
}
