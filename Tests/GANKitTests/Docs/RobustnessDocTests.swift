import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Docs/Robustness.md shows this code verbatim (between the markers).
// DOC-BEGIN
/// Trains `trainer` up to `epochs`, continuing from `checkpoint` if it exists and
/// saving it every 200 steps and at every epoch end, never from a diverged state.
func trainResumably(_ trainer: Trainer, images: Tensor, epochs: Int, checkpoint: URL) throws -> History {
    if FileManager.default.fileExists(atPath: checkpoint.path) {
        try trainer.restore(from: Checkpoint.read(from: checkpoint))  // names any mismatching tensor
    }
    trainer.gradientClipNorm = 10  // optional: global L2 norm per network, before each update
    func save() -> TrainingDecision {
        do {
            try trainer.checkParametersFinite()               // never overwrite a good checkpoint with NaN
            try trainer.makeCheckpoint().write(to: checkpoint)  // atomic: temp file + rename
            return .continue
        } catch {
            print("stopping: \(error)")
            return .stop
        }
    }
    trainer.onBatchEnd = { report in report.step % 200 == 0 ? save() : .continue }
    trainer.onEpochEnd = { _ in save() }
    let batchCount = BatchSequence(images, batchSize: 64, seed: 7).batchCount
    do {
        return try trainer.train(epochs: epochs, batchesPerEpoch: batchCount) { epoch in
            BatchSequence(images, batchSize: 64, seed: 7, epoch: epoch)
        }
    } catch TrainingError.diverged(let divergence) {
        print(divergence)  // the step, what was NaN/Inf, the last finite losses
        return divergence.history
    }
}
// DOC-END

@Suite struct RobustnessDocTests {
    static func makeTrainer() -> Trainer {
        var rng = SeededGenerator(seed: 42)
        let (generator, discriminator) = MLPGAN.make(
            MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                                 discriminatorHiddenSizes: [16]), using: &rng)
        return Trainer(generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
                       generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
                       discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
                       latentDimension: 8, seed: 1)
    }

    /// Two calls (as after a restart) end exactly where one call does.
    @Test func resumingFromTheSavedCheckpointEqualsOneRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-robust-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 5)
        let images = Tensor.randomUniform([256, 1, 4, 4], lowerBound: -1, upperBound: 1, using: &rng)

        let straight = Self.makeTrainer()
        let straightHistory = try trainResumably(straight, images: images, epochs: 2,
                                                 checkpoint: folder.appendingPathComponent("a.gankit"))
        let first = Self.makeTrainer(), second = Self.makeTrainer()
        let url = folder.appendingPathComponent("b.gankit")
        _ = try trainResumably(first, images: images, epochs: 1, checkpoint: url)
        let rest = try trainResumably(second, images: images, epochs: 2, checkpoint: url)
        #expect(straightHistory.batches.count == 8 && rest.batches.count == 4)
        #expect(second.makeCheckpoint().encoded() == straight.makeCheckpoint().encoded())
        #expect(try Data(contentsOf: url) == Data(contentsOf: folder.appendingPathComponent("a.gankit")))
    }

    @Test func robustnessDocShowsThisCode() throws {
        try expectDocument("Docs/Robustness.md", containsSnippetOf: #filePath)
    }
}
