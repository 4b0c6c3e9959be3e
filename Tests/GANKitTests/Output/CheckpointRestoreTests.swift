import Testing
@testable import GANKit

/// `store`/`restore` of layers and optimizers: names, shapes, and all-or-nothing restores.
@Suite struct CheckpointRestoreTests {
    /// Dense(3 → 2), LeakyReLU, Dropout, Dense(2 → 1): parameters at 0 and 3, a generator at 2.
    static func makeModel(seed: UInt64, outputs: Int = 1) -> Sequential {
        var rng = SeededGenerator(seed: seed)
        return Sequential([Dense(3, 2, using: &rng), LeakyReLU(alpha: 0.2), Dropout(rate: 0.5, seed: seed),
                           Dense(2, outputs, using: &rng)])
    }

    static func stored(_ model: Sequential) -> Checkpoint {
        var checkpoint = Checkpoint()
        checkpoint.store(model, as: "d")
        return checkpoint
    }

    /// Tries `checkpoint` on a fresh model; expects `error` and an untouched model.
    static func expectRejected(_ checkpoint: Checkpoint, with error: CheckpointError,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let target = makeModel(seed: 99)
        let before = StateSnapshot(target)
        #expect(throws: error, sourceLocation: sourceLocation) { try checkpoint.restore(target, from: "d") }
        expectIdentical(StateSnapshot(target), before, "model after a rejected restore", sourceLocation: sourceLocation)
    }

    @Test func storesNamespacedEntries() {
        let checkpoint = Self.stored(Self.makeModel(seed: 1))
        #expect(checkpoint.tensors.keys.sorted() == ["d/0.bias", "d/0.weight", "d/3.bias", "d/3.weight"])
        #expect(checkpoint.integers.keys.sorted() == ["d/2.generator"])
    }

    @Test func restoreCopiesEverythingBitForBit() throws {
        let source = Self.makeModel(seed: 1)
        _ = source.forward(Tensor(shape: [4, 3]) { Float($0) })  // advance the dropout generator
        let target = Self.makeModel(seed: 2)
        #expect(StateSnapshot(target) != StateSnapshot(source))
        let checkpoint = try Checkpoint.decode(Self.stored(source).encoded())
        try checkpoint.restore(target, from: "d")
        expectIdentical(StateSnapshot(target), StateSnapshot(source), "restored model")

        // Entries under other prefixes are ignored.
        var shared = checkpoint
        shared.store(Self.makeModel(seed: 3, outputs: 5), as: "dx")
        shared.tensors["other/0.weight"] = Tensor([1])
        try shared.restore(target, from: "d")
    }

    @Test func missingEntry() {
        var noWeight = Self.stored(Self.makeModel(seed: 1))
        noWeight.tensors["d/3.weight"] = nil
        Self.expectRejected(noWeight, with: .missingEntry(name: "d/3.weight"))

        var noGenerator = Self.stored(Self.makeModel(seed: 1))
        noGenerator.integers["d/2.generator"] = nil
        Self.expectRejected(noGenerator, with: .missingEntry(name: "d/2.generator"))

        Self.expectRejected(Checkpoint(), with: .missingEntry(name: "d/0.weight"))
    }

    @Test func shapeMismatchNamesTheEntryAndBothShapes() {
        let wider = Self.stored(Self.makeModel(seed: 1, outputs: 4))
        let error = CheckpointError.shapeMismatch(name: "d/3.weight", expected: [1, 2], found: [4, 2])
        Self.expectRejected(wider, with: error)
        #expect(error.description == "checkpoint entry \"d/3.weight\" has shape [4, 2], the model expects [1, 2]")

        var badGenerator = Self.stored(Self.makeModel(seed: 1))
        badGenerator.integers["d/2.generator"] = [1, 2, 3]
        Self.expectRejected(badGenerator, with: .shapeMismatch(name: "d/2.generator", expected: [4], found: [3]))
        badGenerator.integers["d/2.generator"] = [0, 0, 0, 0]  // xoshiro's forbidden all-zero state
        let zeros = CheckpointError.invalidEntry(name: "d/2.generator", reason: "a generator state of all zeros")
        Self.expectRejected(badGenerator, with: zeros)
        #expect(zeros.description == "checkpoint entry \"d/2.generator\" is invalid: a generator state of all zeros")
    }

