import Testing
@testable import GANKit

/// The built-in kernel against the Double oracle, whatever backend is active, at
/// every kernel level the CPU has: the C blocks (AVX-512, AVX2+FMA) and the Swift
/// kernel (baseline).
@Suite struct BuiltinGEMMTests {
    @Test(arguments: GEMMCases.sizes.indices, GEMMCases.transposes.indices)
    func matchesNaiveOracle(size: Int, transposes: Int) {
        let problem = GEMMCases.problem(GEMMCases.sizes[size], GEMMCases.transposes[transposes])
        for level in KernelLevel.supported {
            let failures = KernelLevel.withCap(level) { GEMMCases.check(.builtin, problem) }
            #expect(failures.isEmpty, "\(level): \(failures)")
        }
    }

    @Test(arguments: GEMMCases.transposes.indices, KernelLevel.supported)
    func betaZeroIgnoresNaNInC(transposes: Int, level: KernelLevel) {
        KernelLevel.withCap(level) {
            for size in [(1, 1, 1, 0), (1, 30, 9, 0), (30, 1, 9, 0), (9, 17, 1, 0), (7, 13, 5, 0), (33, 65, 300, 0)] {
                let problem = GEMMCases.problem(size, GEMMCases.transposes[transposes])
                let c = problem.initialC(fill: .nan)
                for alpha: Float in [1, 0.5] {
                    let result = problem.run(.builtin, alpha: alpha, beta: 0, c: c)
                    let bad = mismatches(result, naiveGEMM(problem, alpha: alpha, beta: 0, c: c), ldc: problem.ldc)
                    #expect(bad.isEmpty, "\(problem) alpha \(alpha): \(bad)")
                }
            }
        }
    }

    @Test(arguments: KernelLevel.supported)
    func identicalRunToRunAndAcrossThreadCounts(level: KernelLevel) {
        KernelLevel.withCap(level) { identicalRunToRunAndAcrossThreadCounts() }
    }

    private func identicalRunToRunAndAcrossThreadCounts() {
        let problem = GEMMProblem(m: 128, n: 96, k: 300, transposeA: false, transposeB: true)
        let c = problem.initialC()
        let first = problem.run(.builtin, alpha: 0.75, beta: 0.5, c: c)
        let second = problem.run(.builtin, alpha: 0.75, beta: 0.5, c: c)
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
        for threads in [1, 2, 3] {
            let other = Parallelism.withThreadCount(threads) { problem.run(.builtin, alpha: 0.75, beta: 0.5, c: c) }
            #expect(first.map(\.bitPattern) == other.map(\.bitPattern), "\(threads) threads")
        }
    }

    /// Whatever way C is cut into panel-aligned pieces (as threads do), every
    /// element comes out bit-identical: edge tiles use the same arithmetic.
    @Test(arguments: GEMMCases.transposes.indices)
    func blockSplitsAreBitIdentical(transposes: Int) {
        let problem = GEMMCases.problem((61, 83, 270, 2), GEMMCases.transposes[transposes])
        let c = problem.initialC()
        func blocked(rowCuts: [Int], columnCuts: [Int]) -> [Float] {
            var result = c
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: BuiltinGEMM.scratchBytes, alignment: 64)
            defer { scratch.deallocate() }
            problem.a.withUnsafeBufferPointer { a in
                problem.b.withUnsafeBufferPointer { b in
                    result.withUnsafeMutableBufferPointer { cBuffer in
                        for (rowStart, rowEnd) in zip(rowCuts, rowCuts.dropFirst()) {
                            for (columnStart, columnEnd) in zip(columnCuts, columnCuts.dropFirst()) {
                                BuiltinGEMM.blocked(transposeA: problem.transposeA, transposeB: problem.transposeB,
                                                    rows: rowStart..<rowEnd, columns: columnStart..<columnEnd,
                                                    k: problem.k, alpha: 1.25, a: a.baseAddress!, lda: problem.lda,
                                                    b: b.baseAddress!, ldb: problem.ldb, beta: -0.5,
                                                    c: cBuffer.baseAddress!, ldc: problem.ldc, scratch: scratch)
                            }
                        }
                    }
                }
            }
            return result
        }
        let whole = blocked(rowCuts: [0, 61], columnCuts: [0, 83])
        let pieces = blocked(rowCuts: [0, 6, 30, 61], columnCuts: [0, 8, 48, 83])
        #expect(whole.map(\.bitPattern) == pieces.map(\.bitPattern))
        #expect(mismatches(whole, naiveGEMM(problem, alpha: 1.25, beta: -0.5, c: c), ldc: problem.ldc).isEmpty)
    }

    @Test func emptyDepthScalesC() {
        let problem = GEMMProblem(m: 3, n: 4, k: 0, transposeA: false, transposeB: false, padding: 1)
        var c = problem.initialC()
        c[0] = .nan
        let scaled = problem.run(.builtin, alpha: 1, beta: 2, c: c)
        let cleared = problem.run(.builtin, alpha: 1, beta: 0, c: c)
        for i in 0..<3 {
            for j in 0..<4 where i + j > 0 {
                #expect(scaled[i * 5 + j] == 2 * c[i * 5 + j])
            }
            for j in 0..<4 { #expect(cleared[i * 5 + j] == 0) }
            #expect(cleared[i * 5 + 4] == c[i * 5 + 4], "padding untouched")
        }
    }

    @Test func tensorGEMMUsesActiveBackend() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        var c = Tensor(shape: [2, 2], values: [1, 1, 1, 1])
        gemm(a, b, into: &c, alpha: 2, beta: -1)
        #expect(c.scalars == [115, 127, 277, 307])
    }
}
