import Foundation
import Testing
@testable import GANKit

/// The Jacobi eigensolver and the Fréchet distance against hand-computed values and numpy/scipy.
@Suite struct FrechetDistanceTests {
    // MARK: - Symmetric eigendecomposition

    @Test func twoByTwoByHand() {
        // [[2, 1], [1, 2]]: eigenvalues 2 ∓ 1, eigenvectors (1, ∓1)/√2.
        let eigen = SymmetricEigendecomposition([2, 1, 1, 2], dimension: 2)
        expectApproximatelyEqual(eigen.eigenvalues, [1, 3], absolute: 1e-14, relative: 0)
        let v = eigen.eigenvectors  // column j belongs to eigenvalue j
        #expect(abs(abs(v[0]) - 0.5.squareRoot()) < 1e-14 && abs(v[0] + v[2]) < 1e-14)
        #expect(abs(v[1] - v[3]) < 1e-14)
    }

    @Test func threeByThreeMatchesNumpy() {
        // import numpy as np
        // np.linalg.eigh(np.array([[4., 1., -2.], [1., 2., 0.], [-2., 0., 3.]]))[0]
        // → [1., 2.2679491924311233, 5.732050807568877]   (1, 4 − √3, 4 + √3)
        let matrix: [Double] = [4, 1, -2, 1, 2, 0, -2, 0, 3]
        let eigen = SymmetricEigendecomposition(matrix, dimension: 3)
        expectApproximatelyEqual(eigen.eigenvalues, [1, 2.2679491924311233, 5.732050807568877],
                                 absolute: 1e-13, relative: 0)
        // A = V diag(λ) Vᵀ.
        expectApproximatelyEqual(eigen.applying { $0 }, matrix, absolute: 1e-13, relative: 0)
    }

    @Test func reconstructsARandomMatrixWithOrthonormalVectors() {
        // B Bᵀ for a seeded 30×30 B: symmetric positive semi-definite, like a covariance.
        let n = 30
        var rng = SeededGenerator(seed: 5)
        let b = (0..<(n * n)).map { _ in Double(rng.nextNormal()) }
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { matrix[i * n + j] += b[i * n + k] * b[j * n + k] } } }
        let eigen = SymmetricEigendecomposition(matrix, dimension: n)
        #expect(eigen.sweeps < 15)
        #expect(zip(eigen.eigenvalues, eigen.eigenvalues.dropFirst()).allSatisfy { $0 <= $1 })
        expectApproximatelyEqual(eigen.applying { $0 }, matrix, absolute: 1e-10, relative: 0)
        // VᵀV = I.
        let v = eigen.eigenvectors
        var gram = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { gram[i * n + j] += v[k * n + i] * v[k * n + j] } } }
        let identity = (0..<(n * n)).map { $0 / n == $0 % n ? 1.0 : 0.0 }
        expectApproximatelyEqual(gram, identity, absolute: 1e-12, relative: 0)
        // The square root squares back to the matrix.
        let root = eigen.applying { max($0, 0).squareRoot() }
        expectApproximatelyEqual(multiplySquare(root, root, n: n), matrix, absolute: 1e-9, relative: 0)
    }

    // MARK: - Statistics and distance

    /// x and y of the numpy/scipy reference below (6 and 7 points in 3-D).
    static let x: [Float] = [1, 2, 0, 0, 1, 1, 2, 2, 1, 1, 0, 0, 3, 1, 2, 0, 0, 1]
    static let y: [Float] = [2, 1, 1, 1, 1, 0, 0, 2, 2, 2, 3, 1, 1, 1, 1, 3, 0, 0, 1, 2, 2]

    @Test func statisticsMatchNumpy() {
        // np.cov(x, rowvar=False).ravel() → [1.366666666666667, 0.4, 0.43333333333333335,
        //   0.4, 0.8, 0., 0.43333333333333335, 0., 0.5666666666666667]; mean = [7/6, 1, 5/6]
        let statistics = FeatureStatistics(features: Tensor(shape: [6, 3], values: Self.x))
        expectApproximatelyEqual(statistics.mean, [7.0 / 6, 1, 5.0 / 6], absolute: 1e-15, relative: 0)
        expectApproximatelyEqual(statistics.covariance, [1.366666666666667, 0.4, 0.43333333333333335, 0.4, 0.8, 0,
                                                         0.43333333333333335, 0, 0.5666666666666667],
                                 absolute: 1e-15, relative: 0)
    }

    @Test func distanceMatchesScipy() {
        // pytorch-fid's formula, with scipy's (non-symmetric) matrix square root:
        //   import numpy as np, scipy.linalg as sl
        //   m1, m2 = x.mean(0), y.mean(0); s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
        //   cs = sl.sqrtm(s1 @ s2).real
        //   ((m1 - m2)**2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(cs)   → 1.3099922450409602
        let first = FeatureStatistics(features: Tensor(shape: [6, 3], values: Self.x))
        let second = FeatureStatistics(features: Tensor(shape: [7, 3], values: Self.y))
        #expect(abs(frechetDistance(first, second) - 1.3099922450409602) < 1e-12)
        #expect(abs(frechetDistance(second, first) - 1.3099922450409602) < 1e-12)
        #expect(abs(frechetDistance(first, first)) < 1e-12)
    }

    @Test func oneDimensionalAndDiagonalCasesByHand() {
        // 1-D: FD = (μ₁ − μ₂)² + σ₁² + σ₂² − 2σ₁σ₂ = (μ₁ − μ₂)² + (σ₁ − σ₂)².
        let a = FeatureStatistics(mean: [1], covariance: [4], count: 10)
        let b = FeatureStatistics(mean: [3], covariance: [9], count: 10)
        #expect(abs(frechetDistance(a, b) - (4 + 1)) < 1e-12)
        // Diagonal: Σ (μ diff)² + Σ (√aᵢ − √bᵢ)² = (1 + 0) + ((1 − 2)² + (3 − 0)²) = 11.
        let c = FeatureStatistics(mean: [0, 0], covariance: [1, 0, 0, 9], count: 10)
        let d = FeatureStatistics(mean: [1, 0], covariance: [4, 0, 0, 0], count: 10)
        #expect(abs(frechetDistance(c, d) - 11) < 1e-12)
        // A rotated copy: same eigenvalues, different axes. Σ₁ = diag(4, 1), Σ₂ = R diag(4, 1) Rᵀ, R = 90°:
        // Σ₂ = diag(1, 4), so FD = (2 − 1)² + (1 − 2)² = 2.
        let e = FeatureStatistics(mean: [0, 0], covariance: [4, 0, 0, 1], count: 10)
        let f = FeatureStatistics(mean: [0, 0], covariance: [1, 0, 0, 4], count: 10)
        #expect(abs(frechetDistance(e, f) - 2) < 1e-12)
    }

    @Test func rankDeficientCovariancesStayFinite() {
        // A set of identical vectors (a collapsed generator) has Σ = 0: FD = ‖μ₁ − μ₂‖² + Tr Σ₂.
        let collapsed = FeatureStatistics(features: Tensor(shape: [4, 2], values: [1, 2, 1, 2, 1, 2, 1, 2]))
        let spread = FeatureStatistics(mean: [0, 0], covariance: [2, 1, 1, 3], count: 10)
        #expect(abs(frechetDistance(collapsed, spread) - (1 + 4 + 2 + 3)) < 1e-12)
    }
}
