import Foundation

/// Every sample-quality metric of one set of generated images against a reference set.
///
/// Produced by ``SampleEvaluator/evaluate(_:)``. Lower is better for
/// ``frechetDistance``; higher is better for the rest. See
/// `Docs/Evaluation.md` for the floor (real against real) and ceilings
/// (noise, constant images, collapsed generators) that give the numbers a scale.
public struct EvaluationReport: Sendable, Equatable, Codable {
    /// The number of generated images evaluated.
    public var sampleCount: Int
    /// The number of reference images.
    public var referenceCount: Int
    /// Fréchet classifier distance between sample and reference features (see ``frechetDistance(_:_:)``).
    public var frechetDistance: Double
    /// The Inception-Score analogue of the classifier (see ``classifierScore(probabilities:)``), 1…10.
    public var classifierScore: Double
    /// Improved precision (k = 3; see ``PrecisionRecall``).
    public var precision: Double
    /// Improved recall (k = 3; see ``PrecisionRecall``).
    public var recall: Double
    /// Density (Naeem et al.; ≈ 1 for real data; see ``PrecisionRecall/density``).
    public var density: Double
    /// Coverage (Naeem et al.; see ``PrecisionRecall/coverage``).
    public var coverage: Double
    /// Predicted-digit counts of the samples, ten entries.
    public var classHistogram: [Int]
    /// Digits receiving at least 1 % of the samples (see ``ClassHistogram/classesCovered``).
    public var classesCovered: Int
    /// Entropy of the predicted-digit distribution in nats (at most ln 10 ≈ 2.303).
    public var classEntropy: Double

    /// Creates a report from its values.
    public init(sampleCount: Int, referenceCount: Int, frechetDistance: Double, classifierScore: Double,
                precision: Double, recall: Double, density: Double, coverage: Double, classHistogram: [Int], classesCovered: Int, classEntropy: Double) {
        self.sampleCount = sampleCount
        self.referenceCount = referenceCount
        self.frechetDistance = frechetDistance
        self.classifierScore = classifierScore
        self.precision = precision
        self.recall = recall
        self.density = density
        self.coverage = coverage
        self.classHistogram = classHistogram
        self.classesCovered = classesCovered
        self.classEntropy = classEntropy
    }

    /// The metrics as named numbers (for CSV columns and plots), in a fixed order.
    public var namedValues: [(name: String, value: Double)] {
        [("frechet_distance", frechetDistance), ("classifier_score", classifierScore), ("precision", precision),
         ("recall", recall), ("density", density), ("coverage", coverage), ("classes_covered", Double(classesCovered)), ("class_entropy", classEntropy)]
    }

    /// A JSON object with every field, keys sorted (one line).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// A human-readable table, one metric per line.
    public var summary: String {
        let histogram = classHistogram.enumerated().map { "\($0.offset):\($0.element)" }.joined(separator: " ")
        return [
            String(format: "samples            %d (reference %d)", sampleCount, referenceCount),
            String(format: "Fréchet distance   %.4f   (lower is better)", frechetDistance),
            String(format: "classifier score   %.4f   (1 … %d)", classifierScore, classHistogram.count),
            String(format: "precision          %.4f", precision),
            String(format: "recall             %.4f", recall),
            String(format: "density            %.4f   (about 1 for real data)", density),
            String(format: "coverage           %.4f", coverage),
            String(format: "classes covered    %d / %d", classesCovered, classHistogram.count),
            String(format: "class entropy      %.4f   (max %.4f)", classEntropy, log(Double(classHistogram.count))),
            "class histogram    \(histogram)",
        ].joined(separator: "\n")
    }
}

/// Scores generated images against a reference set with a domain classifier's features and predictions.
///
/// The reference features, their mean and covariance, and the subsample used
/// for precision and recall are computed once in `init`, so evaluating many
/// sample sets (every few epochs during training, say) only pays for the samples:
///
/// ```swift
/// let classifier = try MNISTClassifier(contentsOf: checkpointURL)
/// let evaluator = SampleEvaluator(classifier: classifier, reference: mnistTest.images)
/// let report = evaluator.evaluate(trainer.sample(noise: noise))
/// print(report.frechetDistance, report.classesCovered)
/// ```
///
/// Fréchet distance, classifier score and the class histogram use every
/// image. Precision and recall cost O(N²), so they use a seeded subsample of
/// at most ``nearestNeighbourSampleLimit`` images from each set (5 000 by
/// default: the same subset for the same inputs every time).
///
/// Reference and samples are on the scale ``pixelRange`` (default `[-1, 1]`);
/// for a `sigmoid` generator pass `.zeroToOne` and load the reference with it,
/// and both are rescaled to the classifier's `[-1, 1]` before it sees them.
public final class SampleEvaluator {
    /// The feature network.
    public let classifier: MNISTClassifier
    /// The number of reference images.
    public let referenceCount: Int
    /// Mean and covariance of the reference features.
    public let referenceStatistics: FeatureStatistics
    /// The most images per set used for precision and recall.
    public let nearestNeighbourSampleLimit: Int
    /// k of the k-nearest-neighbour radii (3).
    public let neighbours: Int
    /// Seeds the subsampling for precision and recall.
    public let seed: UInt64
    /// The scale of the reference and sample images; the classifier reads `[-1, 1]`.
    public let pixelRange: PixelRange
    /// The reference features used for precision and recall, `[min(N, limit), 128]`.
    let referenceSubset: Tensor

