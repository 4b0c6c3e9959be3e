import Foundation

extension Trainer {
    /// Trains until `epochs` epochs are complete (counting epochs already done
    /// before a resume) or a callback or component returns `.stop`.
    ///
    /// Every step's losses are checked: a NaN or infinite loss stops training
    /// before the callbacks and components see that step, and so does a non-finite
    /// parameter or buffer found at the end of an epoch. Checkpoints written by
    /// them are therefore always from finite states.
    ///
    /// - Parameters:
    ///   - epochs: the total number of epochs the run should reach.
    ///   - batchesPerEpoch: used for reports and progress.
    ///   - batches: the real mini-batches of an epoch, e.g. a shuffled `BatchSequence`
    ///     for that epoch. When resuming mid-epoch, the first ``batchInEpoch`` are skipped.
    /// - Returns: the reports of the steps and epochs run by this call.
    /// - Throws: ``TrainingError/diverged(_:)`` naming the step, what was not finite and
    ///   the last finite losses (its ``TrainingDivergence/history`` holds the steps before);
    ///   ``TrainingError/componentFailed(component:error:)`` when a run component threw;
    ///   ``TrainingError/processGroupFailed(_:)`` when another rank of a data-parallel group ended the job.
    @discardableResult
    public func train<Batches: Sequence<Tensor>>(epochs: Int, batchesPerEpoch: Int,
                                                 batches: (_ epoch: Int) -> Batches) throws(TrainingError) -> History {
        try runEpochs(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
            batches(epoch).lazy.map { (images: $0, labels: Tensor?.none) }
        }
    }

    /// Trains a class-conditional model (see ``isConditional``) like
    /// ``train(epochs:batchesPerEpoch:batches:)``, on batches of images with their labels `[N]`.
    ///
    /// ```swift
    /// let history = try trainer.train(epochs: 30, batchesPerEpoch: count, labeledBatches: { epoch in
    ///     zip(BatchSequence(images, batchSize: 64, seed: 7, epoch: epoch),
    ///         BatchSequence(labels, batchSize: 64, seed: 7, epoch: epoch))   // same seed: same order
    /// })
    /// ```
    @discardableResult
    public func train<Batches: Sequence<(Tensor, Tensor)>>(
        epochs: Int, batchesPerEpoch: Int, labeledBatches batches: (_ epoch: Int) -> Batches
    ) throws(TrainingError) -> History {
        try runEpochs(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
            batches(epoch).lazy.map { (images: $0.0, labels: Optional($0.1)) }
        }
    }

    private func runEpochs<Batches: Sequence<(images: Tensor, labels: Tensor?)>>(
        epochs: Int, batchesPerEpoch: Int, batches: (_ epoch: Int) -> Batches
    ) throws(TrainingError) -> History {
        var history = History()
        history.batches.reserveCapacity(max(epochs - epoch, 0) * batchesPerEpoch)  // recording a step allocates nothing
        do {
            try synchronizeReplicas()
            let plan = TrainingPlan(epochs: epochs, batchesPerEpoch: batchesPerEpoch)
            try tellComponents { try $0.trainingWillStart(self, plan: plan) }
            let outcome = try runEpochLoop(epochs: epochs, batchesPerEpoch: batchesPerEpoch, history: &history, batches: batches)
            try tellComponents { try $0.trainingDidEnd(self, outcome: outcome) }
        } catch {
            var outcome = TrainingOutcome.failed
            if case .diverged(let divergence) = error { outcome = .diverged(divergence) }
            for component in components where runsHere(component) { try? component.trainingDidEnd(self, outcome: outcome) }
            abortGroup(after: error)
            throw error
        }
        return history
    }

    /// The epochs and steps; returns `.stopped` or `.finished`.
    private func runEpochLoop<Batches: Sequence<(images: Tensor, labels: Tensor?)>>(
        epochs: Int, batchesPerEpoch: Int, history: inout History, batches: (_ epoch: Int) -> Batches
    ) throws(TrainingError) -> TrainingOutcome {
        while epoch < epochs {
            let epochStart = Date()
            var dSum = 0.0, gSum = 0.0, count = 0
            let alreadyDone = batchInEpoch
            for (index, batch) in batches(epoch).enumerated() where index >= alreadyDone {
                let start = Date()
                var result = trainStep(real: batch.images, labels: batch.labels)
                if let dataParallel { result = try dataParallel.averageAcrossRanks(result) }
                if let divergence = divergence(after: (result.discriminatorLoss, result.generatorLoss),
                                               batch: index, history: history) {
                    throw .diverged(divergence)
                }
                lastFiniteLosses = (step, result.discriminatorLoss, result.generatorLoss)
                batchInEpoch = index + 1
                let report = BatchReport(epoch: epoch, batch: index, batchesPerEpoch: batchesPerEpoch, step: step,
                                         discriminatorLoss: result.discriminatorLoss,
                                         generatorLoss: result.generatorLoss, realScore: result.realScore,
                                         fakeScore: result.fakeScore, seconds: Date().timeIntervalSince(start))
                history.batches.append(report)
                dSum += Double(result.discriminatorLoss)
                gSum += Double(result.generatorLoss)
                count += 1
                let decision = onBatchEnd(report)
                if try agree(try askComponents({ try $0.batchDidEnd(report, trainer: self) }) == .stop || decision == .stop) {
                    return .stopped
                }
            }
            if let divergence = parameterDivergence(history: history) { throw .diverged(divergence) }
            let report = EpochReport(epoch: epoch, step: step, meanDiscriminatorLoss: Float(dSum / Double(max(count, 1))),
                                     meanGeneratorLoss: Float(gSum / Double(max(count, 1))),
                                     seconds: Date().timeIntervalSince(epochStart))
            epoch += 1
            batchInEpoch = 0
            history.epochs.append(report)
            let decision = onEpochEnd(report)
            if try agree(try askComponents({ try $0.epochDidEnd(report, trainer: self) }) == .stop || decision == .stop) {
                return .stopped
            }
        }
        return .finished
    }

    /// Runs `body` on every component in order, turning what one throws into
    /// ``TrainingError/componentFailed(component:error:)`` (the components after it are not called).
    private func tellComponents(_ body: (any TrainingComponent) throws -> Void) throws(TrainingError) {
        for component in components where runsHere(component) {
            do {
                try body(component)
            } catch {
                throw .componentFailed(component: String(describing: type(of: component)), error: error)
            }
        }
    }

    /// Whether to stop: `stop` here, or on any rank of a data-parallel group (all ranks stop together).
    private func agree(_ stop: Bool) throws(TrainingError) -> Bool {
        guard let dataParallel else { return stop }
        return try dataParallel.anyRank(stop)
    }

    /// ``tellComponents(_:)`` for a decision: `.stop` when any component returns it (all are still called).
    private func askComponents(_ body: (any TrainingComponent) throws -> TrainingDecision) throws(TrainingError)
        -> TrainingDecision {
        var decision = TrainingDecision.continue
        try tellComponents { if try body($0) == .stop { decision = .stop } }
        return decision
    }
}
