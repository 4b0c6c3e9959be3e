import CGANKitKernels
import Foundation

/// How many threads GANKit's own kernels (and the BLAS library, when it allows
/// it) may use. Defaults to the cores this process may run on (its affinity
/// mask), shared among the processes an MPI launcher started on this machine;
/// `GANKIT_THREADS`
/// overrides it at start-up, and a value that is not a whole number ≥ 1
/// ends the process with a one-line message (exit status 1).
///
/// The count decides how work is cut into chunks, and reductions combine
/// per-chunk partials, so it can change the last bits of a result. Setting
/// ``threadCount`` changes it for the whole process: do it once, before
/// training. To use another count for one piece of work without affecting
/// work running on other threads meanwhile (tests running in parallel, say),
/// use ``withThreadCount(_:_:)``.
public enum Parallelism {
    private static let state = ThreadCountBox(initial: defaultThreadCount())

    /// The thread count `GANKIT_THREADS` asks for: nil when unset or empty,
    /// else a whole number ≥ 1 (`Int` syntax: `4`, `+4`), else an error.
    static func threadCount(fromEnvironment text: String?) throws(EnvironmentSettingError) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 1 else {
            throw EnvironmentSettingError(variable: "GANKIT_THREADS", value: text, expected: "a whole number ≥ 1")
        }
        return value
    }

    /// The number of threads kernels split their work over (≥ 1): inside
    /// ``withThreadCount(_:_:)`` the count it was given, else the process-wide count.
    ///
    /// Setting it changes the process-wide count, which every thread not inside
    /// ``withThreadCount(_:_:)`` reads on its next parallel loop.
    public static var threadCount: Int {
        get {
            let scoped = gk_thread_count_override()
            return scoped > 0 ? scoped : state.value
        }
        set {
            require(newValue >= 1, "Parallelism.threadCount must be at least 1, got \(newValue)")
            state.value = newValue
        }
    }

    /// Runs `body` with ``threadCount`` equal to `count` for the work it does,
    /// leaving the process-wide count, and what other threads use, unchanged.
    ///
    /// The setting belongs to the calling thread: `body` runs on it,
    /// synchronously, and the parallel loops it starts carry the count to the
    /// pool threads that run their chunks. Work that `body` hands to other
    /// threads or tasks does not see it. Calls nest; the innermost count wins.
    ///
    /// ```swift
    /// let oneThread = Parallelism.withThreadCount(1) { trainer.sample(noise: noise) }
    /// ```
    /// - Precondition: `count ≥ 1`.
    public static func withThreadCount<Result, Failure: Error>(
        _ count: Int, _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        require(count >= 1, "Parallelism.withThreadCount: the count must be at least 1, got \(count)")
        let previous = gk_set_thread_count_override(count)
        defer { gk_set_thread_count_override(previous) }
        return try body()
    }

    private static func defaultThreadCount() -> Int {
        do {
            if let requested = try threadCount(fromEnvironment: environmentSetting("GANKIT_THREADS")) { return requested }
        } catch {
            exitForBadEnvironment(error)
        }
        return defaultThreadCount(cores: ProcessInfo.processInfo.activeProcessorCount,
                                  allowedCores: Int(gk_affinity_cpu_count()),
                                  processesOnThisMachine: LauncherEnvironment.processesOnThisMachine ?? 1)
    }

    /// The cores this process may use: those of its affinity mask when it is
    /// narrower than the machine (`mpirun` bound it to a core or a socket, or
    /// `taskset` or a container did), else the machine's cores shared among the
    /// processes an MPI launcher started on it (`mpirun --bind-to none -np 2`
    /// on 2 cores: 1 thread each, not 2 threads each on 2 cores).
    static func defaultThreadCount(cores: Int, allowedCores: Int, processesOnThisMachine: Int) -> Int {
        if allowedCores > 0 && allowedCores < cores { return allowedCores }
        return max(1, cores / max(1, processesOnThisMachine))
    }
}