    /// Computes the reference features and statistics.
    /// - Parameters:
    ///   - classifier: The feature network (e.g. the bundled `MNISTClassifier`).
    ///   - reference: Real images `[N, 1, 28, 28]` in `pixelRange`, `N > neighbours`.
    ///   - nearestNeighbourSampleLimit: At most this many images per set for precision and recall.
    ///   - neighbours: k for the manifold radii (default 3).
    ///   - seed: Seeds the subsampling.
    ///   - pixelRange: The scale of `reference` and of the samples evaluated later (default `[-1, 1]`).
    public init(classifier: MNISTClassifier, reference: Tensor, nearestNeighbourSampleLimit: Int = 5000,
                neighbours: Int = 3, seed: UInt64 = 0, pixelRange: PixelRange = .minusOneToOne) {
        require(reference.rank >= 1 && reference.shape[0] > neighbours,
                "SampleEvaluator: expected more than \(neighbours) reference images, got \(reference.shape)")
        self.classifier = classifier
        self.nearestNeighbourSampleLimit = nearestNeighbourSampleLimit
        self.neighbours = neighbours
        self.seed = seed
        self.pixelRange = pixelRange
        referenceCount = reference.shape[0]
        let features = classifier.outputs(pixelRange.rescale(reference, to: .minusOneToOne)).features
        referenceStatistics = FeatureStatistics(features: features)
        referenceSubset = seededSubset(features, limit: nearestNeighbourSampleLimit, seed: seed)
    }

    /// Evaluates `samples` `[M, 1, 28, 28]` in ``pixelRange`` (`M > neighbours`; thousands for stable numbers).
    public func evaluate(_ samples: Tensor) -> EvaluationReport {
        let (features, logits) = classifier.outputs(pixelRange.rescale(samples, to: .minusOneToOne))
        return evaluate(features: features, logits: logits)
    }

    /// Evaluates precomputed sample features `[M, 128]` and logits `[M, 10]`.
    public func evaluate(features: Tensor, logits: Tensor) -> EvaluationReport {
        require(features.shape[0] > neighbours && logits.shape[0] == features.shape[0],
                "SampleEvaluator: expected more than \(neighbours) samples with one logit row each, "
                    + "got features \(features.shape) and logits \(logits.shape)")
        let statistics = FeatureStatistics(features: features)
        let probabilities = softmax(logits)
        let histogram = ClassHistogram(predictions: logits)
        let subset = seededSubset(features, limit: nearestNeighbourSampleLimit, seed: seed &+ 1)
        let precisionRecall = PrecisionRecall(real: referenceSubset, generated: subset, neighbours: neighbours)
        return EvaluationReport(
            sampleCount: features.shape[0], referenceCount: referenceCount,
            frechetDistance: frechetDistance(statistics, referenceStatistics),
            classifierScore: classifierScore(probabilities: probabilities),
            precision: precisionRecall.precision, recall: precisionRecall.recall,
            density: precisionRecall.density, coverage: precisionRecall.coverage,
            classHistogram: histogram.counts, classesCovered: histogram.classesCovered, classEntropy: histogram.entropy)
    }

    /// One-shot evaluation of `samples` against `reference` (computes the reference features each call).
    public static func evaluate(samples: Tensor, reference: Tensor, classifier: MNISTClassifier) -> EvaluationReport {
        SampleEvaluator(classifier: classifier, reference: reference).evaluate(samples)
    }
}

/// At most `limit` rows of `x` `[N, D]`, chosen without replacement by a
/// partial Fisher–Yates shuffle seeded with `seed`, kept in their original order.
/// All rows when `N ≤ limit`.
func seededSubset(_ x: Tensor, limit: Int, seed: UInt64) -> Tensor {
    let n = x.shape[0]
    guard n > limit else { return x }
    var generator = SeededGenerator(seed: seed)
    var indices = Array(0..<n)
    for i in 0..<limit {
        let j = i + Int(generator.next() % UInt64(n - i))  // modulo bias < n/2⁶⁴: irrelevant here
        indices.swapAt(i, j)
    }
    let chosen = indices[0..<limit].sorted()
    let width = x.shape.elementsPerItem
    var subset = Tensor(zeros: [limit, width])
    x.withUnsafeBufferPointer { from in
        subset.withUnsafeMutableBufferPointer { to in
            for (row, source) in chosen.enumerated() {
                for j in 0..<width { to[row * width + j] = from[source * width + j] }
            }
        }
    }
    return subset
}
