import Testing
@testable import GANKit

@Suite struct DatasetTests {
    /// A dataset [count, 2] whose row i holds (i, -i), so rows identify samples.
    private func rows(_ count: Int) -> Tensor {
        Tensor(shape: [count, 2]) { index in index % 2 == 0 ? Float(index / 2) : -Float(index / 2) }
    }

    private func sampleIDs(_ batches: [Tensor]) -> [Int] {
        batches.flatMap { batch in
            (0..<batch.shape[0]).map { row in
                #expect(batch[row, 1] == -batch[row, 0], "rows must be copied whole")
                return Int(batch[row, 0])
            }
        }
    }

    @Test func everySampleOnceWithKeep() {
        let sequence = BatchSequence(rows(10), batchSize: 3, seed: 1, lastBatch: .keep)
        #expect(sequence.batchCount == 4)
        let batches = Array(sequence)
        #expect(batches.map { $0.shape[0] } == [3, 3, 3, 1])
        #expect(sampleIDs(batches).sorted() == Array(0..<10))
        #expect(sampleIDs(batches) == sequence.order)
    }

    @Test func dropSkipsTheIncompleteBatch() {
        let sequence = BatchSequence(rows(10), batchSize: 3, seed: 1, lastBatch: .drop)
        #expect(sequence.batchCount == 3)
        let batches = Array(sequence)
        #expect(batches.allSatisfy { $0.shape == [3, 2] })
        let ids = sampleIDs(batches)
        #expect(Set(ids).count == 9 && ids == Array(sequence.order.prefix(9)))
        #expect(BatchSequence(rows(2), batchSize: 3, lastBatch: .drop).batchCount == 0)
        #expect(Array(BatchSequence(rows(2), batchSize: 3, lastBatch: .drop)).isEmpty)
        #expect(BatchSequence(rows(9), batchSize: 3, lastBatch: .keep).batchCount == 3)
    }

    @Test func sameSeedSameOrderDifferentEpochDifferentOrder() {
        let data = rows(100)
        let a = sampleIDs(Array(BatchSequence(data, batchSize: 10, seed: 7, epoch: 3)))
        let b = sampleIDs(Array(BatchSequence(data, batchSize: 10, seed: 7, epoch: 3)))
        let nextEpoch = sampleIDs(Array(BatchSequence(data, batchSize: 10, seed: 7, epoch: 4)))
        let otherSeed = sampleIDs(Array(BatchSequence(data, batchSize: 10, seed: 8, epoch: 3)))
        #expect(a == b)
        #expect(a != nextEpoch && a != otherSeed)
        #expect(nextEpoch.sorted() == Array(0..<100))
        #expect(a != Array(0..<100), "shuffled")
    }

    @Test func unshuffledBatchesAreSlicesInOrder() {
        let sequence = BatchSequence(rows(7), batchSize: 2, shuffle: false, lastBatch: .keep)
        #expect(sampleIDs(Array(sequence)) == Array(0..<7))
        #expect(Array(sequence.indices(ofBatch: 3)) == [6])
    }

    @Test func heldBatchesAreNeverOverwritten() {
        // Array(sequence) keeps every batch alive, so each must have its own storage.
        let batches = Array(BatchSequence(rows(12), batchSize: 4, seed: 5))
        let ids = sampleIDs(batches)
        #expect(Set(ids).count == 12)
        // Dropping each batch before the next lets the iterator reuse its buffer; contents stay right.
        let sequence = BatchSequence(rows(12), batchSize: 4, seed: 5)
        var seen: [Int] = []
        for batch in sequence { seen += sampleIDs([batch]) }
        #expect(seen == ids)
    }

    @Test func higherRankSamplesAreGatheredWhole() {
        let data = Tensor(shape: [5, 1, 2, 2]) { Float($0) }
        for batch in BatchSequence(data, batchSize: 2, seed: 9, lastBatch: .keep) {
            for row in 0..<batch.shape[0] {
                let first = batch[row, 0, 0, 0]
                #expect(Int(first) % 4 == 0)
                #expect(batch.item(row).scalars == [first, first + 1, first + 2, first + 3])
            }
        }
    }

    @Test func shuffleGeneratorIsUniformEnoughAndStable() {
        var rng = SeededGenerator(seed: 42)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<6000 { counts[Int(rng.next(below: 6))] += 1 }
        #expect(counts.allSatisfy { (850...1150).contains($0) })
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
        let order = a.permutation(50)
        #expect(order == b.permutation(50))
        #expect(order.sorted() == Array(0..<50) && order != Array(0..<50))
    }
}
