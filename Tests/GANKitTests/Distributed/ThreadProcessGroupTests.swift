import Foundation
import Testing
@testable import GANKit

/// The in-process group's collectives, and its failure path: a member that ends
/// the job wakes the others instead of leaving them waiting.
@Suite struct ThreadProcessGroupTests {
    @Test func averageGivesEveryMemberTheMeanInRankOrder() throws {
        let results = try ThreadProcessGroup.run(size: 3) { group -> [Float] in
            var values = (0..<1000).map { Float($0 * (group.rank + 1)) + 0.1 }
            values.withUnsafeMutableBufferPointer { group.averageAcrossRanks($0) }
            return values
        }
        let expected = (0..<1000).map { index -> Float in
            let parts = (1...3).map { Float(index * $0) + 0.1 }
            return (parts[0] + parts[1] + parts[2]) * (1 / Float(3))
        }
        for (rank, values) in results.enumerated() {
            #expect(values == expected, "rank \(rank)")
        }
    }

    @Test func broadcastCopiesTheRootsBytes() throws {
        let results = try ThreadProcessGroup.run(size: 2) { group -> [UInt8] in
            var bytes: [UInt8] = group.rank == 1 ? [1, 2, 3, 4, 5] : [0, 0, 0, 0, 0]
            bytes.withUnsafeMutableBytes { group.broadcast($0, from: 1) }
            group.barrier()
            return bytes
        }
        #expect(results == [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]])
    }

    @Test func aMemberThatAbortsWakesTheOthers() throws {
        let failures = try ThreadProcessGroup.run(size: 3) { group -> ProcessGroupFailure? in
            if group.rank == 2 {
                group.abort(reason: "disk full")
                return group.failure
            }
            var values: [Float] = [1, 2]
            for _ in 0..<3 { values.withUnsafeMutableBufferPointer { group.averageAcrossRanks($0) } }  // returns at once
            group.barrier()
            return group.failure
        }
        #expect(failures == Array(repeating: ProcessGroupFailure(rank: 2, reason: "disk full"), count: 3))
        #expect(failures[0]?.description == "rank 2 ended the job: disk full")
    }

    @Test func aThrowingBodyAbortsTheGroupAndIsRethrown() {
        struct Broken: Error {}
        #expect(throws: Broken.self) {
            _ = try ThreadProcessGroup.run(size: 2) { group -> Bool in
                if group.rank == 1 { throw Broken() }
                group.barrier()
                return group.failure != nil
            }
        }
    }

    @Test func defaultThreadCountFollowsAffinityAndLocalProcesses() {
        // 2 cores, 2 ranks, --bind-to none: one thread each.
        #expect(Parallelism.defaultThreadCount(cores: 2, allowedCores: 2, processesOnThisMachine: 2) == 1)
        // Bound to one core each (mpirun's default for 2 ranks).
        #expect(Parallelism.defaultThreadCount(cores: 2, allowedCores: 1, processesOnThisMachine: 2) == 1)
        // Bound to a socket of 16 cores of 32.
        #expect(Parallelism.defaultThreadCount(cores: 32, allowedCores: 16, processesOnThisMachine: 2) == 16)
        // Alone, affinity unknown (0) or the whole machine.
        #expect(Parallelism.defaultThreadCount(cores: 8, allowedCores: 0, processesOnThisMachine: 1) == 8)
        #expect(Parallelism.defaultThreadCount(cores: 8, allowedCores: 8, processesOnThisMachine: 1) == 8)
        // More ranks than cores.
        #expect(Parallelism.defaultThreadCount(cores: 2, allowedCores: 2, processesOnThisMachine: 4) == 1)
    }

    @Test func anMPILibraryThatCannotBeLoadedIsNamed() throws {
        let missing = "/nonexistent/libmpi.so.40"
        #expect(throws: MPIError.self) { try MPIProcessGroup.loadLibrary(requested: missing) }
        do {
            _ = try MPIProcessGroup.loadLibrary(requested: missing)
        } catch {
            #expect(error.description.contains("GANKIT_MPI names \(missing), which cannot be used"))
            #expect(error.description.contains("install Open MPI"))
        }
        do {
            _ = try MPIProcessGroup.loadLibrary(requested: "libz.so.1")  // loads, but is not MPI
            Issue.record("zlib accepted as MPI")
        } catch {
            #expect(error.description.contains("not an MPI library: no MPI_Init_thread"), "\(error)")
        }
    }
}
