import Foundation
import CAllocationCounter
import GANKit

/// One size of `measureAllreduce`: the median time of averaging `values` floats across the group.
struct AllreduceResult: Codable {
    var ranks: Int
    var values: Int
    var bytes: Int
    var medianMilliseconds: Double
    var minimumMilliseconds: Double
    /// `bytes` over the median time, in GB/s (what a ring all-reduce moves per rank is 2·(N−1)/N times it).
    var bytesPerSecond: Double
}

/// Times ``ProcessGroup/averageAcrossRanks(_:)`` on 1 K to 4 M floats (the MLP GAN's
/// gradients are 0.56 M + 0.53 M, the MNIST DCGAN's 1 M + 0.4 M, the 64×64 DCGAN's 3.6 M + 2.8 M):
/// each size warmed up, then timed `repetitions` times after a barrier. Rank 0 prints a table
/// and a model `time = latency + bytes / bandwidth` (latency from 4 KB, bandwidth from 4 MB and more) for Docs/Distributed.md.
func measureAllreduce(_ group: any ProcessGroup, json: Bool, repetitions: Int = 30) {
    var results: [AllreduceResult] = []
    for values in [1 << 10, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 21, 1 << 22] {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: values)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: Float(group.rank + 1))
        for _ in 0..<3 { group.averageAcrossRanks(buffer) }
        var times: [Double] = []
        for _ in 0..<repetitions {
            group.barrier()
            let start = wallSeconds()
            group.averageAcrossRanks(buffer)
            times.append(wallSeconds() - start)
        }
        times.sort()
        let median = times[times.count / 2], bytes = values * MemoryLayout<Float>.size
        results.append(AllreduceResult(ranks: group.size, values: values, bytes: bytes, medianMilliseconds: median * 1e3,
                                       minimumMilliseconds: times[0] * 1e3, bytesPerSecond: Double(bytes) / median))
    }
    guard group.isLeader else { return }
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try! encoder.encode(results), as: UTF8.self))
        return
    }
    print("average across \(group.size) ranks (\((group as? MPIProcessGroup)?.libraryVersion ?? "in-process"))")
    print("    values       bytes   median ms   min ms   GB/s")
    for result in results {
        print(String(format: "%10d %11d %11.3f %8.3f %6.2f", result.values, result.bytes, result.medianMilliseconds,
                     result.minimumMilliseconds, result.bytesPerSecond / 1e9))
    }
    // Latency: the smallest size's time; bandwidth: from the sizes of 4 MB and more (real gradients).
    let latency = results[0].medianMilliseconds / 1e3
    let large = results.filter { $0.bytes >= 4 << 20 }
    let bandwidth = large.map { Double($0.bytes) / ($0.medianMilliseconds / 1e3 - latency) }.reduce(0, +) / Double(large.count)
    print(String(format: "model: time = %.1f µs + bytes / (%.2f GB/s)", latency * 1e6, bandwidth / 1e9))
}

/// A group that forwards to `base` and counts the heap allocations made inside its
/// collectives: those are the MPI library's (Open MPI's reduction algorithms allocate
/// scratch per call), so a data-parallel row can report GANKit's own allocations apart.
final class AllocationAttributingGroup: ProcessGroup {
    let base: any ProcessGroup
    private(set) var allocationsInCollectives: UInt64 = 0
    init(base: any ProcessGroup) { self.base = base }
    var rank: Int { base.rank }
    var size: Int { base.size }
    var failure: ProcessGroupFailure? { base.failure }
    func averageAcrossRanks(_ values: UnsafeMutableBufferPointer<Float>) { counted { base.averageAcrossRanks(values) } }
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) { counted { base.broadcast(bytes, from: root) } }
    func barrier() { counted { base.barrier() } }
    func abort(reason: String) { base.abort(reason: reason) }
    private func counted(_ body: () -> Void) {
        let before = gankit_allocation_count()
        body()
        allocationsInCollectives += gankit_allocation_count() - before
    }
}
