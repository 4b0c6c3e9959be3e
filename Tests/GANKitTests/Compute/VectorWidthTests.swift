import CGANKitKernels
import Testing
@testable import GANKit

/// On an AVX-512 CPU the GEMM kernels run at the vector width timed faster at
/// start-up (`gk_sgemm_vector_width`, `gk_unpacked_vector_width`). That choice
/// may differ between runs of the same program, so both widths must give the
/// same bits, and each must match the oracle (for the unpacked kernel's own
/// sizes, in ``UnpackedGEMMTests/matchesNaiveOracle(size:transposeA:)``).
@Suite(.enabled(if: gk_unpacked_available() != 0, "needs an AVX-512 CPU"))
struct VectorWidthTests {
    /// Runs `body` on this thread with the kernels forced to `bits`, one thread
    /// (the pool's threads do not take the forced width).
    static func at<Result>(_ bits: Int32, _ body: () -> Result) -> Result {
        let previous = gk_force_vector_width(bits)
        defer { gk_force_vector_width(previous) }
        #expect(gk_sgemm_vector_width(nil, nil) == bits && gk_unpacked_vector_width(nil, nil) == bits)
        return Parallelism.withThreadCount(1, body)
    }

    @Test func choiceWasTimedAtBothWidths() {
        for width in [gk_sgemm_vector_width, gk_unpacked_vector_width] {
            var rate256 = 0.0, rate512 = 0.0
            let bits = width(&rate256, &rate512)
            #expect(bits == 256 || bits == 512)
            #expect(rate256 > 0 && rate512 > 0, "rates \(rate256), \(rate512) GFLOP/s")
            // ymm only when it was clearly faster.
            #expect((bits == 256) == (rate256 > rate512 / 0.97), "\(bits) bits at \(rate256) / \(rate512) GFLOP/s")
        }
    }

    @Test(arguments: GEMMCases.sizes.indices, GEMMCases.transposes.indices)
    func packedWidthsAreBitIdentical(size: Int, transposes: Int) {
        let problem = GEMMCases.problem(GEMMCases.sizes[size], GEMMCases.transposes[transposes])
        let c = problem.initialC()
        for (alpha, beta) in GEMMCases.scalings {
            let narrow = Self.at(256) { problem.run(.builtin, alpha: alpha, beta: beta, c: c) }
            let wide = Self.at(512) { problem.run(.builtin, alpha: alpha, beta: beta, c: c) }
            #expect(narrow.map(\.bitPattern) == wide.map(\.bitPattern), "\(problem) alpha \(alpha) beta \(beta)")
            let bad = mismatches(narrow, naiveGEMM(problem, alpha: alpha, beta: beta, c: c), ldc: problem.ldc)
            #expect(bad.isEmpty, "\(problem) alpha \(alpha) beta \(beta) at 256 bits: \(bad)")
        }
    }

    /// A Dense layer's three products at batch 64 (on the unpacked kernel) give
    /// the same bits at both widths.
    @Test func denseProductsAreBitIdentical() {
        let (batch, inFeatures, outFeatures) = (64, 300, 70)
        var generator: UInt64 = 7
        let x = GEMMProblem.values(count: batch * inFeatures, generator: &generator)
        let w = GEMMProblem.values(count: outFeatures * inFeatures, generator: &generator)
        let dy = GEMMProblem.values(count: batch * outFeatures, generator: &generator)
        func products(_ bits: Int32) -> [[UInt32]] {
            Self.at(bits) {
                var y = [Float](repeating: .nan, count: batch * outFeatures)
                var dx = [Float](repeating: .nan, count: batch * inFeatures)
                var dw = [Float](repeating: .nan, count: outFeatures * inFeatures)
                DenseProducts.forward(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, x: x, w: w,
                                      y: &y, scratch: ScratchMemory())
                DenseProducts.inputGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, dy: dy,
                                            w: w, dx: &dx)
                DenseProducts.weightGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, dy: dy,
                                             x: x, beta: 0, dw: &dw)
                return [y, dx, dw].map { $0.map(\.bitPattern) }
            }
        }
        #expect(products(256) == products(512))
    }
}
