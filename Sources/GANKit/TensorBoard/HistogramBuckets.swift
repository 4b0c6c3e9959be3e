/// Summarises a tensor as TensorFlow's histograms do: counts over exponentially growing
/// bucket edges (±1e-12 · 1.1^k up to 1e20, and 0), with the range, count, sum and sum
/// of squares of the values. Bucket `i` counts the values in `[edges[i − 1], edges[i])`, as
/// TensorFlow's `Histogram::Add` does; only the buckets from the first to the last non-empty
/// one are reported.
///
/// The counts live in a buffer kept between calls, so summarising allocates nothing.
struct HistogramBuckets {
    /// TensorFlow's default edges: −1e20 … −1e-12, 0, 1e-12 … 1e20 (factor 1.1), then the largest double.
    static let edges: [Double] = {
        var positive: [Double] = []
        var edge = 1e-12
        while edge < 1e20 {
            positive.append(edge)
            edge *= 1.1
        }
        return positive.reversed().map { -$0 } + [0] + positive + [Double.greatestFiniteMagnitude]
    }()

    var minimum = 0.0, maximum = 0.0, sum = 0.0, sumOfSquares = 0.0
    var count = 0
    /// The reported buckets: `edges[range]` and `counts[range]` (empty when no value is finite).
    var range = 0..<0
    /// One count per edge; zero outside `range` between calls.
    private(set) var counts = [Double](repeating: 0, count: HistogramBuckets.edges.count)

    /// Summarises the finite values of `values` (NaN and ±∞ are left out), replacing the last summary.
    mutating func summarise(_ values: UnsafeBufferPointer<Float>) {
        for index in range { counts[index] = 0 }
        (minimum, maximum, sum, sumOfSquares, count) = (.infinity, -.infinity, 0, 0, 0)
        var first = Int.max, last = -1
        Self.edges.withUnsafeBufferPointer { edges in
            counts.withUnsafeMutableBufferPointer { counts in
                for value in values where value.isFinite {
                    let x = Double(value)
                    count += 1
                    sum += x
                    sumOfSquares += x * x
                    minimum = min(minimum, x)
                    maximum = max(maximum, x)
                    // The first edge > x: bucket [edges[i − 1], edges[i]).
                    var low = 0, high = edges.count - 1
                    while low < high {
                        let middle = (low + high) / 2
                        if edges[middle] <= x { low = middle + 1 } else { high = middle }
                    }
                    counts[low] += 1
                    first = min(first, low)
                    last = max(last, low)
                }
            }
        }
        if count == 0 {
            (minimum, maximum, range) = (0, 0, 0..<0)
        } else {
            range = first..<last + 1
        }
    }
}
