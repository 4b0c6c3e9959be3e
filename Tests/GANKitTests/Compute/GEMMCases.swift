@testable import GANKit

/// Shared argument lists for the GEMM test suites.
enum GEMMCases {
    /// (m, n, k, padding): single elements, rows and columns of C (the
    /// matrix–vector paths), odd sizes smaller than one register tile, sizes
    /// crossing tile edges, and one crossing the MC (96) and KC (256) blocks.
    static let sizes: [(Int, Int, Int, Int)] = [
        (1, 1, 1, 0), (1, 1, 37, 0), (1, 57, 19, 0), (1, 40, 33, 2), (23, 1, 41, 0), (45, 1, 64, 3),
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
