import Foundation

/// A terminal progress line for training: epoch, step/total, it/s, ETA and losses.
///
/// On a terminal it rewrites one line in place (`\r`); when output goes to a
/// file or pipe it prints a plain line every `plainInterval` steps and at the
/// end of each epoch, so logs stay readable.
///
/// As a run component it takes the epoch count from the `train` call:
/// ```swift
/// trainer.add(ProgressDisplay())
/// ```
/// or by hand, from callbacks:
/// ```swift
/// let progress = ProgressDisplay(totalEpochs: 20)
/// trainer.onBatchEnd = { report in progress.update(report); return .continue }
/// trainer.onEpochEnd = { report in progress.finishEpoch(report); return .continue }
/// ```
public final class ProgressDisplay: TrainingComponent {
    /// The number of epochs the run will reach (for "epoch 3/20"); set by ``trainingWillStart(_:plan:)``.
    public private(set) var totalEpochs: Int
    /// Whether standard output is a terminal (one updating line) or not (plain lines).
    public let isInteractive: Bool
    /// Steps between plain lines when not interactive.
    public var plainInterval: Int
    private var recentSeconds: [Double] = []
    private var lastDraw = Date.distantPast

    /// Creates a display writing to standard output.
    /// - Parameter totalEpochs: for "epoch 3/20"; a `train` call replaces it with its own.
    public init(totalEpochs: Int = 0, plainInterval: Int = 100) {
        self.totalEpochs = totalEpochs
        self.plainInterval = plainInterval
        isInteractive = isatty(STDOUT_FILENO) != 0
    }

    /// Prints what the run will do: epochs, batches and where it starts.
    public func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) {
        totalEpochs = plan.epochs
        lastStatistics = (trainer.dataParallelStatistics ?? DataParallelStatistics(), trainer.step)
        let start = trainer.step > 0 ? ", continuing at epoch \(trainer.epoch + 1) batch \(trainer.batchInEpoch + 1)" : ""
        print("training \(plan.epochs) epochs of \(plan.batchesPerEpoch) batches\(start)")
        fflush(nil)
    }

    /// Shows the step (see ``update(_:)``).
    public func batchDidEnd(_ report: BatchReport, trainer: Trainer) -> TrainingDecision {
        update(report)
        return .continue
    }

    /// Prints the epoch's summary (see ``finishEpoch(_:)``); for a data-parallel trainer,
    /// also the time its steps spent averaging gradients.
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) -> TrainingDecision {
        finishEpoch(report)
        if let statistics = trainer.dataParallelStatistics, let group = trainer.processGroup {
            print(Self.averagingSummary(statistics, since: lastStatistics, step: trainer.step, epochSeconds: report.seconds,
                                        ranks: group.size))
            lastStatistics = (statistics, trainer.step)
        }
        return .continue
    }

    /// Where the last summary's statistics stood, and at which step.
    private var lastStatistics = (statistics: DataParallelStatistics(), step: 0)

    /// `  2 processes: averaging gradients 1.9 ms per step (collective 1.7 ms, copies 0.2 ms), 12 % of the epoch`.
    static func averagingSummary(_ statistics: DataParallelStatistics, since previous: (statistics: DataParallelStatistics, step: Int),
                                 step: Int, epochSeconds: Double, ranks: Int) -> String {
        let steps = Double(max(step - previous.step, 1))
        let collective = statistics.collectiveSeconds - previous.statistics.collectiveSeconds
        let copies = statistics.copySeconds - previous.statistics.copySeconds
        let values = Double(statistics.values - previous.statistics.values) / steps
        return String(format: "  %d processes: averaging %.2f M gradient values per step took %.2f ms per step "
                          + "(collective %.2f ms, copies %.2f ms), %.1f %% of the epoch", ranks, values / 1e6,
                      (collective + copies) / steps * 1e3, collective / steps * 1e3, copies / steps * 1e3,
                      (collective + copies) / max(epochSeconds, 1e-9) * 100)
    }

    /// Shows a step's statistics (throttled to 10 redraws a second on a terminal).
    public func update(_ report: BatchReport) {
        recentSeconds.append(report.seconds)
        if recentSeconds.count > 50 { recentSeconds.removeFirst(recentSeconds.count - 50) }
        if isInteractive {
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 || report.batch + 1 == report.batchesPerEpoch else { return }
            lastDraw = now
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line(report)).utf8))
        } else if report.step % max(plainInterval, 1) == 0 {
            print(line(report))
            fflush(nil)  // redirected output is block-buffered: make each line reach the log now
        }
    }

    /// Ends an epoch's line with its summary.
    public func finishEpoch(_ report: EpochReport) {
        let summary = String(format: "epoch %d/%d done in %.1f s  mean D %.4f  mean G %.4f", report.epoch + 1,
                             totalEpochs, report.seconds, report.meanDiscriminatorLoss, report.meanGeneratorLoss)
        if isInteractive { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
        print(summary)
        fflush(nil)
    }

    /// The text of one progress line.
    public func line(_ report: BatchReport) -> String {
        let mean = recentSeconds.isEmpty ? 0 : recentSeconds.reduce(0, +) / Double(recentSeconds.count)
        let rate = mean > 0 ? 1 / mean : 0
        let remainingSteps = (totalEpochs - report.epoch - 1) * report.batchesPerEpoch
            + (report.batchesPerEpoch - report.batch - 1)
        let eta = Self.formatDuration(Double(remainingSteps) * mean)
        return String(format: "epoch %d/%d  step %d/%d  %.1f it/s  ETA ", report.epoch + 1, totalEpochs,
                      report.batch + 1, report.batchesPerEpoch, rate) + eta
            + String(format: "  D %.4f  G %.4f  D(x) %.3f  D(G(z)) %.3f", report.discriminatorLoss,
                     report.generatorLoss, report.realScore, report.fakeScore)
    }

    /// `m:ss` or `h:mm:ss`; `--:--` for negative, non-finite or unrepresentably large values.
    static func formatDuration(_ seconds: Double) -> String {
        // Int(exactly:) rather than Int(_:), which traps above Int.max (≈ 9.2e18 s).
        guard seconds >= 0, let total = Int(exactly: seconds.rounded()) else { return "--:--" }
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
