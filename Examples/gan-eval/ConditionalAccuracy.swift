import Foundation
import GANKit

/// How often a conditional GAN's samples are classified as the class they were asked to be.
struct ConditionalAccuracy {
    /// Fraction over all samples.
    let overall: Double
    /// Fraction per requested class (NaN for a class never requested).
    let perClass: [Double]

    init(classifier: MNISTClassifier, samples: Tensor, requested: [Int]) {
        let predicted = ClassHistogram.argMax(classifier.outputs(samples).logits)
        var hits = [Int](repeating: 0, count: MNISTClassifier.classCount), totals = hits
        for (asked, found) in zip(requested, predicted) {
            totals[asked] += 1
            if found == asked { hits[asked] += 1 }
        }
        overall = Double(hits.reduce(0, +)) / Double(max(requested.count, 1))
        perClass = zip(hits, totals).map { $1 == 0 ? .nan : Double($0) / Double($1) }
    }

    /// `classified as asked: 97.3 % (0: 99.1 %, 1: 98.0 %, …)`.
    var summary: String {
        let classes = perClass.enumerated().map { String(format: "%d: %.1f %%", $0.offset, 100 * $0.element) }
        return String(format: "  classified as asked     %.2f %%  (", 100 * overall) + classes.joined(separator: ", ") + ")"
    }
}
