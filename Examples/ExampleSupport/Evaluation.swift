import Foundation
import GANKit

/// The bundled classifier checkpoint, `Examples/Data/Classifier/mnist-classifier.gankit`
/// next to this source file (found whatever the working directory).
public let bundledClassifierPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Data/Classifier/mnist-classifier.gankit").path

/// The sample-quality options of the GAN examples (`--eval-every`, `--eval-samples`).
public let evaluationOptions: [Option] = [
    Option("--eval-every", "N", kind: .nonNegativeInteger, default: "0",
           help: "every N epochs, score samples with the bundled classifier (0 = never); see Docs/Evaluation.md"),
    Option("--eval-samples", "N", kind: .positiveInteger, default: "2000",
           help: "samples per --eval-every evaluation, against the MNIST test set"),
]

/// Scores a trainer's samples every few epochs from an `onEpochEnd` callback
/// and keeps the results by epoch.
///
/// This is the pattern for any per-epoch metric: build the expensive state
/// once (here the classifier and the reference statistics), then wrap the
/// trainer's existing callback so both run:
///
/// ```swift
/// let monitor = SampleQualityMonitor(every: 5, sampleCount: 2000, seed: 42, reference: testImages)
/// let previous = trainer.onEpochEnd
/// trainer.onEpochEnd = { report in
///     monitor.epochEnded(report, trainer: trainer)
///     return previous(report)
/// }
/// ```
public final class SampleQualityMonitor {
    /// Evaluate after epochs whose number (counted from 1) is a multiple of this.
    public let interval: Int
    /// Samples generated per evaluation.
    public let sampleCount: Int
    /// The evaluator, holding the classifier and the reference statistics.
    public let evaluator: SampleEvaluator
    /// Seeds the evaluation noise: every evaluation uses the same noise vectors.
    public let seed: UInt64
    /// The reports so far, by epoch (counted from 0).
    public private(set) var reports: [(epoch: Int, report: EvaluationReport)] = []
    /// For a conditional generator: the fraction of samples classified as the class they were asked to be, by epoch.
    public private(set) var conditionalAccuracies: [(epoch: Int, accuracy: Double)] = []

    /// Loads the classifier from `classifierPath` and computes the reference statistics.
    /// - Throws: the checkpoint error when the classifier cannot be loaded.
    public init(every interval: Int, sampleCount: Int, seed: UInt64, reference: Tensor,
                classifierPath: String = bundledClassifierPath) throws {
        self.interval = interval
        self.sampleCount = sampleCount
        self.seed = seed
        let classifier = try MNISTClassifier(contentsOf: URL(fileURLWithPath: classifierPath))
        evaluator = SampleEvaluator(classifier: classifier, reference: reference)
    }

    /// Evaluates when `report.epoch + 1` is a multiple of ``interval``; prints a one-line summary.
    public func epochEnded(_ report: EpochReport, trainer: Trainer) {
        guard interval > 0, (report.epoch + 1) % interval == 0 else { return }
        let samples = trainer.generateSamples(count: sampleCount, seed: seed ^ 0xE7A1, chunkSize: 500)
        let result = evaluator.evaluate(samples.images)
        reports.append((report.epoch, result))
        var line = String(format: "  epoch %d metrics: FD %.3f, classifier score %.3f, precision %.3f, recall %.3f, "
                          + "density %.3f, coverage %.3f, %d classes", report.epoch + 1, result.frechetDistance,
                          result.classifierScore, result.precision, result.recall, result.density, result.coverage,
                          result.classesCovered)
        if let requested = samples.labels {
            let accuracy = evaluator.classifier.accuracy(images: samples.images, labels: requested.scalars.map { Int($0) })
            conditionalAccuracies.append((report.epoch, accuracy))
            line += String(format: ", %.1f %% classified as asked", 100 * accuracy)
        }
        print(line)
    }

    /// Records every report into `history.epochMetrics` (names from ``EvaluationReport/namedValues``).
    public func record(into history: inout History) {
        for (epoch, report) in reports {
            for (name, value) in report.namedValues { history.record(metric: name, value: value, epoch: epoch) }
        }
        for (epoch, accuracy) in conditionalAccuracies {
            history.record(metric: "conditional_accuracy", value: accuracy, epoch: epoch)
        }
    }
}

extension GANExampleRun {
    /// With `--eval-every N > 0`: loads the bundled classifier and the MNIST test
    /// images of `--data`, and wraps `trainer.onEpochEnd` so that every N epochs
    /// `--eval-samples` samples are scored after the existing callback ran.
    /// Returns nil (and changes nothing) with `--eval-every 0`.
    public func installSampleQualityMonitor(on trainer: Trainer) -> SampleQualityMonitor? {
        let interval = arguments.integer("--eval-every")
        guard interval > 0 else { return nil }
        let monitor: SampleQualityMonitor
        do {
            let test = try ImageDataset.mnist(directory: arguments.url("--data")!, split: .test)
            guard Array(test.images.shape.dropFirst()) == [1, 28, 28] else {
                fail("--eval-every needs 28×28 single-channel images, found \(Array(test.images.shape.dropFirst()))")
            }
            monitor = try SampleQualityMonitor(every: interval, sampleCount: arguments.integer("--eval-samples"),
                                               seed: arguments.seed("--seed"), reference: test.images)
        } catch {
            fail("--eval-every: \(error)")
        }
        let previous = trainer.onEpochEnd
        trainer.onEpochEnd = { report in
            let decision = previous(report)
            monitor.epochEnded(report, trainer: trainer)
            return decision
        }
        return monitor
    }
}

/// Writes `metrics.png` when `history` has sample-quality metrics: the Fréchet
/// distance on top; precision, recall, coverage and the fraction of classes covered below.
public func writeMetricsPlot(_ history: History, to url: URL) throws {
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
