import Foundation

/// Keeps the run's ``History`` and writes it: `history.csv` (one row per step,
/// atomically, after every epoch and when training ends), `losses.png` (the loss
/// curves) and, when sample-quality metrics were recorded, `metrics.png`.
///
/// A resumed run (``Trainer/step`` > 0 at the start) continues the rows of the
/// existing `history.csv` up to the resumed step, so the file reads as one run.
///
/// ```swift
/// let history = HistoryWriter(directory: out, title: "mnist-gan")
/// trainer.add(history)
/// ```
public final class HistoryWriter: TrainingComponent {
    /// The folder of `history.csv`, `losses.png` and `metrics.png`.
    public let directory: URL
    /// The title of the loss plot.
    public let title: String
    /// Everything recorded so far, including the rows before a resume.
    public private(set) var history = History()

    /// Creates a writer into `directory`.
    public init(directory: URL, title: String = "GAN losses") {
        self.directory = directory
        self.title = title
    }

    /// `directory/history.csv`.
    public var csvURL: URL { directory.appendingPathComponent("history.csv") }

    /// Records a per-epoch metric (a column of `history.csv`, a curve of `metrics.png`).
    public func record(metric name: String, value: Double, epoch: Int) {
        history.record(metric: name, value: value, epoch: epoch)
    }

    /// Starts a new history, or continues the existing `history.csv` when the trainer was resumed.
    public func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        history = History()
        if trainer.step > 0, let text = try? String(contentsOf: csvURL, encoding: .utf8) {
            history = History(csv: text, upToStep: trainer.step)
        }
        // Room for every step of the run, so that recording a step does not allocate.
        history.batches.reserveCapacity(history.batches.count + max(plan.epochs - trainer.epoch, 0) * plan.batchesPerEpoch)
    }

    /// Records the step.
    public func batchDidEnd(_ report: BatchReport, trainer: Trainer) -> TrainingDecision {
        history.batches.append(report)
        return .continue
    }

    /// Records the epoch and rewrites `history.csv`.
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision {
        history.epochs.append(report)
        try history.writeCSV(to: csvURL)
        return .continue
    }

    /// Writes `history.csv`, `losses.png` and `metrics.png` (the history up to a divergence too).
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {
        try history.writeCSV(to: csvURL)
        try history.lossPlot(title: title).write(to: directory.appendingPathComponent("losses.png"))
        try writeMetricsPlot(to: directory.appendingPathComponent("metrics.png"))
    }

    /// `metrics.png` when the history has a Fréchet distance: it on top; precision,
    /// recall, coverage and the fraction of classes covered below.
    private func writeMetricsPlot(to url: URL) throws {
        guard history.epochMetrics["frechet_distance"] != nil else { return }
        let top = history.metricPlot(["frechet_distance"], title: "Frechet classifier distance (lower is better)")
            .render(width: 800, height: 350)
        var fractions = history
        if let covered = history.epochMetrics["classes_covered"] {
            fractions.epochMetrics["classes_covered/10"] = covered.map { ($0.epoch, $0.value / 10) }
        }
        let bottom = fractions.metricPlot(["precision", "recall", "coverage", "classes_covered/10"],
                                          title: "Precision, recall, coverage, classes covered (higher is better)")
            .render(width: 800, height: 350)
        try RasterImage(width: 800, height: top.height + bottom.height, channels: top.channels,
                        pixels: top.pixels + bottom.pixels).writePNG(to: url)
    }
}
