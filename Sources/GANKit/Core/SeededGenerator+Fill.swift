import Foundation

extension SeededGenerator {
    /// Overwrites `values` with standard normal samples: exactly what `values.count`
    /// calls of ``nextNormal()`` would give, and leaves the generator where they would.
    ///
    /// Box–Muller's logarithm and cosine (about 20 ns a sample) run split over
    /// `Parallelism.threadCount` threads: each chunk copies the generator, skips
    /// the two raw draws per sample that the chunks before it use (about 1 ns
    /// each), and transforms its own. The trainer's noise batch was otherwise a
    /// serial 4 % of a two-thread MLP GAN step.
    mutating func fillNormal(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        var end = self
        withUnsafeMutablePointer(to: &end) { end in
            parallelFor(values.count, minimumChunk: NormalFillKernel.minimumSamplesPerThread, chunksPerThread: balancedChunksPerThread,
                        NormalFillKernel(start: self, values: SendablePointer(base), count: values.count,
                                         end: SendablePointer(end)))
        }
        self = end
    }

    /// Moves the generator past `count` standard normal samples without computing
    /// them: where `count` calls of ``nextNormal()`` would leave it (two raw draws each).
    mutating func skipNormals(_ count: Int) {
        for _ in 0..<2 * max(count, 0) { _ = next() }
    }
}

/// Fills a range of samples of ``SeededGenerator/fillNormal(_:)`` from a copy of the generator.
private struct NormalFillKernel: ParallelKernel {
    /// Below this many samples per thread the split costs more than it saves.
    static let minimumSamplesPerThread = 1024
    let start: SeededGenerator
    let values: SendablePointer<Float>
    let count: Int
    /// Receives the generator's state after the last sample (written by the last chunk only).
    let end: SendablePointer<SeededGenerator>

    func run(_ range: Range<Int>) {
        var rng = start
        rng.skipNormals(range.lowerBound)
        for index in range { values.pointer[index] = rng.nextNormal() }
        if range.upperBound == count { end.pointer.pointee = rng }
    }
}
