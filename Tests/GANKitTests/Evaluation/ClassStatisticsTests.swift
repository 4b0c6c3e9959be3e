import Foundation
import Testing
@testable import GANKit

/// Classifier score, class histogram and precision/recall against hand-computed values and numpy.
@Suite struct ClassStatisticsTests {
    // MARK: - Classifier score

    @Test func classifierScoreMatchesNumpy() {
        // p = np.array([[.7, .2, .1], [.1, .8, .1], [.3, .3, .4], [.05, .05, .9]]); py = p.mean(0)
        // np.exp((p * (np.log(p) - np.log(py))).sum(1).mean())   → 1.435827111444629
        let p = Tensor(shape: [4, 3], values: [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.05, 0.05, 0.9])
        #expect(abs(classifierScore(probabilities: p) - 1.435827111444629) < 1e-6)  // Float inputs
    }

    @Test func classifierScoreLimitsByHand() {
        // Confident and evenly spread over K classes: KL = log K for every row, score = K.
        let even = oneHot([0, 1, 2, 3, 0, 1, 2, 3], classes: 4)
        #expect(abs(classifierScore(probabilities: even) - 4) < 1e-12)
        // Confident but all one class: p(y) = that class, KL = 0, score = 1.
        let collapsed = oneHot([2, 2, 2], classes: 4)
        #expect(abs(classifierScore(probabilities: collapsed) - 1) < 1e-12)
        // Uniform predictions: p(y|x) = p(y), score = 1.
        #expect(abs(classifierScore(probabilities: Tensor(repeating: 0.25, shape: [5, 4])) - 1) < 1e-7)
        // Two confident classes, 3:1: p(y) = (3/4, 1/4); KL = log(4/3) for three rows, log 4 for one.
        let skewed = oneHot([0, 0, 0, 1], classes: 2)
        let expected = exp((3 * log(4.0 / 3) + log(4.0)) / 4)
        #expect(abs(classifierScore(probabilities: skewed) - expected) < 1e-12)
    }

    @Test func softmaxRowsSumToOneAndSurviveHugeLogits() {
        let p = softmax(Tensor(shape: [2, 3], values: [1, 2, 3, 1e4, -1e4, 0]))
        // e^[1, 2, 3] / Σ = [0.09003057, 0.24472847, 0.66524096]
        expectApproximatelyEqual(p.scalars.map(Double.init), [0.09003057, 0.24472847, 0.66524096, 1, 0, 0],
                                 absolute: 1e-7, relative: 0)
    }

    // MARK: - Histogram, coverage, entropy

    @Test func histogramCoverageAndEntropyByHand() {
        // Arg max of each row; ties go to the lower index (row 3).
        let predictions = Tensor(shape: [5, 3], values: [0.9, 0.1, 0, 0.2, 0.7, 0.1, 0.1, 0.1, 0.8, 0.5, 0.5, 0, 1, 0, 0])
        let histogram = ClassHistogram(predictions: predictions)
        #expect(histogram.counts == [3, 1, 1])
        #expect(histogram.classesCovered == 3)
        // −(3/5 ln 3/5 + 2 · 1/5 ln 1/5) = 0.3064954 + 0.6437752 = 0.9502705
        #expect(abs(histogram.entropy - 0.950270539) < 1e-9)
        // 1000 samples over 10 classes: a class needs ≥ 10 (10 % of 100) to count.
        let sparse = ClassHistogram(counts: [500, 400, 90, 9, 1, 0, 0, 0, 0, 0])
        #expect(sparse.classesCovered == 3)
        #expect(ClassHistogram(counts: [7, 0, 0]).entropy == 0)
        #expect(abs(ClassHistogram(counts: Array(repeating: 3, count: 10)).entropy - log(10)) < 1e-12)
    }

    // MARK: - Precision and recall

    @Test func precisionRecallMatchNumpyReference() {
        // The reference implementation (Kynkäänniemi et al.; radii as in NVlabs' code):
        //   def radii(a, k=3): d = np.sqrt(((a[:, None] - a[None]) ** 2).sum(-1)); return np.partition(d, k, axis=1)[:, k]
        //   d = np.sqrt(((real[:, None] - fake[None]) ** 2).sum(-1))              # [R, F]
        //   precision = (d <= radii(real)[:, None]).any(0).mean()                  → 0.42857142857142855 (3/7)
        //   recall    = (d <= radii(fake)[None, :]).any(1).mean()                  → 1.0
        // The far outlier (9, 9) has a huge radius that covers every real point: the paper's
        // known weakness, reproduced here on purpose.
        let real = Tensor(shape: [8, 2], values: [0, 0, 1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2, 1, 2])
        let fake = Tensor(shape: [7, 2], values: [0.5, 0.5, 1.5, 1, 5, 5, 5, 6, 6, 5, 0, 1.2, 9, 9])
        // Density and coverage (Naeem et al. 2020), same d and radii:
        //   density  = (d <= radii(real)[:, None]).sum() / (3 * 7)      → 0.5238095238095238 (11/21)
        //   coverage = (d.min(1) <= radii(real)).mean()                 → 0.875 (7/8)
        let result = PrecisionRecall(real: real, generated: fake)
        #expect(result.precision == 3.0 / 7)
        #expect(result.recall == 1)
        #expect(result.density == 11.0 / 21)
        #expect(result.coverage == 7.0 / 8)
    }

    @Test func precisionRecallSeparateFidelityFromDiversity() {
        // Real: a 10×10 unit grid (radius 1 inside, √2 at the corners). "Collapsed": 9 points packed
        // near the corner (0, 0), with radii of 0.1–0.16: all inside the real manifold (precision 1),
        // but only the real point (0, 0) lies inside theirs (recall 1/100; the next, (1, 0), is 0.8 away).
        var grid: [Float] = []
        for i in 0..<10 { for j in 0..<10 { grid += [Float(i), Float(j)] } }
        let real = Tensor(shape: [100, 2], values: grid)
        let corner = Tensor(shape: [9, 2], values: [0, 0, 0.1, 0, 0, 0.1, 0.1, 0.1, 0.05, 0.05, 0.2, 0, 0, 0.2, 0.2, 0.2, 0.1, 0.2])
        let collapsed = PrecisionRecall(real: real, generated: corner)
        #expect(collapsed.precision == 1)
        #expect(collapsed.recall == 0.01)
        // Coverage: the real balls holding a fake are those of (0, 0) (radius √2), (1, 0) and (0, 1)
        // (radius 1, fakes (0.2, 0) and (0, 0.2) 0.8 away); (1, 1) misses (0.2, 0.2) by 1.13 > 1.
        #expect(collapsed.coverage == 0.03)
        // Noise far away: precision 0.
        let far = Tensor(shape: [5, 2], values: [50, 50, 60, 60, 70, 70, 80, 80, 90, 90])
        #expect(PrecisionRecall(real: real, generated: far).precision == 0)
        // The real set against itself: precision = recall = 1.
        let same = PrecisionRecall(real: real, generated: real)
        #expect(same.precision == 1 && same.recall == 1)
    }

    @Test func subsetIsSeededSortedAndComplete() {
        let x = Tensor(shape: [10, 1], values: (0..<10).map(Float.init))
        let a = seededSubset(x, limit: 4, seed: 3), b = seededSubset(x, limit: 4, seed: 3)
        #expect(a == b && a.shape == [4, 1])
        #expect(a.scalars == a.scalars.sorted() && Set(a.scalars).count == 4)
        #expect(seededSubset(x, limit: 20, seed: 3) == x)
    }
}
