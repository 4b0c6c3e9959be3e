import Foundation
import Testing
@testable import GANKit

/// `Parallelism.withThreadCount` is a per-thread setting: it reaches the pool
/// threads that run a loop's chunks, and nothing else.
@Suite struct ParallelismTests {
    /// Writes, for each item, the thread count its chunk sees.
    struct RecordThreadCount: ParallelKernel {
        let seen: SendablePointer<Int>
        func run(_ range: Range<Int>) {
            for index in range { seen.pointer[index] = Parallelism.threadCount }
        }
    }

    /// The thread count every chunk of a `count`-item loop sees.
    static func threadCountsSeenByChunks(_ count: Int) -> [Int] {
        var seen = [Int](repeating: 0, count: count)
        seen.withUnsafeMutableBufferPointer { parallelFor(count, RecordThreadCount(seen: SendablePointer($0.baseAddress!))) }
        return seen
    }

    @Test func scopedCountReachesThePoolAndEnds() {
        let processWide = Parallelism.threadCount
        Parallelism.withThreadCount(3) {
            #expect(Parallelism.threadCount == 3)
            // Three chunks: two of them on pool threads (or inline when the pool is busy).
            #expect(Self.threadCountsSeenByChunks(3) == [3, 3, 3])
            Parallelism.withThreadCount(1) {
                #expect(Parallelism.threadCount == 1)
                #expect(Self.threadCountsSeenByChunks(3) == [1, 1, 1])
            }
            #expect(Parallelism.threadCount == 3)
        }
        #expect(Parallelism.threadCount == processWide)
    }

    @Test func otherThreadsKeepTheProcessWideCount() {
        let processWide = Parallelism.threadCount
        let seenElsewhere = Parallelism.withThreadCount(processWide + 2) {
            let box = LockedValue(0)
            let done = DispatchSemaphore(value: 0)
            Thread {
                box.update { $0 = Parallelism.threadCount }
                done.signal()
            }.start()
            done.wait()
            return box.value
        }
        #expect(seenElsewhere == processWide)
    }

    /// Two threads in different scopes at once each see their own count.
    @Test func concurrentScopesDoNotMix() {
        let failures = LockedValue(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let count = worker % 2 == 0 ? 2 : 3
            Parallelism.withThreadCount(count) {
                for _ in 0..<200 where Self.threadCountsSeenByChunks(4) != [count, count, count, count] {
                    failures.update { $0 += 1 }
                }
            }
        }
        #expect(failures.value == 0)
    }
}

/// The pool hands out chunks to whichever thread is free: every item runs exactly
/// once, and a thread stalled in its chunk leaves the other chunks to the others.
@Suite struct ParallelChunkClaimingTests {
    /// Adds 1 to every item of its range.
    struct CountVisits: ParallelKernel {
        let visits: SendablePointer<Int32>
        func run(_ range: Range<Int>) {
            for index in range { visits.pointer[index] += 1 }
        }
    }

    @Test func everyItemRunsExactlyOnce() {
        var rng = SeededGenerator(seed: 5)
        for round in 0..<400 {
            let count = 1 + Int(rng.next() % 300), threads = 1 + round % 5, perThread = 1 + (round / 5) % 4
            var visits = [Int32](repeating: 0, count: count)
            Parallelism.withThreadCount(threads) {
                visits.withUnsafeMutableBufferPointer {
                    parallelFor(count, chunksPerThread: perThread, CountVisits(visits: SendablePointer($0.baseAddress!)))
                }
            }
            #expect(visits.allSatisfy { $0 == 1 }, "count \(count), \(threads) threads, \(perThread) chunks per thread")
        }
    }

    /// Sleeps in the first chunk a pool thread (not the caller) takes, and counts the chunks each side ran.
    final class StallFirstWorkerChunk: ParallelKernel, @unchecked Sendable {
        let caller = pthread_self()
        let state = LockedValue((stalled: false, callerChunks: 0, workerChunks: 0))
        func run(_ range: Range<Int>) {
            if pthread_equal(pthread_self(), caller) != 0 {
                state.update { $0.callerChunks += 1 }
                return
            }
            var stall = false
            state.update { stall = !$0.stalled; $0.stalled = true; $0.workerChunks += 1 }
            if stall { usleep(300_000) }
        }
    }

    @Test func aStalledThreadsChunksAreTakenByTheOthers() {
        // 2 threads, 16 chunks: the pool thread stalls 0.3 s in the first chunk it takes (as if
        // the OS had descheduled it); the caller must run the other 15 rather than wait.
        let kernel = StallFirstWorkerChunk()
        let start = Date()
        Parallelism.withThreadCount(2) { parallelFor(16, chunksPerThread: 8, kernel) }
        let elapsed = Date().timeIntervalSince(start)
        let state = kernel.state.value
        #expect(state.callerChunks + state.workerChunks == 16)
        #expect(state.workerChunks <= 1, "the stalled thread ran \(state.workerChunks) chunks")
        #expect(elapsed < 1, "took \(elapsed) s")
    }
}

/// A value shared between threads under a lock.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ change: (inout Value) -> Void) { lock.lock(); change(&stored); lock.unlock() }
}
