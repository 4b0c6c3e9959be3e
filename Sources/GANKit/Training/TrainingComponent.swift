/// A reusable piece of a training run — progress line, sample grids, history,
/// checkpoints, Ctrl-C handling, metrics — attached to a ``Trainer`` with
/// ``Trainer/add(_:)``. Keras calls these callbacks, Lightning too.
///
/// Every method has a default that does nothing, so a component implements
/// only what it needs. The trainer calls its components in the order they were
/// added, after its own ``Trainer/onBatchEnd`` / ``Trainer/onEpochEnd`` closures;
/// several components run together without a dispatcher of yours:
/// ```swift
/// trainer.add(ProgressDisplay(totalEpochs: 30))
/// trainer.add(SampleGridWriter(directory: out, seed: 7))
/// trainer.add(CheckpointWriter(url: out.appendingPathComponent("checkpoint.gankit"), everySteps: 500))
/// ```
///
/// A method that throws ends training: ``Trainer/train(epochs:batchesPerEpoch:batches:)``
/// rethrows the error as ``TrainingError/componentFailed(component:error:)`` after
/// calling ``trainingDidEnd(_:outcome:)`` on every component.
///
/// Components belong to the training task, like the trainer: they are called on its
/// thread, one at a time.
public protocol TrainingComponent: AnyObject {
    /// Called once before the first step of a `train` call (after any resume:
    /// ``Trainer/step`` and ``Trainer/epoch`` say where the run continues).
    func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) throws
    /// Called after every step; return `.stop` to end training after it.
    func batchDidEnd(_ report: BatchReport, trainer: Trainer) throws -> TrainingDecision
    /// Called after every epoch; return `.stop` to end training after it.
    func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision
    /// Called once when a `train` call ends, however it ends.
    func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws
    /// Whether a data-parallel trainer (``Trainer/distribute(over:)``) calls this component
    /// on every rank rather than on rank 0 only (the default: false, so files are written
    /// and progress is printed once). A component that runs everywhere must not write files
    /// on other ranks (see ``Trainer/isLeader``).
    var runsOnEveryRank: Bool { get }
}

extension TrainingComponent {
    /// Does nothing.
    public func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) throws {}
    /// Continues.
    public func batchDidEnd(_ report: BatchReport, trainer: Trainer) throws -> TrainingDecision { .continue }
    /// Continues.
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision { .continue }
    /// Does nothing.
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {}
    /// False: rank 0 only.
    public var runsOnEveryRank: Bool { false }
}

/// What a `train` call is about to do, for ``TrainingComponent/trainingWillStart(_:plan:)``.
public struct TrainingPlan: Sendable, Hashable {
    /// The epoch count the run will reach (counting epochs done before a resume).
    public var epochs: Int
    /// Batches in one epoch.
    public var batchesPerEpoch: Int

    /// Creates a plan.
    public init(epochs: Int, batchesPerEpoch: Int) {
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
    }
}

/// How a `train` call ended, for ``TrainingComponent/trainingDidEnd(_:outcome:)``.
public enum TrainingOutcome: Sendable {
    /// Every epoch asked for was trained.
    case finished
    /// A callback or component returned `.stop` (e.g. after Ctrl-C).
    case stopped
    /// A loss or parameter became NaN or infinite; the state is not finite and must not be saved.
    case diverged(TrainingDivergence)
    /// A component threw; the state after the last step is finite.
    case failed
}
