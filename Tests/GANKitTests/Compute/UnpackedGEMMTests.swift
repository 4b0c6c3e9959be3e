import CGANKitKernels
import Testing
@testable import GANKit

/// `gk_sgemm_unpacked` (Dense layers' skinny products on AVX-512) against the
/// Double oracle, and ``DenseProducts`` against the active backend (at every kernel
/// level: below AVX-512 they go to the backend, and `gk_transpose` to a plain loop).
@Suite(.enabled(if: gk_unpacked_available() != 0, "needs an AVX-512 CPU"))
struct UnpackedGEMMTests {
    /// (rows, columns, depth, padding): rows around the 6-row tile, columns around
    /// the 16-float vector and 64-column block, the MLP-GAN's batch of 64; depths up
    /// to 256 with more than one row tile copy B's blocks into a panel, deeper ones
    /// (and single tiles) read B in place.
    static let sizes: [(Int, Int, Int, Int)] = [
        (1, 1, 1, 0), (5, 15, 7, 0), (6, 16, 33, 1), (7, 17, 64, 0), (13, 63, 5, 2), (12, 64, 100, 0),
        (64, 65, 40, 3), (20, 130, 19, 0), (64, 100, 256, 0), (20, 70, 300, 2), (5, 40, 257, 0),
    ]