/// A lock-protected integer. `@unchecked Sendable`: every access to `stored`
/// holds `lock`.
private final class ThreadCountBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int
    init(initial: Int) { stored = initial }
    var value: Int {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// A pointer that may cross into `parallelFor`'s `@Sendable` closure.
///
/// `@unchecked Sendable` is sound only under `parallelFor`'s rule: each chunk
/// writes a range of elements disjoint from every other chunk's, and nobody
/// else touches the memory until `parallelFor` returns.
@usableFromInline
struct SendablePointer<Pointee>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<Pointee>
    @usableFromInline init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
    @usableFromInline init(_ pointer: UnsafePointer<Pointee>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}

/// Work that ``parallelFor(_:minimumChunk:_:)`` splits over threads.
///
/// `run(_:)` is called once per chunk, each possibly on another thread, while
/// the caller waits; chunks must write disjoint memory (see `SendablePointer`).
/// A kernel is a struct of the pointers and sizes the work needs rather than a
/// closure because handing a closure to the pool's threads needs an escaping
/// copy of it, and Swift allocates one on the heap per call (measured:
/// `withoutActuallyEscaping` and the optimizer's closure specialization both
/// did); a struct is copied to the caller's stack instead.
@usableFromInline
protocol ParallelKernel: Sendable {
    /// Does the work for the items in `range` (one chunk of `0..<count`).
    func run(_ range: Range<Int>)
}

/// Runs `kernel` over `0..<count` split into contiguous chunks of at least
/// `minimumChunk` items: `chunksPerThread` per thread (of `Parallelism.threadCount`),
/// fewer when the items run out.
///
/// The split is static (the same for a given count and thread count), so a
/// reduction that combines per-chunk partials in chunk order is bit-identical from
/// run to run. Which thread runs which chunk is not: the caller and the pool's
/// threads (`gk_pool_run`) each take the next chunk nobody has taken, so when the
/// OS deschedules one thread (another busy process) the others take over its
/// chunks instead of waiting for them. Kernels whose results do not depend on the
/// split (element-wise work, GEMM panels) ask for several chunks per thread, so
/// that a thread stalled in the middle of its chunk leaves little for the others
/// to wait for. Runs inline when one chunk suffices. Unlike
/// `DispatchQueue.concurrentPerform` (about 4 heap allocations and a thread
/// wake-up per call, measured) a call allocates nothing. Nested calls (a GEMM
/// inside a convolution chunk) run their chunks in order on the calling thread.
@usableFromInline
func parallelFor<Kernel: ParallelKernel>(_ count: Int, minimumChunk: Int = 1, chunksPerThread: Int = 1, _ kernel: Kernel) {
    guard count > 0 else { return }
    let threads = Parallelism.threadCount
    let chunks = min(threads * chunksPerThread, max(1, count / max(1, minimumChunk)))
    if chunks <= 1 || threads <= 1 {
        kernel.run(0..<count)
        return
    }
    withUnsafePointer(to: kernel) { kernel in
        var job = ParallelJob(count: count, chunks: chunks, runner: KernelRunner(kernel: kernel))
        withUnsafeMutablePointer(to: &job) { job in
            gk_pool_run(chunks, threads, { context, chunk in
                let job = context!.assumingMemoryBound(to: ParallelJob.self)
                job.pointee.runner.run(chunkRange(Int(chunk), of: job.pointee.chunks, count: job.pointee.count))
            }, job)
        }
    }
}

/// Chunks per thread for kernels whose results do not depend on the split
/// (element-wise work, optimizer updates, GEMM panels, per-channel statistics):
/// a thread the OS deschedules in the middle of a chunk then holds up a quarter
/// of its share, not all of it, while the others take the remaining chunks.
let balancedChunksPerThread = 4

/// Runs one chunk of some kernel; lets the pool's non-generic C callback reach a generic kernel.
private protocol ChunkRunner {
    func run(_ range: Range<Int>)
}

/// A pointer to a kernel on `parallelFor`'s stack: one word, so it fits the
/// existential's inline buffer and `ParallelJob` needs no heap box.
private struct KernelRunner<Kernel: ParallelKernel>: ChunkRunner {
    let kernel: UnsafePointer<Kernel>
    func run(_ range: Range<Int>) { kernel.pointee.run(range) }
}

/// What the pool's C callback needs to run one chunk of a `parallelFor`.
private struct ParallelJob {
    let count: Int
    let chunks: Int
    let runner: any ChunkRunner
}

/// The `chunk`-th of `chunks` near-equal contiguous ranges covering `0..<count`.
@usableFromInline
func chunkRange(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
    let base = count / chunks, extra = count % chunks
    let start = chunk * base + min(chunk, extra)
    return start..<(start + base + (chunk < extra ? 1 : 0))
}
