import Foundation

/// The mean and covariance of a set of feature vectors, in `Double`: what the
/// Fréchet distance compares.
///
/// Features `[N, D]` → mean `[D]` and the unbiased covariance `[D, D]`
/// (divided by `N − 1`, as `numpy.cov(rowvar=False)` and pytorch-fid compute
/// it). The features are centred before the products are accumulated, in
/// `Double`, so large means do not cost precision.
public struct FeatureStatistics: Sendable, Equatable {
    /// The number of feature vectors `N` the statistics were computed from.
    public let count: Int
    /// The feature length `D`.
    public let dimension: Int
    /// The mean vector, `D` values.
    public let mean: [Double]
    /// The covariance, row-major `D × D`, divided by `N − 1`.
    public let covariance: [Double]

    /// Computes the statistics of `features` `[N, D]` (any rank ≥ 2 is read as `[N, rest]`).
    /// - Precondition: `N ≥ 2` and every value is finite.
    public init(features: Tensor) {
        require(features.rank >= 2 && features.shape[0] >= 2,
                "FeatureStatistics: expected features [N, D] with N ≥ 2, got \(features.shape)")
        let n = features.shape[0], d = features.shape.elementsPerItem
        var mean = [Double](repeating: 0, count: d)
        var covariance = [Double](repeating: 0, count: d * d)
        features.withUnsafeBufferPointer { x in
            require(x.allSatisfy(\.isFinite), "FeatureStatistics: the features have non-finite values")
            for row in 0..<n { for j in 0..<d { mean[j] += Double(x[row * d + j]) } }
            for j in 0..<d { mean[j] /= Double(n) }
            var centered = [Double](repeating: 0, count: d)
            covariance.withUnsafeMutableBufferPointer { c in
                for row in 0..<n {
                    for j in 0..<d { centered[j] = Double(x[row * d + j]) - mean[j] }
                    for i in 0..<d {
                        let ci = centered[i]
                        if ci == 0 { continue }  // ReLU features are often exactly at the mean (0)
                        for j in i..<d { c[i * d + j] += ci * centered[j] }
                    }
                }
                for i in 0..<d {
                    for j in i..<d {
                        let value = c[i * d + j] / Double(n - 1)
                        c[i * d + j] = value
                        c[j * d + i] = value
                    }
                }
            }
        }
        self.init(mean: mean, covariance: covariance, count: n)
    }

    /// Creates statistics from a known mean `[D]` and covariance `[D, D]` (row-major).
    /// - Precondition: `covariance.count == mean.count²`.
    public init(mean: [Double], covariance: [Double], count: Int) {
        require(covariance.count == mean.count * mean.count,
                "FeatureStatistics: covariance has \(covariance.count) values for dimension \(mean.count)")
        self.mean = mean
        self.covariance = covariance
        self.count = count
        dimension = mean.count
    }
}

/// The Fréchet distance between two Gaussians fitted to feature sets: the
/// squared 2-Wasserstein distance between N(μ₁, Σ₁) and N(μ₂, Σ₂).
///
///     FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)
///
/// With Inception features this is the FID of Heusel et al., "GANs Trained by
/// a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", 2017,
/// <https://arxiv.org/abs/1706.08500>; with a domain classifier's features it
/// is TF-GAN's "Fréchet classifier distance". Lower is better; 0 means equal
/// means and covariances.
///
/// `Tr((Σ₁Σ₂)^½)` is computed in the symmetric form: `A = Σ₁^½` (from a
/// ``SymmetricEigendecomposition`` with negative rounding-level eigenvalues
/// clipped to 0), then `Tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(A Σ₂ A)`, since `A Σ₂ A` is
/// similar to `Σ₁ Σ₂` and symmetric positive semi-definite. This avoids the
/// complex intermediate values `scipy.linalg.sqrtm` produces on the
/// non-symmetric product.
///
/// - Precondition: both statistics have the same dimension.
public func frechetDistance(_ first: FeatureStatistics, _ second: FeatureStatistics) -> Double {
    require(first.dimension == second.dimension,
            "frechetDistance: feature dimensions \(first.dimension) and \(second.dimension) differ")
    let d = first.dimension
    var meanTerm = 0.0
    for j in 0..<d {
        let difference = first.mean[j] - second.mean[j]
        meanTerm += difference * difference
    }
    var traces = 0.0
    for j in 0..<d { traces += first.covariance[j * d + j] + second.covariance[j * d + j] }
    return meanTerm + traces - 2 * traceOfSquareRootProduct(first.covariance, second.covariance, dimension: d)
}

/// `Tr((Σ₁ Σ₂)^½)` for symmetric positive semi-definite `Σ₁`, `Σ₂` (row-major `d × d`),
/// as `Σᵢ √max(λᵢ(Σ₁^½ Σ₂ Σ₁^½), 0)`.
func traceOfSquareRootProduct(_ first: [Double], _ second: [Double], dimension d: Int) -> Double {
    let root = SymmetricEigendecomposition(first, dimension: d).applying { max($0, 0).squareRoot() }
    let product = multiplySquare(multiplySquare(root, second, n: d), root, n: d)
    let eigenvalues = SymmetricEigendecomposition(product, dimension: d).eigenvalues
    return eigenvalues.reduce(0) { $0 + max($1, 0).squareRoot() }
}
