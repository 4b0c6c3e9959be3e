import Foundation

/// Saves the whole training state (``Trainer/makeCheckpoint()``) to one file: every
/// `everySteps` steps, after every epoch, and when training ends or is stopped —
/// Keras' `ModelCheckpoint`, for resuming bit for bit with ``Trainer/restore(from:)``.
///
/// Writes are atomic (temporary file, then rename), so the file is always a complete
/// checkpoint; a state with a NaN or infinite parameter is never written, so the file
/// is always the last good one. Temporary files left by a killed run are removed when
/// training starts.
///
/// ```swift
/// let checkpoints = CheckpointWriter(url: out.appendingPathComponent("checkpoint.gankit"), everySteps: 500)
/// trainer.add(checkpoints)
/// ```
public final class CheckpointWriter: TrainingComponent {
    /// The checkpoint file.
    public let url: URL
    /// Steps between saves (0: only after epochs and at the end).
    public let everySteps: Int
    /// Whether to save after every epoch.
    public let everyEpoch: Bool
    /// The step of the last save by this writer, if any.
    public private(set) var lastSavedStep: Int?

    /// Creates a writer for `url`; its folder is created when training starts.
    /// - Precondition: `everySteps ≥ 0`.
    public init(url: URL, everySteps: Int = 0, everyEpoch: Bool = true) {
        require(everySteps >= 0, "CheckpointWriter: everySteps must be ≥ 0 (0 = never by steps), got \(everySteps)")
        self.url = url
        self.everySteps = everySteps
        self.everyEpoch = everyEpoch
    }

    /// Saves the trainer's state now, unless a parameter is not finite.
    /// - Throws: ``TrainingError/diverged(_:)`` for a non-finite parameter (the file is
    ///   left as it was), or the write error naming the file.
    public func save(_ trainer: Trainer) throws {
        try trainer.checkParametersFinite()
        try trainer.makeCheckpoint().write(to: url)
        lastSavedStep = trainer.step
    }

    /// ``save(_:)`` unless this writer last saved at the trainer's current step.
    public func saveIfNewer(_ trainer: Trainer) throws {
        if lastSavedStep != trainer.step { try save(trainer) }
    }

    /// Creates the folder and removes leftover temporary files from it.
    public func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in removeLeftoverTemporaryFiles(in: folder) { print("removed \(name), left by an interrupted write") }
    }

    /// Saves every ``everySteps`` steps.
    public func batchDidEnd(_ report: BatchReport, trainer: Trainer) throws -> TrainingDecision {
        if everySteps > 0 && report.step % everySteps == 0 { try save(trainer) }
        return .continue
    }

    /// Saves after the epoch when ``everyEpoch``.
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision {
        if everyEpoch { try save(trainer) }
        return .continue
    }

    /// Saves the final state of a finished or stopped run (unless just saved); never a diverged one.
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {
        switch outcome {
        case .finished, .stopped:
            try saveIfNewer(trainer)
        case .diverged, .failed:
            break
        }
    }
}
