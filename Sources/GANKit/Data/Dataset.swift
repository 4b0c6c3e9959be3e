/// The mini-batches of one epoch over samples along a first axis: a tensor, or
/// images kept as bytes (``ImageBytes``) that each batch converts to floats.
///
/// With shuffling, the sample order is a Fisher–Yates permutation drawn from
/// `seed` and `epoch`: the same pair always gives the same order (on every
/// platform and Swift version, since the generator and the bounded sampling
/// are defined here), and each epoch gets a different one.
///
/// ```swift
/// for epoch in 0..<epochs {
///     for batch in BatchSequence(mnist.images, batchSize: 64, seed: 42, epoch: epoch) {
///         // batch: [64, 1, 28, 28]
///     }
/// }
/// ```
///
/// In data-parallel training every rank passes its ``BatchShard`` (`group.shard`):
/// all ranks draw the same order (same seed and epoch), `batchSize` is the global
/// batch, and each rank gets its own contiguous part of every global batch, so the
/// ranks together see exactly the batches one process would:
/// ```swift
/// BatchSequence(images, batchSize: 64, seed: 42, epoch: epoch, shard: group.shard)   // [32, 1, 28, 28] on each of 2 ranks
/// ```
///
/// Memory: without shuffling, batches of a tensor are slices that share its
/// storage (no copy). With shuffling, or from ``ImageBytes``, rows are gathered
/// (and converted) into a buffer the
/// iterator keeps and reuses when the caller has let go of the previous
/// batch (the common `for batch in ...` loop); if the previous batch is still
/// held, a fresh buffer is allocated instead, so a returned batch is never
/// overwritten behind the caller's back (value semantics are preserved).
public struct BatchSequence: Sequence, Sendable {
    /// What to do with the final samples when `batchSize` does not divide the sample count.
    public enum LastBatchPolicy: Sendable {
        /// Skip them: every batch has exactly `batchSize` samples.
        case drop
        /// Yield them as a final, smaller batch.
        case keep
    }

    /// The dataset, samples along the first axis.
    public let data: any BatchSource
    /// The number of samples per batch.
    public let batchSize: Int
    /// The policy for an incomplete final batch.
    public let lastBatch: LastBatchPolicy
    /// The sample indices in the order this epoch visits them (all ranks', when sharded).
    public let order: [Int]
    /// The part of every batch this sequence yields (``BatchShard/whole`` unless data-parallel).
    public let shard: BatchShard

    /// Creates the batches of one epoch.
    /// - Parameters:
    ///   - data: Samples along the first axis, e.g. images `[N, C, H, W]` as a tensor or as ``ImageBytes``.
    ///   - batchSize: Samples per batch (≥ 1).
    ///   - shuffle: Whether to visit the samples in a random order.
    ///   - seed: Seeds the shuffle.
    ///   - epoch: Selects a different, reproducible order for each epoch.
    ///   - lastBatch: `.drop` (default) or `.keep` an incomplete final batch.
    ///   - shard: which part of every batch to yield: with `BatchShard(index: r, count: R)`,
    ///     samples `r·batchSize/R ..< (r+1)·batchSize/R` of each global batch of `batchSize`.
    ///     The samples after the last whole global batch are dropped, as one process drops them.
    /// - Precondition: `data` has rank ≥ 1 and `batchSize ≥ 1`; when sharded, `batchSize` is
    ///   a multiple of `shard.count` and `lastBatch` is `.drop` (every rank's part has the same size).
    public init(_ data: some BatchSource, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0,
                lastBatch: LastBatchPolicy = .drop, shard: BatchShard = .whole) {
        require(data.shape.rank >= 1, "BatchSequence: the dataset needs a sample axis, got shape \(data.shape)")
        require(batchSize >= 1, "BatchSequence: batchSize must be at least 1, got \(batchSize)")
        require(batchSize % shard.count == 0, "BatchSequence: the global batch of \(batchSize) does not split "
                    + "into \(shard.count) equal parts; use a multiple of \(shard.count)")
        require(shard.count == 1 || lastBatch == .drop,
                "BatchSequence: a sharded sequence drops the incomplete last batch (lastBatch: .drop)")
        self.data = data
        self.batchSize = batchSize
        self.lastBatch = lastBatch
        self.shard = shard
        let count = data.shape[0]
        if shuffle {
            // Each epoch gets its own stream: the seed mixed with the epoch number.
            var rng = SeededGenerator(seed: seed ^ (UInt64(bitPattern: Int64(epoch)) &* 0xD1B5_4A32_D192_ED03))
            self.order = rng.permutation(count)
        } else {
            self.order = Array(0..<count)
        }
        sliceableTensor = shuffle ? nil : data as? Tensor
    }

    /// The data when its batches are slices of it (a tensor visited in order), else nil.
    private let sliceableTensor: Tensor?

    /// The number of batches this epoch yields.
    public var batchCount: Int {
        let count = order.count
        return lastBatch == .drop ? count / batchSize : (count + batchSize - 1) / batchSize
    }

    /// The sample indices of batch `index` (this shard's part of it; e.g. to pick the matching labels).
    /// - Precondition: `0 <= index < batchCount`.
    public func indices(ofBatch index: Int) -> ArraySlice<Int> {
        require(index >= 0 && index < batchCount, "BatchSequence: batch \(index) out of range 0..<\(batchCount)")
        let part = batchSize / shard.count, start = index * batchSize + shard.index * part
        return order[start..<Swift.min(start + part, order.count)]
    }

    /// The number of batches, as a hint for `Array(sequence)`.
    public var underestimatedCount: Int { batchCount }

    /// Returns an iterator over this epoch's batches.
    public func makeIterator() -> Iterator { Iterator(sequence: self) }

    /// Yields the batches of a `BatchSequence` in order.
    public struct Iterator: IteratorProtocol {
        private let sequence: BatchSequence
        private var nextBatch = 0
        private var buffer: Tensor?

        init(sequence: BatchSequence) { self.sequence = sequence }

        /// The next batch, `[batchSize, ...]` (smaller only for a kept last batch), or nil after the last.
        public mutating func next() -> Tensor? {
            guard nextBatch < sequence.batchCount else { return nil }
            let indices = sequence.indices(ofBatch: nextBatch)
            nextBatch += 1
            if let tensor = sequence.sliceableTensor {
                return tensor.slice(indices.startIndex..<indices.endIndex)
            }
            return gather(indices)
        }

        /// Copies (converts) the rows `indices` of the dataset into a batch tensor.
        private mutating func gather(_ indices: ArraySlice<Int>) -> Tensor {
            let shape = sequence.data.shape.replacingFirst(with: indices.count)
            // Reuse the buffer only if nobody else holds it and it has the right shape.
            var batch: Tensor
            if var previous = buffer, previous.shape == shape {
                buffer = nil  // drop our reference so `previous` can be unique
                batch = previous.isUniquelyReferenced() ? previous : Tensor(zeros: shape)
            } else {
                batch = Tensor(zeros: shape)
            }
            batch.withUnsafeMutableBufferPointer { destination in
                if let to = destination.baseAddress { sequence.data.copySamples(indices, into: to) }
            }
            buffer = batch
            return batch
        }
    }
}
