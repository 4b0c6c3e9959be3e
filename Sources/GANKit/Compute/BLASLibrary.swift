#if !canImport(Accelerate)
import CGANKitKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A CBLAS library opened at run time with `dlopen`, and the few entry points
/// GANKit calls in it.
///
/// `@unchecked Sendable` is sound: every stored property is a `let` set in
/// `init` and never changed (C function pointers, strings, the `dlopen`
/// handle, which is never closed). The C functions themselves are
/// thread-safe to call concurrently (OpenBLAS, MKL, BLIS and the reference
/// BLAS all are for `sgemm`/`sgemv`).
final class BLASLibrary: @unchecked Sendable {
    /// `cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)`.
    typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                      Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    /// `cblas_sgemv(order, trans, M, N, alpha, A, lda, X, incX, beta, Y, incY)`.
    typealias SGEMV = @convention(c) (Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    /// `openblas_set_num_threads(int)`.
    typealias SetThreads = @convention(c) (Int32) -> Void
    /// `openblas_get_corename()` / `openblas_get_config()`.
    typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

    /// CBLAS `CblasRowMajor`.
    static let rowMajor: Int32 = 101
    /// CBLAS `CblasNoTrans`.
    static let noTrans: Int32 = 111
    /// CBLAS `CblasTrans`.
    static let trans: Int32 = 112

    /// The sonames tried, in order, when `GANKIT_BLAS` is unset.
    static let searchOrder = ["libopenblas.so.0", "libmkl_rt.so", "libblis.so.4", "libblas.so.3"]

    /// Products with `m·n·k` at or above this (about 1.0 M, e.g. 64×128×128)
    /// are split over GANKit's thread pool; smaller ones run whole on the
    /// calling thread, where waking a second core costs more than it saves.
    static let splitThreshold = 1 << 20

    /// Split points fall on multiples of this many rows or columns, so every
    /// part but the last fills whole register tiles of the library's kernels.
    static let splitGranule = 16

    /// The path or soname given to `dlopen`.
    let path: String
    /// `cblas_sgemm` (required).
    let sgemm: SGEMM
    /// `cblas_sgemv`, used for `m == 1` or `n == 1` when present.
    let sgemv: SGEMV?
    /// `openblas_set_num_threads`, present in OpenBLAS only.
    let setThreads: SetThreads?
    /// `openblas_get_corename()`, e.g. `Haswell`.
    let coreName: String?
    /// `openblas_get_config()`, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    let config: String?
    /// A short vendor name: OpenBLAS (it has `openblas_set_num_threads`, or says
    /// so in its path), MKL, BLIS or CBLAS.
    let vendor: String
    /// Whether GANKit splits large products over its own thread pool: true
    /// for OpenBLAS (pinned to one thread of its own at load, because its
    /// threaded driver allocates on the heap every call) and for plain CBLAS
    /// libraries, which never thread; false for MKL and BLIS, left to thread
    /// themselves.
    let splitsProducts: Bool

    /// Opens `path` with `RTLD_NOW | RTLD_LOCAL`; `nil` when it cannot be
    /// loaded or has no `cblas_sgemm`. `failure` then says why (`dlerror()`).
    init?(path: String, failure: inout String) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            failure = BLASLibrary.lastError() ?? "dlopen failed"
            return nil
        }
        guard let sgemmSymbol = dlsym(handle, "cblas_sgemm") else {
            failure = BLASLibrary.lastError() ?? "no cblas_sgemm"
            dlclose(handle)
            return nil
        }
        func symbol<F>(_ name: String, as type: F.Type) -> F? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        self.path = path
        sgemm = unsafeBitCast(sgemmSymbol, to: SGEMM.self)
        sgemv = symbol("cblas_sgemv", as: SGEMV.self)
        setThreads = symbol("openblas_set_num_threads", as: SetThreads.self)
        coreName = symbol("openblas_get_corename", as: GetString.self).flatMap { $0() }.map { String(cString: $0) }
        config = symbol("openblas_get_config", as: GetString.self).flatMap { $0() }.map { String(cString: $0) }
        _ = dlerror()  // clear any message left by a missing optional symbol
        let lowered = path.lowercased()
        vendor = setThreads != nil || lowered.contains("openblas") ? "OpenBLAS"
            : lowered.contains("mkl") ? "MKL" : lowered.contains("blis") ? "BLIS" : "CBLAS"
        splitsProducts = vendor == "OpenBLAS" || vendor == "CBLAS"
        setThreads?(1)
    }

    /// The library `GANKIT_BLAS` names (a path or soname), or an error saying
    /// why it cannot be used, with `dlerror()`'s words.
    static func requested(by path: String) throws(EnvironmentSettingError) -> BLASLibrary {
        var failure = ""
        guard let library = BLASLibrary(path: path, failure: &failure) else {
            throw EnvironmentSettingError(variable: "GANKIT_BLAS", value: path,
                                          expected: "'builtin' or a CBLAS library (path or soname) with cblas_sgemm",
                                          reason: failure)
        }
        return library
    }

    /// The first library of ``searchOrder`` that loads and has `cblas_sgemm`.
    static func search() -> BLASLibrary? {
        var ignored = ""
        for name in searchOrder {
            if let library = BLASLibrary(path: name, failure: &ignored) { return library }
        }
        return nil
    }

    /// `dlerror()` as a Swift string.
    private static func lastError() -> String? {
        dlerror().map { String(cString: $0) }
    }

    /// The threads a large product is split over: GANKit's pool size when
    /// ``splitsProducts``, else 1 (the library's own threading decides).
    var largeProductThreads: Int {
        splitsProducts ? Parallelism.threadCount : 1
    }
}

