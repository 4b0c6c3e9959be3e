import Foundation

/// Scores the generator's samples every few epochs with a ``SampleEvaluator``
/// (Fréchet distance, classifier score, precision/recall, class coverage; see
/// `Docs/Evaluation.md`), prints a one-line summary and records the values into every
/// ``MetricRecorder`` attached to the same trainer: a ``HistoryWriter`` (columns of
/// `history.csv`, curves of `metrics.png`), a ``TensorBoardLogger`` (scalars `metrics/NAME`).
///
/// Build the expensive state once — the classifier and the reference statistics — and attach:
/// ```swift
/// let evaluator = SampleEvaluator(classifier: try MNISTClassifier(contentsOf: classifierURL), reference: testImages)
/// trainer.add(SampleQualityMonitor(every: 5, sampleCount: 2000, seed: 42, evaluator: evaluator))
/// ```
public final class SampleQualityMonitor: TrainingComponent {
    /// Evaluate after epochs whose number (counted from 1) is a multiple of this.
    public let interval: Int
    /// Samples generated per evaluation.
    public let sampleCount: Int
    /// Seeds the evaluation noise: every evaluation uses the same noise vectors.
    public let seed: UInt64
    /// The evaluator, holding the classifier and the reference statistics.
    public let evaluator: SampleEvaluator
    /// The reports so far, by epoch (counted from 0).
    public private(set) var reports: [(epoch: Int, report: EvaluationReport)] = []

    /// Creates a monitor.
    /// - Precondition: `interval ≥ 1`, `sampleCount ≥ 1`.
    public init(every interval: Int, sampleCount: Int, seed: UInt64, evaluator: SampleEvaluator) {
        require(interval >= 1 && sampleCount >= 1,
                "SampleQualityMonitor: interval and sampleCount must be ≥ 1, got \(interval) and \(sampleCount)")
        self.interval = interval
        self.sampleCount = sampleCount
        self.seed = seed
        self.evaluator = evaluator
    }

    /// Evaluates when `report.epoch + 1` is a multiple of ``interval``.
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) -> TrainingDecision {
        guard (report.epoch + 1) % interval == 0 else { return .continue }
        let samples = trainer.generateSamples(count: sampleCount, seed: seed ^ 0xE7A1, chunkSize: 500)
        let result = evaluator.evaluate(samples.images)
        reports.append((report.epoch, result))
        for (name, value) in result.namedValues { record(name, value, epoch: report.epoch, in: trainer) }
        var line = String(format: "  epoch %d metrics: FD %.3f, classifier score %.3f, precision %.3f, recall %.3f, "
                          + "density %.3f, coverage %.3f, %d classes", report.epoch + 1, result.frechetDistance,
                          result.classifierScore, result.precision, result.recall, result.density, result.coverage,
                          result.classesCovered)
        if let requested = samples.labels {
            let images = evaluator.pixelRange.rescale(samples.images, to: .minusOneToOne)  // the classifier's scale
            let accuracy = evaluator.classifier.accuracy(images: images, labels: requested.scalars.map { Int($0) })
            record("conditional_accuracy", accuracy, epoch: report.epoch, in: trainer)
            line += String(format: ", %.1f %% classified as asked", 100 * accuracy)
        }
        print(line)
        return .continue
    }

    private func record(_ name: String, _ value: Double, epoch: Int, in trainer: Trainer) {
        for case let recorder as any MetricRecorder in trainer.components {
            recorder.record(metric: name, value: value, epoch: epoch)
        }
    }
}
