import Foundation
import Testing
@testable import GANKit

/// The bundled classifier checkpoint and the evaluator built on it.
@Suite struct MNISTClassifierTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let checkpoint = repository.appendingPathComponent("Examples/Data/Classifier/mnist-classifier.gankit")
    static let mnist = repository.appendingPathComponent("Examples/Data/MNIST")

    /// The MNIST test set, read once for all tests (inflating it dominates a debug run).
    static let testSet = Result { try ImageDataset.mnist(directory: mnist, split: .test) }

    /// The first `count` MNIST test images and labels.
    static func testImages(_ count: Int) throws -> (images: Tensor, labels: [Int]) {
        let test = try testSet.get()
        return (test.images.slice(0..<count), Array(test.labels!.prefix(count)))
    }

    @Test func bundledCheckpointIsSmallAndAccurate() throws {
        let size = try FileManager.default.attributesOfItem(atPath: Self.checkpoint.path)[.size] as! Int
        #expect(size < 2_100_000, "the checkpoint is committed: keep it small")
        let classifier = try MNISTClassifier(contentsOf: Self.checkpoint)
        let (images, labels) = try Self.testImages(1000)
        let accuracy = classifier.accuracy(images: images, labels: labels)
        #expect(accuracy >= 0.985, "accuracy on the first 1000 test images: \(accuracy)")
    }

    @Test func outputsDoNotDependOnTheBatchSizeAndLeaveTheModeAlone() throws {
        let classifier = try MNISTClassifier(contentsOf: Self.checkpoint)
        classifier.network.isTraining = true
        let images = try Self.testImages(20).images
        let whole = classifier.outputs(images)
        let pieces = classifier.outputs(images, batchSize: 7)
        #expect(whole.features.shape == [20, 128] && whole.logits.shape == [20, 10])
        expectApproximatelyEqual(pieces.features, whole.features.scalars.map(Double.init), absolute: 1e-4, relative: 1e-4)
        expectApproximatelyEqual(pieces.logits, whole.logits.scalars.map(Double.init), absolute: 1e-4, relative: 1e-4)
        #expect(classifier.network.isTraining, "outputs restores the previous mode")
    }

    @Test func checkpointRoundTripsAndRejectsOtherModels() throws {
        var rng = SeededGenerator(seed: 1)
        let fresh = MNISTClassifier(using: &rng)
        let copy = MNISTClassifier(using: &rng)
        try copy.restore(from: fresh.makeCheckpoint())
        #expect(copy.network.parameters.map(\.value) == fresh.network.parameters.map(\.value))
        var other = Checkpoint()
        other.store(Sequential { Flatten() ; Dense(784, 10, using: &rng) }, as: MNISTClassifier.checkpointPrefix)
        #expect(throws: CheckpointError.self) { try copy.restore(from: other) }
    }

    @Test func evaluatorRanksRealDigitsAboveNoiseAndCollapse() throws {
        let classifier = try MNISTClassifier(contentsOf: Self.checkpoint)
        let (images, _) = try Self.testImages(600)
        let evaluator = SampleEvaluator(classifier: classifier, reference: images.slice(0..<300))
        let real = evaluator.evaluate(images.slice(300..<600))
        var rng = SeededGenerator(seed: 3)
        let noise = evaluator.evaluate(Tensor.randomUniform([300, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng))
        let collapsed = evaluator.evaluate(Tensor(concatenating: Array(repeating: images.slice(0..<1), count: 300)))
        #expect(real.frechetDistance < collapsed.frechetDistance && collapsed.frechetDistance < noise.frechetDistance
                || real.frechetDistance < noise.frechetDistance && noise.frechetDistance < collapsed.frechetDistance)
        #expect(real.frechetDistance * 5 < min(noise.frechetDistance, collapsed.frechetDistance))
        #expect(real.classesCovered == 10 && collapsed.classesCovered == 1)
        #expect(real.classifierScore > 8 && collapsed.classifierScore < 1.01)
        #expect(real.precision > 0.6 && real.recall > 0.6, "\(real)")
        // Noise and collapse have no diversity. (Noise keeps a high *precision*: its features form one
        // tight cluster that falls inside a few outlying real balls — the metric's known weakness.)
        #expect(noise.recall < 0.05 && collapsed.recall < 0.05, "\(noise) \(collapsed)")
        #expect(real.classHistogram.reduce(0, +) == 300 && real.sampleCount == 300 && real.referenceCount == 300)
    }
}