    /// Runs the kernel on `problem` (op(B) must be B itself), with A read through
    /// its strides, into a copy of `c` laid out as C or, when `transposedC`, as Cᵀ.
    static func unpacked(_ problem: GEMMProblem, alpha: Float, beta: Float, c: [Float], transposedC: Bool) -> [Float] {
        precondition(!problem.transposeB)
        var result = transposedC ? transpose(c, problem) : c
        let cStride = transposedC ? problem.m + problem.padding : problem.ldc
        problem.a.withUnsafeBufferPointer { a in
            problem.b.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { target in
                    gk_sgemm_unpacked(problem.m, problem.n, problem.k, alpha, a.baseAddress!,
                                      problem.transposeA ? 1 : problem.lda, problem.transposeA ? problem.lda : 1,
                                      b.baseAddress!, problem.ldb, beta, target.baseAddress!, cStride,
                                      transposedC ? 1 : 0)
                }
            }
        }
        return transposedC ? untranspose(result, problem) : result
    }

    /// C (`m × ldc`) as Cᵀ (`n × (m + padding)`), padding kept as is.
    static func transpose(_ c: [Float], _ p: GEMMProblem) -> [Float] {
        let stride = p.m + p.padding
        var result = [Float](repeating: 12345, count: p.n * stride)
        for i in 0..<p.m { for j in 0..<p.n { result[j * stride + i] = c[i * p.ldc + j] } }
        return result
    }

    /// The inverse of ``transpose(_:_:)`` for the m × n part, with C's own padding values
    /// untouched (set to what the oracle expects: the initial C's).
    static func untranspose(_ t: [Float], _ p: GEMMProblem) -> [Float] {
        let stride = p.m + p.padding
        var result = p.initialC()
        for i in 0..<p.m { for j in 0..<p.n { result[i * p.ldc + j] = t[j * stride + i] } }
        return result
    }

    /// At both vector widths, which must also agree bit for bit (``VectorWidthTests``).
    @Test(arguments: sizes.indices, [false, true])
    func matchesNaiveOracle(size: Int, transposeA: Bool) {
        let (m, n, k, padding) = Self.sizes[size]
        let problem = GEMMProblem(m: m, n: n, k: k, transposeA: transposeA, transposeB: false, padding: padding)
        let c = problem.initialC()
        for transposedC in [false, true] {
            for (alpha, beta) in GEMMCases.scalings {
                let context = "\(problem) alpha \(alpha) beta \(beta) transposed C \(transposedC)"
                let results = [256, 512].map { bits in
                    VectorWidthTests.at(Int32(bits)) { Self.unpacked(problem, alpha: alpha, beta: beta, c: c, transposedC: transposedC) }
                }
                #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern), "\(context): widths differ")
                let bad = mismatches(results[1], naiveGEMM(problem, alpha: alpha, beta: beta, c: c), ldc: problem.ldc)
                #expect(bad.isEmpty, "\(context): \(bad)")
            }
        }
    }

    @Test func betaZeroIgnoresNaNInC() {
        let problem = GEMMProblem(m: 13, n: 70, k: 9, transposeA: true, transposeB: false)
        let c = problem.initialC(fill: .nan)
        for transposedC in [false, true] {
            let result = Self.unpacked(problem, alpha: 1, beta: 0, c: c, transposedC: transposedC)
            let bad = mismatches(result, naiveGEMM(problem, alpha: 1, beta: 0, c: c), ldc: problem.ldc)
            #expect(bad.isEmpty, "transposed C \(transposedC): \(bad)")
        }
    }

    /// Cutting C into row tiles and column blocks (as threads do) gives the same bits.
    @Test func splitsAreBitIdentical() {
        let problem = GEMMProblem(m: 64, n: 150, k: 77, transposeA: false, transposeB: false)
        let whole = Self.unpacked(problem, alpha: 1, beta: 0, c: problem.initialC(), transposedC: false)
        var pieces = problem.initialC()
        problem.a.withUnsafeBufferPointer { a in
            problem.b.withUnsafeBufferPointer { b in
                pieces.withUnsafeMutableBufferPointer { c in
                    for (rowStart, rowEnd) in [(0, 12), (12, 30), (30, 64)] {
                        for (columnStart, columnEnd) in [(0, 64), (64, 128), (128, 150)] {
                            gk_sgemm_unpacked(rowEnd - rowStart, columnEnd - columnStart, problem.k, 1,
                                              a.baseAddress! + rowStart * problem.lda, problem.lda, 1,
                                              b.baseAddress! + columnStart, problem.ldb, 0,
                                              c.baseAddress! + rowStart * problem.ldc + columnStart, problem.ldc, 0)
                        }
                    }
                }
            }
        }
        #expect(whole.map(\.bitPattern) == pieces.map(\.bitPattern))
    }

    @Test(arguments: KernelLevel.supported)
    func transposeMatchesDefinition(level: KernelLevel) {
        for (rows, columns, stride) in [(1, 1, 1), (8, 8, 8), (13, 21, 25), (64, 784, 784), (9, 100, 100)] {
            var generator: UInt64 = 3
            let source = GEMMProblem.values(count: rows * stride, generator: &generator)
            var target = [Float](repeating: .nan, count: rows * columns)
            KernelLevel.withCap(level) { gk_transpose(rows, columns, source, stride, &target) }
            var wrong = 0
            for i in 0..<rows { for p in 0..<columns where target[p * rows + i] != source[i * stride + p] { wrong += 1 } }
            #expect(wrong == 0, "\(rows)×\(columns) stride \(stride): \(wrong) wrong")
        }
    }

    /// The three Dense products at batch 64 (the unpacked kernel) agree with the
    /// active backend's `gemm` for the same operands; the larger size is split
    /// over the threads.
    @Test(arguments: [(64, 150, 40), (64, 300, 100)], KernelLevel.supported)
    func denseProductsMatchTheBackend(shape: (Int, Int, Int), level: KernelLevel) {
        KernelLevel.withCap(level) {
            denseProductsMatchTheBackend(batch: shape.0, inFeatures: shape.1, outFeatures: shape.2)
        }
    }

    private func denseProductsMatchTheBackend(batch: Int, inFeatures: Int, outFeatures: Int) {
        var generator: UInt64 = 5
        let x = GEMMProblem.values(count: batch * inFeatures, generator: &generator)
        let w = GEMMProblem.values(count: outFeatures * inFeatures, generator: &generator)
        let dy = GEMMProblem.values(count: batch * outFeatures, generator: &generator)
        let start = GEMMProblem.values(count: outFeatures * inFeatures, generator: &generator)
        let scratch = ScratchMemory()

        func backend(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ lda: Int, _ b: [Float],
                     _ ldb: Int, beta: Float = 0, c: [Float]) -> [Float] {
            var c = c
            Backend.current.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b,
                                 ldb: ldb, beta: beta, c: &c, ldc: n)
            return c
        }
        func close(_ a: [Float], _ b: [Float]) -> Bool {
            zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }
        }

        var y = [Float](repeating: .nan, count: batch * outFeatures)
        DenseProducts.forward(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, x: x, w: w, y: &y,
                              scratch: scratch)
        #expect(close(y, backend(false, true, batch, outFeatures, inFeatures, x, inFeatures, w, inFeatures,
                                 c: [Float](repeating: 0, count: batch * outFeatures))))

        var dx = [Float](repeating: .nan, count: batch * inFeatures)
        DenseProducts.inputGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, dy: dy, w: w,
                                    dx: &dx)
        #expect(close(dx, backend(false, false, batch, inFeatures, outFeatures, dy, outFeatures, w, inFeatures,
                                  c: [Float](repeating: 0, count: batch * inFeatures))))

        for beta: Float in [0, 1] {
            var dw = start
            DenseProducts.weightGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, dy: dy, x: x,
                                         beta: beta, dw: &dw)
            #expect(close(dw, backend(true, false, outFeatures, inFeatures, batch, dy, outFeatures, x, inFeatures,
                                      beta: beta, c: start)), "beta \(beta)")
        }
    }

    /// Above the split size the products run on the pool in pieces (6-row tiles,
    /// 16-column vectors, a transpose in 8-column blocks); the result equals one
    /// unsplit kernel call bit for bit.
    @Test func splitDenseProductsEqualOneCall() {
        let (batch, inFeatures, outFeatures) = (64, 790, 130)
        #expect(batch * inFeatures * outFeatures >= DenseProducts.splitThreshold)
        var generator: UInt64 = 9
        let x = GEMMProblem.values(count: batch * inFeatures, generator: &generator)
        let w = GEMMProblem.values(count: outFeatures * inFeatures, generator: &generator)
        let dy = GEMMProblem.values(count: batch * outFeatures, generator: &generator)

        var y = [Float](repeating: 0, count: batch * outFeatures), yOnce = y
        DenseProducts.forward(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, x: x, w: w, y: &y,
                              scratch: ScratchMemory())
        var xT = [Float](repeating: 0, count: batch * inFeatures)
        gk_transpose(batch, inFeatures, x, inFeatures, &xT)
        gk_sgemm_unpacked(outFeatures, batch, inFeatures, 1, w, inFeatures, 1, xT, batch, 0, &yOnce, outFeatures, 1)
        #expect(y.map(\.bitPattern) == yOnce.map(\.bitPattern), "forward")

        var dx = [Float](repeating: 0, count: batch * inFeatures), dxOnce = dx
        DenseProducts.inputGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, dy: dy, w: w,
                                    dx: &dx)
        gk_sgemm_unpacked(batch, inFeatures, outFeatures, 1, dy, outFeatures, 1, w, inFeatures, 0, &dxOnce,
                          inFeatures, 0)
        #expect(dx.map(\.bitPattern) == dxOnce.map(\.bitPattern), "input gradient")

        var dw = [Float](repeating: 0, count: outFeatures * inFeatures), dwOnce = dw
        DenseProducts.weightGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, dy: dy, x: x,
                                     beta: 0, dw: &dw)
        gk_sgemm_unpacked(outFeatures, inFeatures, batch, 1, dy, 1, outFeatures, x, inFeatures, 0, &dwOnce,
                          inFeatures, 0)
        #expect(dw.map(\.bitPattern) == dwOnce.map(\.bitPattern), "weight gradient")
    }
}
