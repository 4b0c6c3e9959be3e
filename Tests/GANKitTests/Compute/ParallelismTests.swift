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

/// A value shared between threads under a lock.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ change: (inout Value) -> Void) { lock.lock(); change(&stored); lock.unlock() }
}
