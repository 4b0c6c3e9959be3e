import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns Ctrl-C (SIGINT) and SIGTERM into a clean stop: training ends after the
/// current step, the ``CheckpointWriter`` saves, and the command that continues the
/// run is printed — instead of the process dying halfway through writing a file.
///
/// ```swift
/// let interrupts = InterruptHandler(checkpoints: checkpoints)
/// trainer.add(interrupts)
/// try trainer.train(…)
/// if interrupts.isRequested { exit(interrupts.exitStatus) }   // 130 after Ctrl-C
/// ```
///
/// While a handler exists, the signals do not kill the process: the first one
/// sets ``isRequested`` (and prints a note); later ones only repeat the note,
/// because the program is about to finish writing its files. `kill -9` still works.
public final class InterruptHandler: TrainingComponent, @unchecked Sendable {
    // @unchecked Sendable: `received` is only read and written under `lock`; the dispatch
    // sources are created in `init`, only resumed and cancelled afterwards; `checkpoints`
    // is used on the training thread only (in `trainingDidEnd`).
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "gankit.interrupts")
    private let checkpoints: CheckpointWriter?

    /// Starts watching SIGINT and SIGTERM.
    /// - Parameter checkpoints: saved when a signal stops training, and named in the resume command.
    public init(checkpoints: CheckpointWriter? = nil) {
        self.checkpoints = checkpoints
        for number in [SIGINT, SIGTERM] {
            // Ignore the default action (terminate) so the dispatch source alone sees the signal.
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                let text = self.record(number) ? "interrupted: finishing the current step and saving a checkpoint…"
                                               : "already stopping; please wait for the checkpoint to be written"
                FileHandle.standardError.write(Data("\n\(text)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Whether SIGINT or SIGTERM has arrived.
    public var isRequested: Bool { lock.withLock { received != nil } }

    /// The exit status a shell reports for the signal received: 130 for SIGINT, 143 for SIGTERM.
    public var exitStatus: Int32 { lock.withLock { 128 + (received ?? SIGINT) } }

    /// True: in a data-parallel job a signal to any rank stops every rank at the same step.
    public var runsOnEveryRank: Bool { true }

    /// Stops training after this step when a signal has arrived.
    public func batchDidEnd(_ report: BatchReport, trainer: Trainer) -> TrainingDecision {
        isRequested ? .stop : .continue
    }

    /// After a signal: saves the checkpoint and prints, on standard error, where the
    /// run stopped and the command that continues it (this command line with `--resume FILE`).
    /// Rank 0 only, in a data-parallel job.
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {
        guard isRequested, case .stopped = outcome, trainer.isLeader else { return }
        var text = "interrupted at epoch \(trainer.epoch + 1) step \(trainer.step) "
            + "(batch \(trainer.batchInEpoch) of the epoch done)"
        if let checkpoints {
            try checkpoints.saveIfNewer(trainer)
            text += "; checkpoint saved to \(checkpoints.url.path)\nresume with: "
                + Self.resumeCommand(CommandLine.arguments, checkpoint: checkpoints.url.path)
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// `arguments` (program first) with any `--resume` option replaced by `--resume checkpoint`.
    static func resumeCommand(_ arguments: [String], checkpoint: String) -> String {
        var words = Array(arguments.dropFirst())
        if let index = words.firstIndex(of: "--resume"), index + 1 < words.count { words.removeSubrange(index...(index + 1)) }
        words.removeAll { $0.hasPrefix("--resume=") }
        let program = arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "program"
        return ([program] + words + ["--resume", checkpoint]).joined(separator: " ")
    }

    /// Records `number`; returns whether it is the first signal.
    private func record(_ number: Int32) -> Bool {
        lock.withLock {
            guard received == nil else { return false }
            received = number
            return true
        }
    }
}
