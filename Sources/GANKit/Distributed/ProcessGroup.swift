/// The processes (or threads) of one data-parallel training job, and the few
/// collective operations data-parallel training needs.
///
/// Every member runs the same program; ``rank`` tells them apart (0 is the one
/// that prints and writes files) and ``size`` counts them. A collective call
/// must be made by every member, in the same order, with buffers of the same size.
///
/// Two implementations: ``MPIProcessGroup`` (processes started by `mpirun`, on one
/// machine or many; the MPI library is loaded at run time) and ``ThreadProcessGroup``
/// (threads of one process, for tests and experiments without MPI).
/// ``Trainer/distribute(over:)`` makes a trainer data-parallel over a group.
public protocol ProcessGroup: AnyObject {
    /// This member's index, `0..<size`.
    var rank: Int { get }
    /// The number of members.
    var size: Int { get }
    /// Replaces `values`, on every member, by their element-wise mean over all
    /// members: the sum, then times `1 / size`. Every member gets the same bits.
    /// Allocates nothing.
    func averageAcrossRanks(_ values: UnsafeMutableBufferPointer<Float>)
    /// Copies `bytes` of member `root` into `bytes` of every other member (the same count on all).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int)
    /// Returns once every member has called it.
    func barrier()
    /// Ends the whole job because this member cannot go on: prints
    /// `GANKit rank R of N: reason` on standard error, then MPI aborts every
    /// process (this call does not return); in a ``ThreadProcessGroup`` the
    /// other members' collectives return at once and their ``failure`` names this rank.
    func abort(reason: String)
    /// Why another member ended the job, once it has (in-process groups only;
    /// an MPI job never gets here because MPI ends every process).
    var failure: ProcessGroupFailure? { get }
}

/// A member of a ``ProcessGroup`` that ended the job with ``ProcessGroup/abort(reason:)``.
public struct ProcessGroupFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member that aborted.
    public var rank: Int
    /// What it said.
    public var reason: String

    /// `rank 1 ended the job: …`.
    public var description: String { "rank \(rank) ended the job: \(reason)" }
}

/// Which part of every global batch a member of a data-parallel job trains on
/// (see ``BatchSequence/init(_:batchSize:shuffle:seed:epoch:lastBatch:shard:)``).
public struct BatchShard: Sendable, Hashable, CustomStringConvertible {
    /// This member's part, `0..<count`.
    public var index: Int
    /// The number of parts (the group's size).
    public var count: Int

    /// The whole batch: one part.
    public static let whole = BatchShard(index: 0, count: 1)

    /// Part `index` of `count`.
    /// - Precondition: `0 <= index < count`.
    public init(index: Int, count: Int) {
        require(count >= 1 && index >= 0 && index < count, "BatchShard: part \(index) of \(count) does not exist")
        self.index = index
        self.count = count
    }

    /// `part 1 of 2`.
    public var description: String { "part \(index) of \(count)" }
}

extension ProcessGroup {
    /// The part of every global batch this member trains on.
    public var shard: BatchShard { BatchShard(index: rank, count: size) }

    /// Whether this member is rank 0, the one that prints and writes files.
    public var isLeader: Bool { rank == 0 }
}
