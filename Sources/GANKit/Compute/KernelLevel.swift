import CGANKitKernels

/// The instruction sets GANKit's C kernels are compiled for, lowest first.
///
/// Each kernel is chosen at run time for the best level the CPU has (see
/// CGANKitKernels.h). A CPU runs only one of them by default, so the tests
/// force each level the CPU supports in turn with ``withCap(_:_:)`` and check
/// every one against the same oracles.
enum KernelLevel: Int32, CaseIterable, Comparable, CustomStringConvertible, Sendable {
    /// SSE2 on x86-64, NEON on arm64; the Swift GEMM kernel.
    case baseline = 1
    /// AVX2 and FMA (x86-64).
    case avx2 = 2
    /// AVX-512 F, VL and DQ (x86-64): also the unpacked GEMM and the vector im2col.
    case avx512 = 3

    /// The levels this CPU can run, lowest first.
    static var supported: [KernelLevel] {
        let best = gk_supported_level()
        return allCases.filter { $0.rawValue <= best }
    }

    /// The level the calling thread's kernels run at.
    static var current: KernelLevel {
        let cap = gk_forced_level()
        let best = gk_supported_level()
        return KernelLevel(rawValue: cap != 0 && cap < best ? cap : best) ?? .baseline
    }

    /// Runs `body` with the kernels it calls, on this thread and on the pool
    /// threads its parallel loops use, capped at `level`; other threads are
    /// unaffected. A level above the CPU's changes nothing.
    static func withCap<Result>(_ level: KernelLevel, _ body: () throws -> Result) rethrows -> Result {
        let previous = gk_force_level(level.rawValue)
        defer { gk_force_level(previous) }
        return try body()
    }

    static func < (lhs: KernelLevel, rhs: KernelLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "baseline", "AVX2+FMA" or "AVX-512", as `gk_kernel_level` says.
    var description: String {
        switch self {
        case .baseline: return "baseline"
        case .avx2: return "AVX2+FMA"
        case .avx512: return "AVX-512"
        }
    }
}
