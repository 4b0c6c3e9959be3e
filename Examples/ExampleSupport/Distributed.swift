import Foundation
import GANKit

/// The MPI job this program belongs to when `mpirun` started it (see Docs/Distributed.md),
/// else nil. In a job of several processes, ranks other than 0 print nothing on standard
/// output, and an error on any rank (``CommandLineInterface/fail(_:)``) ends the whole job.
/// - Parameter globalBatch: `--batch-size`, which must split evenly over the processes.
public func joinLaunchedJob(_ interface: CommandLineInterface, globalBatch: Int) -> MPIProcessGroup? {
    let group: MPIProcessGroup?
    do { group = try MPIProcessGroup.launched() } catch { interface.fail("\(error)") }
    guard let group, group.size > 1 else { return group }
    jobEndedByFailure.value = group
    if !group.isLeader { dup2(open("/dev/null", O_WRONLY), STDOUT_FILENO) }
    guard globalBatch % group.size == 0 else {
        interface.fail("--batch-size \(globalBatch) is the global batch; it must split evenly over the \(group.size) processes")
    }
    print("data-parallel: \(group.size) processes, \(globalBatch / group.size) images of each global batch of "
          + "\(globalBatch) per process (\(group.libraryVersion))")
    return group
}

/// The job ``CommandLineInterface/fail(_:)`` ends (`MPI_Abort`) instead of exiting alone.
/// `@unchecked Sendable`: set once by ``joinLaunchedJob(_:globalBatch:)`` on the main thread, before training.
final class JobSlot: @unchecked Sendable {
    var value: (any ProcessGroup)?
}
let jobEndedByFailure = JobSlot()
