import Foundation

/// The eigenvalues and eigenvectors of a real symmetric matrix, computed in
/// `Double` by the cyclic Jacobi method.
///
/// `A = V · diag(λ) · Vᵀ` with `V` orthogonal. Jacobi rotations zero one
/// off-diagonal pair at a time; each sweep visits every pair once, and the
/// off-diagonal mass shrinks quadratically once it is small, so 128×128
/// covariance matrices (the Fréchet distance's case) converge in under ten
/// sweeps to full double precision. Slower than LAPACK's `dsyevd` for large
/// matrices, but exact to the last few ulps, dependency-free and
/// deterministic. See Golub & Van Loan, *Matrix Computations*, §8.5, or
/// Rutishauser, "The Jacobi method for real symmetric matrices", 1966.
///
/// ```swift
/// let eigen = SymmetricEigendecomposition([2, 1, 1, 2], dimension: 2)
/// eigen.eigenvalues   // [1, 3]
/// ```
struct SymmetricEigendecomposition: Sendable {
    /// The matrix size `n`.
    let dimension: Int
    /// The `n` eigenvalues in ascending order.
    let eigenvalues: [Double]
    /// The eigenvectors, row-major `n × n`: column `j` is the unit eigenvector of `eigenvalues[j]`.
    let eigenvectors: [Double]
    /// The number of Jacobi sweeps performed.
    let sweeps: Int

    /// Decomposes the symmetric matrix `matrix` (row-major, `dimension × dimension`).
    ///
    /// Only the symmetric part `(A + Aᵀ)/2` is used, so rounding asymmetry in the input does no harm.
    /// - Parameters:
    ///   - matrix: `dimension²` values, row-major.
    ///   - dimension: `n ≥ 0`.
    ///   - maximumSweeps: stop after this many sweeps even if not converged (default 60).
    /// - Precondition: `matrix.count == dimension²` and every value is finite.
    init(_ matrix: [Double], dimension: Int, maximumSweeps: Int = 60) {
        let n = dimension
        require(n >= 0 && matrix.count == n * n,
                "SymmetricEigendecomposition: \(matrix.count) values for a \(n)×\(n) matrix")
        require(matrix.allSatisfy(\.isFinite), "SymmetricEigendecomposition: the matrix has non-finite values")
        var a = matrix
        for i in 0..<n {
            for j in (i + 1)..<n {
                let mean = 0.5 * (a[i * n + j] + a[j * n + i])
                a[i * n + j] = mean
                a[j * n + i] = mean
            }
        }
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = a.reduce(0) { $0 + $1 * $1 }
        var sweep = 0
        while sweep < maximumSweeps {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where j != i { off += a[i * n + j] * a[i * n + j] } }
            // Converged when the off-diagonal mass is below rounding level of the whole matrix.
            if off <= scale * 1e-30 || off == 0 { break }
            sweep += 1
            for p in 0..<max(n - 1, 0) {
                for q in (p + 1)..<n {
                    Self.rotate(&a, &v, n: n, p: p, q: q)
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] < a[$1 * n + $1] }
        eigenvalues = order.map { a[$0 * n + $0] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (column, source) in order.enumerated() {
            for row in 0..<n { vectors[row * n + column] = v[row * n + source] }
        }
        eigenvectors = vectors
        self.dimension = n
        sweeps = sweep
    }

    /// Applies the rotation J(p, q, φ) that zeroes `a[p][q]`: `A ← Jᵀ A J`, `V ← V J`.
    ///
    /// With θ = (a_qq − a_pp) / (2 a_pq), t = tan φ is the smaller root of
    /// t² + 2θt − 1 = 0, i.e. sign(θ) / (|θ| + √(θ² + 1)), c = 1/√(t² + 1), s = t·c.
    /// Buffers: `a` and `v` are row-major `n × n`.
    @inline(__always)
    private static func rotate(_ a: inout [Double], _ v: inout [Double], n: Int, p: Int, q: Int) {
        let apq = a[p * n + q]
        if apq == 0 { return }
        let app = a[p * n + p], aqq = a[q * n + q]
        let theta = (aqq - app) / (2 * apq)
        let t: Double
        if abs(theta) > 1e150 {
            t = 1 / (2 * theta)  // θ² would overflow; t ≈ 1/(2θ)
        } else {
            t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
        }
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        a.withUnsafeMutableBufferPointer { m in
            for k in 0..<n {  // columns p and q
                let akp = m[k * n + p], akq = m[k * n + q]
                m[k * n + p] = c * akp - s * akq
                m[k * n + q] = s * akp + c * akq
            }
            for k in 0..<n {  // rows p and q
                let apk = m[p * n + k], aqk = m[q * n + k]
                m[p * n + k] = c * apk - s * aqk
                m[q * n + k] = s * apk + c * aqk
            }
            m[p * n + q] = 0
            m[q * n + p] = 0
        }
        v.withUnsafeMutableBufferPointer { m in
            for k in 0..<n {
                let vkp = m[k * n + p], vkq = m[k * n + q]
                m[k * n + p] = c * vkp - s * vkq
                m[k * n + q] = s * vkp + c * vkq
            }
        }
    }

    /// `V · diag(f(λ)) · Vᵀ`, row-major `n × n`: a function of the matrix (e.g. `f = √` for its square root).
    func applying(_ function: (Double) -> Double) -> [Double] {
        let n = dimension
        let scaled = eigenvalues.map(function)
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for k in 0..<n { sum += eigenvectors[i * n + k] * scaled[k] * eigenvectors[j * n + k] }
                result[i * n + j] = sum
                result[j * n + i] = sum
            }
        }
        return result
    }
}

/// `A · B` for row-major `n × n` matrices in `Double` (small matrices; a plain triple loop in i-k-j order).
func multiplySquare(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for k in 0..<n {
            let aik = a[i * n + k]
            if aik == 0 { continue }
            for j in 0..<n { c[i * n + j] += aik * b[k * n + j] }
        }
    }
    return c
}
