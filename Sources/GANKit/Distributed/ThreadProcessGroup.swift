import Foundation

/// A ``ProcessGroup`` whose members are threads of this process: data-parallel
/// training without MPI, for tests and for trying a distributed setup on one machine.
///
/// ```swift
/// let losses = try ThreadProcessGroup.run(size: 2) { group in
///     let trainer = makeTrainer()               // the same on every member
///     trainer.distribute(over: group)
///     return try trainer.train(epochs: 1, batchesPerEpoch: count) { epoch in
///         BatchSequence(images, batchSize: 64, seed: 7, epoch: epoch, shard: group.shard)
///     }
/// }
/// ```
///
/// Collectives reduce in rank order, so results are the same from run to run. When
/// a member aborts (or its body throws), the others' collectives return at once,
/// their ``failure`` says who ended the job and why, and a training loop stops
/// with ``TrainingError/processGroupFailed(_:)``.
public final class ThreadProcessGroup: ProcessGroup {
    /// This member's index.
    public let rank: Int
    /// The number of members.
    public var size: Int { shared.size }
    /// Set once a member has aborted.
    public var failure: ProcessGroupFailure? { shared.failure }

    private let shared: ThreadGroupState

    private init(rank: Int, shared: ThreadGroupState) {
        self.rank = rank
        self.shared = shared
    }

    /// Runs `body` on `size` new threads at once, each with its own member of one
    /// group, and returns their results in rank order.
    ///
    /// - Throws: the error of the lowest rank whose body threw (a throw also aborts
    ///   the group, so the other members do not wait for it forever).
    /// - Precondition: `size ≥ 1`.
    public static func run<Result: Sendable>(size: Int, _ body: @escaping @Sendable (ThreadProcessGroup) throws -> Result) throws
        -> [Result] {
        require(size >= 1, "ThreadProcessGroup.run: size must be at least 1, got \(size)")
        let shared = ThreadGroupState(size: size)
        let outcomes = OutcomeSlots<Result>(count: size)
        let finished = DispatchGroup()
        for rank in 0..<size {
            finished.enter()
            let member = UncheckedBox(ThreadProcessGroup(rank: rank, shared: shared))
            // Threads of their own (not Dispatch's pool, which may run members one after another and deadlock).
            let thread = Thread {
                defer { finished.leave() }
                do {
                    outcomes.set(rank, .success(try body(member.value)))
                } catch {
                    member.value.abort(reason: "\(error)")
                    outcomes.set(rank, .failure(error))
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        finished.wait()
        return try outcomes.results()
    }

    /// Sums in rank order, scales by `1 / size`; each member reduces its own part of the elements.
    public func averageAcrossRanks(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, !values.isEmpty else { return }  // every member passes the same count
        let scale = 1 / Float(size)
        shared.collective(rank: rank, buffer: UnsafeMutableRawPointer(values.baseAddress), count: values.count) { buffers in
            let sources = UnsafeBufferPointer(start: UnsafeRawPointer(buffers.baseAddress!)
                .assumingMemoryBound(to: UnsafeMutablePointer<Float>.self), count: buffers.count)
            for index in chunkRange(rank, of: size, count: values.count) {
                var sum = sources[0][index]
                for member in 1..<sources.count { sum += sources[member][index] }
                let mean = sum * scale
                for source in sources { source[index] = mean }
            }
        }
    }

    /// Copies root's bytes; each member copies its own.
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        require(root >= 0 && root < size, "ThreadProcessGroup.broadcast: root \(root) is not a rank of \(size)")
        guard size > 1 else { return }
        shared.collective(rank: rank, buffer: bytes.baseAddress, count: bytes.count) { buffers in
            guard rank != root, let source = buffers[root], let destination = buffers[rank] else { return }
            destination.copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// Waits for every member.
    public func barrier() {
        guard size > 1 else { return }
        shared.collective(rank: rank, buffer: nil, count: 0) { _ in }
    }

    /// Marks the group failed (the first abort wins) and wakes every waiting member; returns.
    public func abort(reason: String) {
        shared.abort(ProcessGroupFailure(rank: rank, reason: reason))
    }
}

/// What the members of a ``ThreadProcessGroup`` share: their buffers during a
/// collective, a generation-counted barrier, and the failure.
///
/// `@unchecked Sendable`: `arrived`, `generation` and `storedFailure` are only
/// touched under `condition`; a member writes its slot of `buffers` before the
/// first barrier of a collective, and everyone reads the slots between the two
/// barriers, each writing only its own part of the posted memory.
private final class ThreadGroupState: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    /// One slot per member (not an array: copying one while a member writes its slot would allocate).
    private let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private var arrived = 0
    private var generation = 0
    private var storedFailure: ProcessGroupFailure?

    init(size: Int) {
        self.size = size
        buffers = .allocate(capacity: size)
        buffers.initialize(repeating: nil, count: size)
    }

    deinit { buffers.deallocate() }

    var failure: ProcessGroupFailure? { condition.withLock { storedFailure } }

    func abort(_ failure: ProcessGroupFailure) {
        condition.withLock {
            if storedFailure == nil { storedFailure = failure }
            condition.broadcast()
        }
    }

    /// Posts `buffer`, waits for every member, runs `work` on all the posted
    /// buffers, and waits again, so nobody leaves while another still reads its buffer.
    /// Returns at once, without `work`, when the group has failed.
    func collective(rank: Int, buffer: UnsafeMutableRawPointer?, count: Int,
                    _ work: (UnsafeBufferPointer<UnsafeMutableRawPointer?>) -> Void) {
        condition.withLock { buffers[rank] = buffer }
        guard waitForAll() else { return }
        work(UnsafeBufferPointer(start: buffers, count: size))
        _ = waitForAll()
    }

    /// A barrier; false when the group failed.
    private func waitForAll() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard storedFailure == nil else { return false }
        let myGeneration = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
            return true
        }
        while generation == myGeneration && storedFailure == nil { condition.wait() }
        return storedFailure == nil
    }
}

/// The results of ``ThreadProcessGroup/run(size:_:)``'s threads. `@unchecked Sendable`: guarded by `lock`.
private final class OutcomeSlots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Value, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ outcome: Result<Value, any Error>) { lock.withLock { slots[index] = outcome } }

    /// The values in order, or the first error.
    func results() throws -> [Value] {
        try lock.withLock { try slots.map { try $0!.get() } }
    }
}

/// Hands a non-`Sendable` member to the one thread that uses it.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
