#if canImport(Accelerate)
import Accelerate
#endif
import Foundation

/// Which matrix-multiplication engine GANKit uses in this process.
///
/// Chosen once, on first use (``current``):
/// - Apple platforms: Accelerate's `cblas_sgemm`.
/// - Elsewhere, `GANKIT_BLAS=builtin`: the built-in SIMD kernel.
/// - `GANKIT_BLAS=/some/libcblas.so`: that library; when it cannot be loaded
///   or lacks `cblas_sgemm`, the process ends with one line on stderr naming
///   the variable, the path and `dlerror()`'s reason (exit status 1).
/// - An empty `GANKIT_BLAS` counts as unset.
/// - Otherwise the first of `libopenblas.so.0`, `libmkl_rt.so`,
///   `libblis.so.4`, `libblas.so.3` that loads and has `cblas_sgemm`, else the
///   built-in kernel.
public struct Backend: Sendable, CustomStringConvertible {
    /// The kind of engine, for code that wants to branch on it.
    public enum Kind: Sendable, Equatable {
        /// Apple's Accelerate framework.
        case accelerate
        /// A CBLAS library opened with `dlopen` from `libraryPath`.
        case cblas(libraryPath: String)
        /// GANKit's own kernel (``BuiltinGEMM``: C on AVX-512 and AVX2+FMA CPUs, Swift elsewhere).
        case builtin
    }

    /// What actually runs a product; `Kind` without the payloads users need not see.
    enum Engine: Sendable {
        case accelerate
        #if !canImport(Accelerate)
        case blas(BLASLibrary)
        #endif
        case builtin(reason: String)
    }

    /// The engine behind this backend.
    let engine: Engine

    /// The kind of engine.
    public var kind: Kind {
        switch engine {
        case .accelerate: return .accelerate
        #if !canImport(Accelerate)
        case .blas(let library): return .cblas(libraryPath: library.path)
        #endif
        case .builtin: return .builtin
        }
    }

    /// The CPU kernel a BLAS library picked (`openblas_get_corename()`, e.g.
    /// `Haswell`), when the library tells.
    public var kernelName: String? {
        #if !canImport(Accelerate)
        if case .blas(let library) = engine { return library.coreName }
        #endif
        return nil
    }

    /// A short human description, e.g.
    /// `OpenBLAS 0.3.21 (libopenblas.so.0, kernel Haswell, 2 threads)`.
    public var description: String {
        switch engine {
        case .accelerate:
            return "Accelerate"
        #if !canImport(Accelerate)
        case .blas(let library):
            var details = [library.path]
            if let core = library.coreName { details.append("kernel \(core)") }
            if library.setThreads != nil {
                let threads = library.largeProductThreads
                details.append(threads == 1 ? "1 thread" : "\(threads) threads")
            }
            var name = library.vendor
            if let words = library.config?.split(separator: " "), words.count > 1, words[0] == "OpenBLAS" {
                name += " \(words[1])"
            }
            return "\(name) (\(details.joined(separator: ", ")))"
        #endif
        case .builtin(let reason):
            return "built-in SIMD GEMM (\(reason))"
        }
    }

    /// The backend chosen for this process (resolved once).
    static let current: Backend = {
        #if canImport(Accelerate)
        return Backend(engine: .accelerate)
        #else
        if environmentSetting("GANKIT_BLAS") == "builtin" {
            return Backend(engine: .builtin(reason: "GANKIT_BLAS=builtin"))
        }
        if let library = requestedLibrary ?? searchedLibrary { return Backend(engine: .blas(library)) }
        return Backend(engine: .builtin(reason: "no BLAS library found"))
        #endif
    }()

    /// The built-in kernel, whatever ``current`` is (for tests and benchmarks).
    static let builtin = Backend(engine: .builtin(reason: "explicit"))

    /// The BLAS GANKit would use without `GANKIT_BLAS=builtin` (Accelerate on
    /// Apple platforms), or `nil` when none loads. For tests and benchmarks.
    static let loadedBLAS: Backend? = {
        #if canImport(Accelerate)
        return Backend(engine: .accelerate)
        #else
        return (requestedLibrary ?? searchedLibrary).map { Backend(engine: .blas($0)) }
        #endif
    }()

    #if !canImport(Accelerate)
    /// The library named by `GANKIT_BLAS` (when it is a path, not `builtin`).
    /// Ends the process with a one-line message when it cannot be used: asking
    /// for a library and silently getting another would hide a broken installation.
    private static let requestedLibrary: BLASLibrary? = {
        guard let requested = environmentSetting("GANKIT_BLAS"), requested != "builtin" else { return nil }
        do throws(EnvironmentSettingError) {
            return try BLASLibrary.requested(by: requested)
        } catch {
            exitForBadEnvironment(error)
        }
    }()

    /// The first library of ``BLASLibrary/searchOrder`` that loads.
    private static let searchedLibrary: BLASLibrary? = BLASLibrary.search()
    #endif

    /// C = alpha·op(A)·op(B) + beta·C on row-major matrices (`op(A)` is m×k,
    /// `op(B)` k×n, C m×n; `lda`, `ldb`, `ldc` are the stored row lengths).
    /// With `beta == 0`, C is only written, never read (NaNs in it vanish).
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {  // C = beta·C; BLAS libraries reject lda == 0 here
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            }
            return
        }
        switch engine {
        case .builtin:
            BuiltinGEMM.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        case .accelerate:
            #if canImport(Accelerate)
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            #endif
        #if !canImport(Accelerate)
        case .blas(let library):
            library.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        #endif
        }
    }
}

/// The matrix-multiplication backend active in this process (e.g. `print(GANKit.backend)`).
public var backend: Backend { Backend.current }
