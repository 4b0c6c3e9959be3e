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
/// handle, which is never closed), except `lastThreadCount`, which is read and
/// written only while `threadLock` is held. The C functions themselves are
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
    /// `openblas_get_num_threads()`, and also the shape of the string getters below.
    typealias GetThreads = @convention(c) () -> Int32
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

    /// Products with `m·n·k` below this (256³ ≈ 16.8 M) run on one OpenBLAS
    /// thread. Measured with OpenBLAS 0.3.21 (Haswell kernel) on a shared
    /// 2-core Zen 5: at 96³–192³ two threads ran 20–50 % *slower* than one
    /// (e.g. 128³: 108 vs 43–92 GFLOP/s), at 256³ and 64×784×512 they mostly
    /// won (155–215 vs 96–115). OpenBLAS's own cut-off (64³) is far too low here.
    static let multithreadThreshold = 1 << 24

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
    /// The thread count the library started with (`OPENBLAS_NUM_THREADS` or
    /// its core count); GANKit never asks for more than this.
    let initialThreadCount: Int
    /// Guards `lastThreadCount`.
    private let threadLock = NSLock()
    /// The value last passed to `openblas_set_num_threads` (0: never set).
    private var lastThreadCount: Int32 = 0

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
        let getThreads = symbol("openblas_get_num_threads", as: GetThreads.self)
        coreName = symbol("openblas_get_corename", as: GetString.self).flatMap { $0() }.map { String(cString: $0) }
        config = symbol("openblas_get_config", as: GetString.self).flatMap { $0() }.map { String(cString: $0) }
        initialThreadCount = max(1, Int(getThreads?() ?? 1))
        _ = dlerror()  // clear any message left by a missing optional symbol
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

    /// A short vendor name: OpenBLAS, MKL, BLIS or CBLAS.
    var vendor: String {
        let lowered = path.lowercased()
        if setThreads != nil || lowered.contains("openblas") { return "OpenBLAS" }
        if lowered.contains("mkl") { return "MKL" }
        if lowered.contains("blis") { return "BLIS" }
        return "CBLAS"
    }

    /// The most threads a large product will use: `min(threadCount, 2)`,
    /// capped by what the library started with.
    var largeProductThreads: Int {
        min(Parallelism.threadCount, 2, initialThreadCount)
    }

    /// Sets OpenBLAS's thread count for a product of this size, calling
    /// `openblas_set_num_threads` only when the wanted count changes.
    ///
    /// The cache is checked and the call made under `threadLock`, so the cache
    /// always equals the library's setting. OpenBLAS's count is process-global:
    /// two threads running products of different sizes at once may run one of
    /// them with the other's count, which costs speed, never correctness.
    func prepareThreads(m: Int, n: Int, k: Int) {
        guard let setThreads else { return }
        let small = Double(m) * Double(n) * Double(k) < Double(BLASLibrary.multithreadThreshold)
        // Inside a parallelFor chunk GANKit's own threads already use the cores.
        let wanted = Int32(small || gk_pool_inside() != 0 ? 1 : largeProductThreads)
        threadLock.lock()
        if wanted != lastThreadCount {
            setThreads(wanted)
            lastThreadCount = wanted
        }
        threadLock.unlock()
    }
}

extension BLASLibrary {
    /// C = alpha·op(A)·op(B) + beta·C through `cblas_sgemm`, or `cblas_sgemv`
    /// when C is one row or one column (m == 1 or n == 1) and the library has it.
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
        precondition(m <= limit && n <= limit && k <= limit && lda <= limit && ldb <= limit && ldc <= limit,
                     "gemm: \(m)×\(n)×\(k) (lda \(lda), ldb \(ldb), ldc \(ldc)) exceeds the 32-bit sizes of \(path)")
        prepareThreads(m: m, n: n, k: k)
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
        } else {
            sgemm(row, transposeA ? trans : noTrans, transposeB ? trans : noTrans, Int32(m), Int32(n), Int32(k),
                  alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }
}
#endif
