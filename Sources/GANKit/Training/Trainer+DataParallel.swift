extension Trainer {
    /// Makes this trainer data-parallel over `group`: every member (a process of an
    /// `mpirun` job, or a thread of a ``ThreadProcessGroup``) holds a replica of both
    /// networks and trains on its part of each global batch; before every optimizer
    /// step the gradients are averaged across the members (Horovod, PyTorch's
    /// `DistributedDataParallel`).
    ///
    /// ```swift
    /// if let group = try MPIProcessGroup.launched() { trainer.distribute(over: group) }
    /// try trainer.train(epochs: 30, batchesPerEpoch: images.shape[0] / 64) { epoch in
    ///     BatchSequence(images, batchSize: 64, seed: 7, epoch: epoch, shard: trainer.batchShard)   // 64: the global batch
    /// }
    /// ```
    ///
    /// What changes:
    /// - When ``train(epochs:batchesPerEpoch:batches:)`` starts (so also after a resume on
    ///   rank 0), rank 0's whole state (``makeCheckpoint()``: weights, buffers, optimizer
    ///   state, generator average, noise generator, counters) is sent to every rank; a
    ///   rank whose settings differ from rank 0's ends the job, naming the difference.
    /// - Each rank's noise is its part of the noise one process would draw for the global
    ///   batch (``makeNoise(batchSize:)``), and its batches are its part of the global
    ///   batches (``BatchSequence`` with ``batchShard``). Without BatchNorm, R ranks then
    ///   train like one process on the same global batch, up to floating-point summation
    ///   order. BatchNorm normalises with each rank's own batch statistics, as
    ///   `DistributedDataParallel` does by default; the running statistics kept in
    ///   checkpoints are rank 0's. A Dropout layer draws the same masks on every rank.
    /// - Reported losses and scores are averaged over the ranks; all ranks stop at the
    ///   same step when any of them stops (a run component, Ctrl-C or SIGTERM on any rank).
    /// - Run components run on rank 0 only, except those whose
    ///   ``TrainingComponent/runsOnEveryRank`` is true (``InterruptHandler``): only rank 0
    ///   prints progress and writes files. A checkpoint resumes on any number of ranks.
    /// - When training fails on a rank (a component throws, a loss diverges), that rank
    ///   ends the whole job with ``ProcessGroup/abort(reason:)`` instead of leaving the
    ///   others waiting.
    ///
    /// Warm steps still allocate nothing. A group of size 1 changes nothing.
    /// - Precondition: not already distributed.
    public func distribute(over group: any ProcessGroup) {
        require(dataParallel == nil, "Trainer.distribute(over:): the trainer is already distributed")
        let capacity = [generatorOptimizer, discriminatorOptimizer].map { optimizer in
            optimizer.parameters.reduce(0) { $0 + $1.value.count }
        }.max() ?? 0
        dataParallel = DataParallelSynchronizer(group: group, capacity: capacity)
    }

    /// The group of ``distribute(over:)``, or nil for a single process.
    public var processGroup: (any ProcessGroup)? { dataParallel?.group }

    /// The part of every global batch this rank trains on: ``BatchShard/whole`` unless distributed.
    public var batchShard: BatchShard { dataParallel?.group.shard ?? .whole }

    /// Whether this trainer prints and writes files: not distributed, or rank 0.
    public var isLeader: Bool { dataParallel?.group.isLeader ?? true }

    /// The time spent averaging gradients so far, or nil unless distributed.
    public var dataParallelStatistics: DataParallelStatistics? { dataParallel?.statistics }

    /// Sends rank 0's state to every other rank (see ``distribute(over:)``).
    func synchronizeReplicas() throws(TrainingError) {
        guard let dataParallel, dataParallel.group.size > 1 else { return }
        let group = dataParallel.group
        var bytes = group.isLeader ? makeCheckpoint().encoded() : []
        var count = UInt64(bytes.count)
        withUnsafeMutableBytes(of: &count) { group.broadcast($0, from: 0) }
        try dataParallel.checkGroup()
        if !group.isLeader { bytes = [UInt8](repeating: 0, count: Int(count)) }
        bytes.withUnsafeMutableBytes { group.broadcast($0, from: 0) }
        try dataParallel.checkGroup()
        guard !group.isLeader else { return }
        do {
            try restore(from: Checkpoint.decode(bytes, path: "rank 0's state"))
        } catch {
            throw .processGroupFailed(ProcessGroupFailure(rank: group.rank, reason: "cannot take rank 0's state: \(error)"))
        }
    }

    /// Whether `component` runs on this rank.
    func runsHere(_ component: any TrainingComponent) -> Bool {
        isLeader || component.runsOnEveryRank
    }

    /// Ends the job after `error` ended training on this rank, unless the error is
    /// another rank's abort (then the job is ending already).
    func abortGroup(after error: TrainingError) {
        guard let group = dataParallel?.group, group.size > 1 else { return }
        if case .processGroupFailed(let failure) = error, failure.rank != group.rank { return }
        group.abort(reason: "training failed: \(error)")
    }
}
