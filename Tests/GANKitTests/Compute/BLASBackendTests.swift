import Testing
@testable import GANKit
#if canImport(Glibc)
import Glibc
#endif

/// The loaded BLAS library (when there is one) against the oracle and against
/// the built-in kernel, plus backend selection.
@Suite struct BLASBackendTests {
    /// The BLAS under test, or `nil` after recording a visible "skipped" note.
    static func blas() -> Backend? {
        if let blas = Backend.loadedBLAS { return blas }
        print("BLASBackendTests: no BLAS library loaded (tried \(searchOrderText)); BLAS comparisons skipped")
        return nil
    }

    static var searchOrderText: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return BLASLibrary.searchOrder.joined(separator: ", ")
        #endif
    }

    @Test(arguments: GEMMCases.sizes.indices, GEMMCases.transposes.indices)
    func matchesNaiveOracle(size: Int, transposes: Int) {
        guard let blas = Self.blas() else { return }
        let problem = GEMMCases.problem(GEMMCases.sizes[size], GEMMCases.transposes[transposes])
        let failures = GEMMCases.check(blas, problem)
        #expect(failures.isEmpty, "\(blas): \(failures)")
    }

    /// Builtin and BLAS agree within the combined Float error bound.
    @Test(arguments: GEMMCases.sizes.indices, GEMMCases.transposes.indices)
    func agreesWithBuiltin(size: Int, transposes: Int) {
        guard let blas = Self.blas() else { return }
        let problem = GEMMCases.problem(GEMMCases.sizes[size], GEMMCases.transposes[transposes], seed: 3)
        let c = problem.initialC()
        let fromBLAS = problem.run(blas, alpha: -0.75, beta: 1.5, c: c)
        let fromBuiltin = problem.run(.builtin, alpha: -0.75, beta: 1.5, c: c)
        let oracle = naiveGEMM(problem, alpha: -0.75, beta: 1.5, c: c)
        let bound = (expected: fromBLAS.map(Double.init), tolerance: oracle.tolerance.map { 2 * $0 })
        #expect(mismatches(fromBuiltin, bound, ldc: problem.ldc).isEmpty, "\(problem)")
    }

    @Test(arguments: GEMMCases.transposes.indices)
    func betaZeroIgnoresNaNInC(transposes: Int) {
        guard let blas = Self.blas() else { return }
        for size in [(1, 1, 1, 0), (1, 30, 9, 0), (30, 1, 9, 0), (9, 17, 1, 0), (7, 13, 5, 0), (33, 65, 300, 0)] {
            let problem = GEMMCases.problem(size, GEMMCases.transposes[transposes])
            let c = problem.initialC(fill: .nan)
            let result = problem.run(blas, alpha: 1, beta: 0, c: c)
            let bad = mismatches(result, naiveGEMM(problem, alpha: 1, beta: 0, c: c), ldc: problem.ldc)
            #expect(bad.isEmpty, "\(blas) \(problem): \(bad)")
        }
    }

    @Test func identicalRunToRun() {
        guard let blas = Self.blas() else { return }
        for size in [(1, 300, 70, 0), (128, 96, 200, 0), (200, 200, 200, 0)] {
            let problem = GEMMCases.problem(size, (false, true))
            let c = problem.initialC()
            let first = problem.run(blas, alpha: 1, beta: 1, c: c)
            let second = problem.run(blas, alpha: 1, beta: 1, c: c)
            #expect(first.map(\.bitPattern) == second.map(\.bitPattern), "\(problem)")
        }
    }

    @Test func activeBackendDescribesItself() {
        let active = Backend.current
        #expect(!active.description.isEmpty)
        #expect(GANKit.backend.description == active.description)
        switch active.kind {
        case .builtin:
            #expect(active.description.hasPrefix("built-in SIMD GEMM ("))
            #expect(active.kernelName == nil)
        case .cblas(let path):
            #expect(active.description.contains(path))
            if active.description.hasPrefix("OpenBLAS") {
                #expect(active.kernelName != nil)
                #expect(active.description.contains("kernel \(active.kernelName ?? "")"))
            }
        case .accelerate:
            #expect(active.description == "Accelerate")
        }
        print("BLASBackendTests: active backend \(active); loaded BLAS \(Backend.loadedBLAS?.description ?? "none")")
    }

    #if !canImport(Accelerate)
    @Test func missingLibraryIsReportedWithDlerror() {
        var failure = ""
        #expect(BLASLibrary(path: "/nonexistent/libnoblas.so", failure: &failure) == nil)
        #expect(failure.contains("/nonexistent/libnoblas.so"), "dlerror text: \(failure)")
    }

    @Test func libraryWithoutSgemmIsRejected() {
        var failure = ""
        // libm is always there and has no CBLAS.
        #expect(BLASLibrary(path: "libm.so.6", failure: &failure) == nil)
        #expect(failure.contains("cblas_sgemm"), "dlerror text: \(failure)")
    }

    /// Products large enough to be split over GANKit's pool (m·n·k ≥
    /// `BLASLibrary.splitThreshold`): by columns (n ≥ m) and by rows, with a
    /// last part that is not a whole granule, padded strides, every transpose,
    /// on 2 and 3 threads, all against the oracle; a small product between
    /// them runs unsplit.
    @Test(arguments: GEMMCases.transposes.indices)
    func splitProductsMatchTheOracle(transposes: Int) {
        guard let blas = Self.blas() else { return }
        for threads in [2, 3] {
            Parallelism.withThreadCount(threads) {
                for size in [(40, 301, 100, 0), (301, 40, 100, 3), (8, 8, 8, 0), (131, 133, 70, 1)] {
                    let problem = GEMMCases.problem(size, GEMMCases.transposes[transposes])
                    #expect(GEMMCases.check(blas, problem).isEmpty, "\(threads) threads: \(problem)")
                }
            }
        }
    }
    #endif
}
