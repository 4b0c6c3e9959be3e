@testable import GANKit

/// A row-major matrix problem for GEMM tests: deterministic pseudo-random
/// operands, stored with optional padding after each row (so `ld > columns`).
struct GEMMProblem: CustomStringConvertible, Sendable {
    let m: Int, n: Int, k: Int
    let transposeA: Bool, transposeB: Bool
    /// Extra floats after each stored row of A, B and C.
    let padding: Int
    /// Stored A: `m × k`, or `k × m` when transposed, row stride `lda`.
    let a: [Float]
    /// Stored B: `k × n`, or `n × k` when transposed, row stride `ldb`.
    let b: [Float]
    let lda: Int, ldb: Int, ldc: Int

    init(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, padding: Int = 0, seed: UInt64 = 1) {
        self.m = m; self.n = n; self.k = k
        self.transposeA = transposeA; self.transposeB = transposeB; self.padding = padding
        lda = (transposeA ? m : k) + padding
        ldb = (transposeB ? k : n) + padding
        ldc = n + padding
        var generator = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        a = GEMMProblem.values(count: (transposeA ? k : m) * lda, generator: &generator)
        b = GEMMProblem.values(count: (transposeB ? n : k) * ldb, generator: &generator)
    }

    var description: String {
        "\(m)×\(n)×\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")\(padding > 0 ? " pad \(padding)" : "")"
    }

    /// Values in [-1, 1) from a 64-bit LCG (same sequence on every platform).
    static func values(count: Int, generator: inout UInt64) -> [Float] {
        (0..<count).map { _ in
            generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(generator >> 40) - (1 << 23)) / Float(1 << 23)
        }
    }

    /// A C matrix (`m × ldc`) of pseudo-random values, or all `fill` when given.
    func initialC(fill: Float? = nil, seed: UInt64 = 7) -> [Float] {
        if let fill { return [Float](repeating: fill, count: m * ldc) }
        var generator = seed
        return GEMMProblem.values(count: m * ldc, generator: &generator)
    }

    /// op(A)[i][p] and op(B)[p][j].
    func opA(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * lda + i] : a[i * lda + p] }
    func opB(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * ldb + p] : b[p * ldb + j] }

    /// Runs `backend` on a copy of `c` and returns it.
    func run(_ backend: Backend, alpha: Float, beta: Float, c: [Float]) -> [Float] {
        var result = c
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                result.withUnsafeMutableBufferPointer { cBuffer in
                    backend.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                 a: aBuffer.baseAddress!, lda: lda, b: bBuffer.baseAddress!, ldb: ldb,
                                 beta: beta, c: cBuffer.baseAddress!, ldc: ldc)
                }
            }
        }
        return result
    }
}

/// The test oracle: a naive triple loop in Double.
///
/// Returns, for every element of C (`m × ldc`, padding included), the exact-ish
/// expected value and an error bound for a Float computation of it:
/// (k + 2)·2ε·(|alpha|·Σₚ|a·b| + |beta·c|). With `beta == 0` the old C is
/// ignored entirely (NaNs included), as BLAS specifies. Padding elements must
/// stay as they were (bound 0).
func naiveGEMM(_ problem: GEMMProblem, alpha: Float, beta: Float, c: [Float])
    -> (expected: [Double], tolerance: [Double]) {
    var expected = c.map(Double.init)
    var tolerance = [Double](repeating: 0, count: c.count)
    let epsilon = Double(Float.ulpOfOne)
    for i in 0..<problem.m {
        for j in 0..<problem.n {
            var sum = 0.0, magnitude = 0.0
            for p in 0..<problem.k {
                let product = Double(problem.opA(i, p)) * Double(problem.opB(p, j))
                sum += product
                magnitude += abs(product)
            }
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * problem.ldc + j])
            expected[i * problem.ldc + j] = Double(alpha) * sum + old
            tolerance[i * problem.ldc + j] = Double(problem.k + 2) * 2 * epsilon
                * (abs(Double(alpha)) * magnitude + abs(old)) + 1e-30
        }
    }
    return (expected, tolerance)
}

/// The indices where `result` is farther from `expected` than `tolerance`
/// (NaN counts as far), at most `limit` of them, as readable text.
func mismatches(_ result: [Float], _ oracle: (expected: [Double], tolerance: [Double]), ldc: Int,
                limit: Int = 5) -> [String] {
    var found: [String] = []
    for index in result.indices where !(abs(Double(result[index]) - oracle.expected[index]) <= oracle.tolerance[index]) {
        found.append("C[\(index / ldc), \(index % ldc)] = \(result[index]), expected \(oracle.expected[index])")
        if found.count == limit { break }
    }
    return found
}


/// Shared argument lists for the GEMM test suites.
enum GEMMCases {
    /// (m, n, k, padding): single elements, rows and columns of C (the
    /// matrix–vector paths), k == 1 (the outer-product path), odd sizes smaller than one register tile, sizes
    /// crossing tile edges, and one crossing the MC (96) and KC (256) blocks.
    static let sizes: [(Int, Int, Int, Int)] = [
        (1, 1, 1, 0), (1, 1, 37, 0), (1, 57, 19, 0), (1, 40, 33, 2), (23, 1, 41, 0), (45, 1, 64, 3),
        (13, 21, 1, 2), (64, 40, 1, 0),
        (7, 13, 5, 0), (6, 8, 256, 0), (33, 65, 17, 0), (33, 65, 17, 5), (128, 96, 200, 0), (97, 70, 300, 1),
    ]

    /// The four (transposeA, transposeB) combinations.
    static let transposes: [(Bool, Bool)] = [(false, false), (false, true), (true, false), (true, true)]

    /// (alpha, beta) pairs: plain product, scaled, accumulate, both scaled, alpha 0.
    static let scalings: [(Float, Float)] = [(1, 0), (0.5, 0), (1, 1), (-1.5, 0.25), (0, 2)]

    /// A problem for one size and transpose combination.
    static func problem(_ size: (Int, Int, Int, Int), _ transposes: (Bool, Bool), seed: UInt64 = 1) -> GEMMProblem {
        GEMMProblem(m: size.0, n: size.1, k: size.2, transposeA: transposes.0, transposeB: transposes.1,
                    padding: size.3, seed: seed)
    }

    /// Checks `backend` against the naive oracle for every scaling; returns the
    /// failures as text (empty when all match).
    static func check(_ backend: Backend, _ problem: GEMMProblem) -> [String] {
        var failures: [String] = []
        let c = problem.initialC()
        for (alpha, beta) in scalings {
            let result = problem.run(backend, alpha: alpha, beta: beta, c: c)
            let bad = mismatches(result, naiveGEMM(problem, alpha: alpha, beta: beta, c: c), ldc: problem.ldc)
            if !bad.isEmpty { failures.append("\(problem) alpha \(alpha) beta \(beta): \(bad)") }
        }
        return failures
    }
}
