import Foundation

/// The Inception-Score analogue for a domain classifier ("classifier score"):
/// `exp(E_x[KL(p(y|x) ‖ p(y))])`, with `p(y)` the mean of the rows.
///
/// Salimans et al., "Improved Techniques for Training GANs", 2016,
/// <https://arxiv.org/abs/1606.03498>, defined it with Inception; TF-GAN's
/// `classifier_score` applies it to any classifier. It is high (up to the
/// number of classes `K`) when each sample is classified confidently *and*
/// the classes are used evenly; 1 for samples that all look alike or that the
/// classifier cannot place. Computed in `Double`, with `0 · log 0 = 0`:
///
///     p(y)  = (1/N) Σᵢ pᵢ
///     score = exp((1/N) Σᵢ Σₖ pᵢₖ (log pᵢₖ − log p(y)ₖ))
///
/// - Parameter probabilities: softmax outputs `[N, K]`, rows summing to 1 (see ``softmax(_:)``).
/// - Precondition: `N ≥ 1`.
public func classifierScore(probabilities: Tensor) -> Double {
    require(probabilities.rank == 2 && probabilities.shape[0] >= 1,
            "classifierScore: expected probabilities [N, K], got \(probabilities.shape)")
    let n = probabilities.shape[0], k = probabilities.shape[1]
    return probabilities.withUnsafeBufferPointer { p in
        var marginal = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { marginal[c] += Double(p[i * k + c]) } }
        for c in 0..<k { marginal[c] /= Double(n) }
        var divergence = 0.0
        for i in 0..<n {
            for c in 0..<k {
                let pic = Double(p[i * k + c])
                if pic > 0 { divergence += pic * (log(pic) - log(marginal[c])) }
            }
        }
        return exp(divergence / Double(n))
    }
}

/// How a set of samples spreads over a classifier's classes: the histogram of
/// predicted labels (arg max), how many classes are covered, and the entropy
/// of the label distribution.
///
/// A class counts as *covered* when it receives at least
/// ``coverageThreshold`` of its even share, `N / K` (default 10 %: with 10
/// classes, 1 % of the samples). The threshold ignores the odd sample that a
/// collapsed generator leaks into a neighbouring class; a full set of real
/// digits covers all ten classes, a generator that dropped half of them five.
public struct ClassHistogram: Sendable, Equatable, Codable {
    /// Predicted-label counts, `K` entries summing to the number of samples.
    public let counts: [Int]
    /// The fraction of the even share `N / K` a class needs to count as covered.
    public let coverageThreshold: Double

    /// Counts the arg max of each row of `probabilities` (or logits) `[N, K]`;
    /// ties go to the lower class index.
    public init(predictions: Tensor, coverageThreshold: Double = 0.1) {
        require(predictions.rank == 2, "ClassHistogram: expected [N, K], got \(predictions.shape)")
        var counts = [Int](repeating: 0, count: predictions.shape[1])
        for label in Self.argMax(predictions) { counts[label] += 1 }
        self.init(counts: counts, coverageThreshold: coverageThreshold)
    }

    /// The index of the largest value in each row of `predictions` `[N, K]` (ties go to the lower index).
    public static func argMax(_ predictions: Tensor) -> [Int] {
        require(predictions.rank == 2 && predictions.shape[1] >= 1,
                "ClassHistogram.argMax: expected [N, K], got \(predictions.shape)")
        let n = predictions.shape[0], k = predictions.shape[1]
        return predictions.withUnsafeBufferPointer { p in
            (0..<n).map { i in
                var best = 0
                for c in 1..<k where p[i * k + c] > p[i * k + best] { best = c }
                return best
            }
        }
    }

    /// Creates a histogram from counts.
    public init(counts: [Int], coverageThreshold: Double = 0.1) {
        require(!counts.isEmpty && counts.allSatisfy { $0 >= 0 },
                "ClassHistogram: expected one count ≥ 0 per class (at least one class), got \(counts)")
        self.counts = counts
        self.coverageThreshold = coverageThreshold
    }

    /// The number of samples counted.
    public var total: Int { counts.reduce(0, +) }

    /// The number of classes with at least `coverageThreshold · N / K` samples (and at least one).
    public var classesCovered: Int {
        let minimum = max(1, coverageThreshold * Double(total) / Double(counts.count))
        return counts.filter { Double($0) >= minimum }.count
    }

    /// The entropy of the label distribution in nats, `−Σₖ qₖ log qₖ` with `qₖ = countₖ / N`:
    /// 0 for one class, `log K` (2.303 for ten) for a perfectly even spread.
    public var entropy: Double {
        let n = Double(total)
        guard n > 0 else { return 0 }
        return counts.reduce(0.0) { sum, count in
            guard count > 0 else { return sum }
            let q = Double(count) / n
            return sum - q * log(q)
        }
    }
}
