import Foundation

/// Improved precision and recall of generated samples against real ones, from
/// k-nearest-neighbour manifolds in feature space.
///
/// Kynkäänniemi et al., "Improved Precision and Recall Metric for Assessing
/// Generative Models", NeurIPS 2019, <https://arxiv.org/abs/1904.06991>.
/// Each feature vector gets a ball whose radius is the distance to its k-th
/// nearest neighbour within its own set (itself excluded; k = 3 as in the
/// paper's default). The union of a set's balls estimates its manifold:
///
///     precision = fraction of generated samples inside the real manifold   (fidelity)
///     recall    = fraction of real samples inside the generated manifold   (diversity)
///
/// A generator collapsed onto a few good digits keeps its precision and loses
/// recall; noise loses precision. Distances are Euclidean, computed block by
/// block with one GEMM per block (`‖a‖² + ‖b‖² − 2a·b`) after centring both sets
/// on the real mean, which keeps the cancellation error small; the cost is
/// O(N²·D) and memory O(block·N), so callers subsample large sets (the
/// evaluator uses at most 5 000 of each, drawn with a fixed seed).
///
/// Precision counts a sample as real-looking when it lies in *any* real ball,
/// so one outlying real with a huge radius can swallow a whole cluster of bad
/// samples (noise, a constant image). The same pass therefore also gives
/// **density** and **coverage** (Naeem et al., "Reliable Fidelity and
/// Diversity Metrics for Generative Models", ICML 2020,
/// <https://arxiv.org/abs/2002.09797>), which only use the real balls:
///
///     density  = (1 / kM) Σⱼ #{real i : ‖yⱼ − xᵢ‖ ≤ rᵢ}     (≈ 1 for real data; 0 … k·1)
///     coverage = (1 / N) #{real i : some sample within rᵢ of xᵢ}   (0 … 1)
public struct PrecisionRecall: Sendable, Equatable, Codable {
    /// Fraction of generated samples within some real sample's k-NN radius, in [0, 1].
    public let precision: Double
    /// Fraction of real samples within some generated sample's k-NN radius, in [0, 1].
    public let recall: Double

    /// Real balls per generated sample, divided by k (Naeem et al.); about 1 for real data.
    public let density: Double
    /// Fraction of real samples whose ball holds at least one generated sample, in [0, 1].
    public let coverage: Double

    /// Creates a result from known values.
    public init(precision: Double, recall: Double, density: Double, coverage: Double) {
        self.precision = precision
        self.recall = recall
        self.density = density
        self.coverage = coverage
    }

    /// Computes precision and recall of `generated` `[M, D]` against `real` `[N, D]`.
    /// - Parameters:
    ///   - real: Real feature vectors, `N > k`.
    ///   - generated: Generated feature vectors, `M > k`, same `D`.
    ///   - neighbours: k, the neighbour whose distance sets each radius (default 3).
    /// - Precondition: both sets have more than `neighbours` rows and the same feature length.
    public init(real: Tensor, generated: Tensor, neighbours: Int = 3) {
        require(real.rank == 2 && generated.rank == 2 && real.shape[1] == generated.shape[1],
                "PrecisionRecall: expected features [N, D] and [M, D], got \(real.shape) and \(generated.shape)")
        require(neighbours >= 1 && real.shape[0] > neighbours && generated.shape[0] > neighbours,
                "PrecisionRecall: need more than \(neighbours) samples per set, got \(real.shape[0]) and \(generated.shape[0])")
        let center = real.mean(alongAxis: 0)
        let realCentered = real.addingRowVector(-center)
        let generatedCentered = generated.addingRowVector(-center)
        let realRadii = kNearestNeighbourDistances(realCentered, k: neighbours)
        let generatedRadii = kNearestNeighbourDistances(generatedCentered, k: neighbours)
        let fidelity = manifoldMembership(generatedCentered, manifold: realCentered, radii: realRadii)
        precision = Double(fidelity.inside) / Double(generated.shape[0])
        density = Double(fidelity.memberships) / Double(neighbours * generated.shape[0])
        recall = Double(manifoldMembership(realCentered, manifold: generatedCentered, radii: generatedRadii).inside)
            / Double(real.shape[0])
        coverage = fractionOfBallsHit(realCentered, radii: realRadii, by: generatedCentered)
    }
}