extension BLASLibrary {
    /// C = alpha·op(A)·op(B) + beta·C through `cblas_sgemm`, or `cblas_sgemv`
    /// when C is one row or one column (m == 1 or n == 1) and the library has it.
    /// Products of at least ``splitThreshold`` multiply–adds are split over
    /// GANKit's pool (``splitGEMM``) when ``splitsProducts`` and more than one
    /// thread is allowed, except inside a pool chunk, whose threads are busy.
    ///
    /// Row-major throughout. The matrix–vector mapping, with `x` the vector
    /// operand and `y` the row or column of C:
    /// - m == 1: yᵀ = xᵀ·op(B), i.e. y = op(B)ᵀ·x, x = row of op(A) (stride 1,
    ///   or `lda` when A is transposed), y = C's row (stride 1).
    /// - n == 1: y = op(A)·x, x = column of op(B) (stride `ldb`, or 1 when B is
    ///   transposed), y = C's column (stride `ldc`).
    /// - Precondition: every size and stride fits in `Int32` (CBLAS `int`).
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let limit = Int(Int32.max)
        require(m <= limit && n <= limit && k <= limit && lda <= limit && ldb <= limit && ldc <= limit,
                "gemm: \(m)×\(n)×\(k) (lda \(lda), ldb \(ldb), ldc \(ldc)) exceeds the 32-bit sizes of \(path)")
        let row = BLASLibrary.rowMajor, noTrans = BLASLibrary.noTrans, trans = BLASLibrary.trans
        if let sgemv, m == 1 {
            // op(B) is k×n. Stored B is k×n (use Bᵀ·x) or n×k (use B·x).
            let incX = Int32(transposeA ? lda : 1)
            if transposeB {
                sgemv(row, noTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, incX, beta, c, 1)
            } else {
                sgemv(row, trans, Int32(k), Int32(n), alpha, b, Int32(ldb), a, incX, beta, c, 1)
            }
        } else if let sgemv, n == 1 {
            // op(A) is m×k. Stored A is m×k (use A·x) or k×m (use Aᵀ·x).
            let incX = Int32(transposeB ? 1 : ldb)
            if transposeA {
                sgemv(row, trans, Int32(k), Int32(m), alpha, a, Int32(lda), b, incX, beta, c, Int32(ldc))
            } else {
                sgemv(row, noTrans, Int32(m), Int32(k), alpha, a, Int32(lda), b, incX, beta, c, Int32(ldc))
            }
        } else if splitsProducts, Parallelism.threadCount > 1, gk_pool_inside() == 0,
                  Double(m) * Double(n) * Double(k) >= Double(BLASLibrary.splitThreshold) {
            splitGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            sgemm(row, transposeA ? trans : noTrans, transposeB ? trans : noTrans, Int32(m), Int32(n), Int32(k),
                  alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// One product split into disjoint blocks of C's columns (when n ≥ m) or
    /// rows, each computed by a single-threaded `cblas_sgemm` on GANKit's pool.
    ///
    /// Only the larger dimension is split, so the operand every block shares
    /// (A for a column split, B for a row split) is the smaller one and packing
    /// it twice costs little. Each element of C is still one k-long dot
    /// product summed in the library's order, and the split is the same on
    /// every call, so results are reproducible run to run.
    private func splitGEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let splitColumns = n >= m
        let length = splitColumns ? n : m
        let granule = BLASLibrary.splitGranule
        let product = GEMMOperands(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                   a: SendablePointer(a), lda: lda, b: SendablePointer(b), ldb: ldb,
                                   beta: beta, c: SendablePointer(c), ldc: ldc)
        let kernel = SplitGEMMKernel(sgemm: sgemm, splitColumns: splitColumns, length: length, granule: granule,
                                     product: product)
        parallelFor((length + granule - 1) / granule, kernel)
    }
}

/// One block of a ``BLASLibrary/splitGEMM``: C's columns (or rows) for a
/// range of granules, computed by a single-threaded `cblas_sgemm`.
private struct SplitGEMMKernel: ParallelKernel {
    let sgemm: BLASLibrary.SGEMM
    let splitColumns: Bool
    let length: Int, granule: Int
    let product: GEMMOperands

    func run(_ granules: Range<Int>) {
        let p = product
        let start = granules.lowerBound * granule, end = min(length, granules.upperBound * granule)
        var a = UnsafePointer(p.a.pointer), b = UnsafePointer(p.b.pointer), c = p.c.pointer
        var rows = p.m, columns = p.n
        if splitColumns {
            b += p.transposeB ? start * p.ldb : start  // op(B)'s columns start..<end
            c += start
            columns = end - start
        } else {
            a += p.transposeA ? start : start * p.lda  // op(A)'s rows start..<end
            c += start * p.ldc
            rows = end - start
        }
        sgemm(BLASLibrary.rowMajor, p.transposeA ? BLASLibrary.trans : BLASLibrary.noTrans,
              p.transposeB ? BLASLibrary.trans : BLASLibrary.noTrans, Int32(rows), Int32(columns), Int32(p.k),
              p.alpha, a, Int32(p.lda), b, Int32(p.ldb), p.beta, c, Int32(p.ldc))
    }
}
#endif