    @Test func unexpectedEntries() {
        var extra = Self.stored(Self.makeModel(seed: 1))
        extra.tensors["d/4.weight"] = Tensor([1])
        extra.integers["d/9.generator"] = [1, 2, 3, 4]
        let error = CheckpointError.unexpectedEntries(names: ["d/4.weight", "d/9.generator"])
        Self.expectRejected(extra, with: error)
        #expect(error.description.contains("d/4.weight") && error.description.contains("d/9.generator"))

        let many = CheckpointError.unexpectedEntries(names: (0..<8).map { "d/\($0).x" })
        #expect(many.description.hasSuffix("d/4.x and 3 more"))
    }

    @Test func optimizerStateRoundTripsAndMismatchesThrow() throws {
        let model = Self.makeModel(seed: 1)
        let adam = Adam(parameters: model.parameters, learningRate: 0.01)
        for parameter in model.parameters { parameter.gradient = Tensor(repeating: 0.5, shape: parameter.shape) }
        adam.step()
        adam.step()
        var checkpoint = Checkpoint()
        checkpoint.store(adam, as: "opt")
        checkpoint.store(model, as: "opt2")  // a prefix that merely starts like "opt"

        let fresh = Adam(parameters: Self.makeModel(seed: 5).parameters, learningRate: 0.5)
        try checkpoint.restore(fresh, from: "opt")
        expectIdentical(StateSnapshot(fresh), StateSnapshot(adam), "restored Adam")
        #expect(fresh.stepCount == 2 && fresh.learningRate == 0.01)

        let other = Adam(parameters: Self.makeModel(seed: 5, outputs: 3).parameters)
        #expect(throws: OptimizerStateError.self) { try checkpoint.restore(other, from: "opt") }
        #expect(throws: OptimizerStateError.missingKey(optimizer: "Adam", key: "learningRate")) {
            try checkpoint.restore(other, from: "nothing")
        }
    }

    /// Trainer-level entries: counters that would overflow a step count, and a dead noise generator.
    @Test func trainerCountersAndNoiseStateAreValidated() throws {
        let source = TinyGAN.makeTrainer()
        var checkpoint = source.makeCheckpoint()
        let target = TinyGAN.makeTrainer(modelSeed: 9)
        let before = trainerSnapshot(target)

        checkpoint.integers["trainer/counters"] = [UInt64(Int.max), 0, 0]
        #expect(throws: CheckpointError.invalidEntry(
            name: "trainer/counters", reason: "step, epoch and batch [\(Int.max), 0, 0] must each be at most 2^53")) {
            try target.restore(from: checkpoint)
        }
        checkpoint.integers["trainer/counters"] = [1, 2]
        #expect(throws: CheckpointError.shapeMismatch(name: "trainer/counters", expected: [3], found: [2])) {
            try target.restore(from: checkpoint)
        }
        checkpoint.integers["trainer/counters"] = [1 << 53, 1 << 53, 1 << 53]
        checkpoint.integers["trainer/noiseGenerator"] = [0, 0, 0, 0]
        #expect(throws: CheckpointError.invalidEntry(name: "trainer/noiseGenerator",
                                                     reason: "a generator state of all zeros")) {
            try target.restore(from: checkpoint)
        }
        expectIdentical(trainerSnapshot(target), before, "trainer after rejected restores")

        checkpoint.integers["trainer/noiseGenerator"] = [1, 2, 3, 4]
        try target.restore(from: checkpoint)
        #expect(target.step == 1 << 53)
    }
}