/// Rows per distance block: a `[256, N]` Float block is 5 MB for N = 5 000.
private let distanceBlockRows = 256

/// Squared Euclidean norms of the rows of `x` `[N, D]`, in `Double`.
private func squaredRowNorms(_ x: Tensor) -> [Double] {
    let n = x.shape[0], d = x.shape[1]
    return x.withUnsafeBufferPointer { values in
        (0..<n).map { row in
            var sum = 0.0
            for j in 0..<d { let v = Double(values[row * d + j]); sum += v * v }
            return sum
        }
    }
}

/// Calls `body(rowStart, rows, distances)` for consecutive row blocks of `a` `[N, D]` against
/// all of `b` `[M, D]`: `distances[r * M + j]` = ‖a[rowStart + r] − b[j]‖², clamped at 0.
private func forEachSquaredDistanceBlock(_ a: Tensor, _ b: Tensor,
                                         _ body: (_ rowStart: Int, _ rows: Int, _ distances: UnsafeBufferPointer<Float>) -> Void) {
    let n = a.shape[0], m = b.shape[0]
    let aNorms = squaredRowNorms(a), bNorms = squaredRowNorms(b)
    var block = Tensor(zeros: [min(distanceBlockRows, n), m])
    var start = 0
    while start < n {
        let rows = min(distanceBlockRows, n - start)
        if block.shape[0] != rows { block = Tensor(zeros: [rows, m]) }
        gemm(a.slice(start..<(start + rows)), transposed: false, b, transposed: true, into: &block, alpha: -2)
        block.withUnsafeMutableBufferPointer { distances in
            for r in 0..<rows {
                let aNorm = aNorms[start + r]
                for j in 0..<m {
                    distances[r * m + j] = Float(max(0, aNorm + bNorms[j] + Double(distances[r * m + j])))
                }
            }
        }
        block.withUnsafeBufferPointer { body(start, rows, $0) }
        start += rows
    }
}

/// For each row of `x` `[N, D]`, the squared distance to its k-th nearest other row.
func kNearestNeighbourDistances(_ x: Tensor, k: Int) -> [Float] {
    let n = x.shape[0]
    var radii = [Float](repeating: 0, count: n)
    forEachSquaredDistanceBlock(x, x) { rowStart, rows, distances in
        var smallest = [Float](repeating: .infinity, count: k)  // ascending
        for r in 0..<rows {
            for index in 0..<k { smallest[index] = .infinity }
            let row = rowStart + r
            for j in 0..<n where j != row {
                let value = distances[r * n + j]
                if value < smallest[k - 1] {
                    var position = k - 1
                    while position > 0 && smallest[position - 1] > value {
                        smallest[position] = smallest[position - 1]
                        position -= 1
                    }
                    smallest[position] = value
                }
            }
            radii[row] = smallest[k - 1]
        }
    }
    return radii
}

/// For the rows of `queries`: how many lie within `radii[j]` (squared) of some row `j` of
/// `manifold` (`inside`), and how many (query, ball) pairs there are in total (`memberships`).
func manifoldMembership(_ queries: Tensor, manifold: Tensor, radii: [Float]) -> (inside: Int, memberships: Int) {
    let m = manifold.shape[0]
    var inside = 0, memberships = 0
    forEachSquaredDistanceBlock(queries, manifold) { _, rows, distances in
        for r in 0..<rows {
            var count = 0
            for j in 0..<m where distances[r * m + j] <= radii[j] { count += 1 }
            if count > 0 { inside += 1 }
            memberships += count
        }
    }
    return (inside, memberships)
}

/// The fraction of rows `i` of `centers` whose ball of squared radius `radii[i]` holds some row of `points`.
func fractionOfBallsHit(_ centers: Tensor, radii: [Float], by points: Tensor) -> Double {
    let m = points.shape[0]
    var hit = 0
    forEachSquaredDistanceBlock(centers, points) { rowStart, rows, distances in
        for r in 0..<rows {
            let radius = radii[rowStart + r]
            for j in 0..<m where distances[r * m + j] <= radius {
                hit += 1
                break
            }
        }
    }
    return Double(hit) / Double(centers.shape[0])
}
