import Foundation
import Testing
@testable import GANKit

/// `PixelRange`: bytes to values and back, in the loaders and in every writer
/// of samples (grids, IDX export, the sample-grid component, the evaluator).
@Suite struct PixelRangeTests {
    static let allBytes = (0...255).map { UInt8($0) }

    @Test func bytesMapToTheDocumentedValues() {
        for byte in Self.allBytes {
            // The exact expressions of the documentation, bit for bit (the [-1, 1] one is the loader's old formula).
            #expect(PixelRange.minusOneToOne.value(ofByte: byte).bitPattern == (Float(byte) / 127.5 - 1).bitPattern)
            #expect(PixelRange.zeroToOne.value(ofByte: byte).bitPattern == (Float(byte) / 255).bitPattern)
        }
        #expect(PixelRange.zeroToOne.value(ofByte: 0) == 0 && PixelRange.zeroToOne.value(ofByte: 255) == 1)
        #expect(PixelRange.minusOneToOne.lowerBound == -1 && PixelRange.zeroToOne.lowerBound == 0)
        #expect("\(PixelRange.zeroToOne)" == "[0, 1]" && "\(PixelRange.minusOneToOne)" == "[-1, 1]")
    }

    @Test(arguments: [PixelRange.minusOneToOne, .zeroToOne])
    func everyByteSurvivesTheRoundTrip(_ range: PixelRange) {
        #expect(Self.allBytes.map { range.byte(range.value(ofByte: $0)) } == Self.allBytes)
    }

    @Test func valuesRoundAndClampToBytes() {
        let range = PixelRange.zeroToOne
        #expect(range.byte(0) == 0 && range.byte(1) == 255 && range.byte(0.5) == 128)  // 127.5 rounds away from zero
        #expect(range.byte(-0.3) == 0 && range.byte(2) == 255 && range.byte(.nan) == 0)
        #expect(range.byte(.infinity) == 255 && range.byte(-.infinity) == 0)
        #expect(range.byte(0.2) == 51)  // 0.2 · 255 = 51
        // The same value on the other scale is another byte: −1 is black there, 0 is mid-grey.
        #expect(PixelRange.minusOneToOne.byte(0) == 128 && PixelRange.minusOneToOne.byte(-1) == 0)
    }

    @Test func rescaleMapsBlackToBlackAndWhiteToWhite() {
        let zeroToOne = Tensor([0, 0.25, 1])
        #expect(PixelRange.zeroToOne.rescale(zeroToOne, to: .minusOneToOne) == Tensor([-1, -0.5, 1]))
        #expect(PixelRange.minusOneToOne.rescale(Tensor([-1, -0.5, 1]), to: .zeroToOne) == zeroToOne)
        #expect(PixelRange.zeroToOne.rescale(zeroToOne, to: .zeroToOne) == zeroToOne)
    }

    @Test func idxLoadsInEitherRangeAndExportsBackToTheSameBytes() throws {
        let dir = try TemporaryDirectory()
        let bytes = Self.allBytes + [0, 17, 255, 128]  // 260 bytes = [4, 5, 13]
        try IDXFile(dimensions: [4, 5, 13], bytes: bytes).write(to: dir.file("images"))
        let minusOne = try ImageDataset.loadIDX(images: dir.file("images"), labels: nil)
        let zeroOne = try ImageDataset.loadIDX(images: dir.file("images"), labels: nil, pixelRange: .zeroToOne)
        #expect(zeroOne.images.shape == [4, 1, 5, 13])
        #expect(zeroOne.images.scalars == bytes.map { Float($0) / 255 })
        #expect(minusOne.images.scalars == bytes.map { Float($0) / 127.5 - 1 })
        // Exported with the range it was loaded with, each set gives back the original bytes.
        try exportIDX(zeroOne.images, pixelRange: .zeroToOne, to: dir.file("zero-one.idx"))
        try exportIDX(minusOne.images, to: dir.file("minus-one.idx"))
        #expect(try IDXFile.read(contentsOf: dir.file("zero-one.idx")).bytes == bytes)
        #expect(try IDXFile.read(contentsOf: dir.file("minus-one.idx")).bytes == bytes)
        // [0, 1] data written as if it were [-1, 1] comes out washed out (0 → grey 128): the bug the range prevents.
        try exportIDX(zeroOne.images, to: dir.file("wrong.idx"))
        #expect(try IDXFile.read(contentsOf: dir.file("wrong.idx")).bytes.min() == 128)
    }

    @Test func mnistLoaderPassesTheRangeOn() throws {
        let dir = try TemporaryDirectory()
        try IDXFile(dimensions: [1, 1, 3], bytes: [0, 51, 255]).write(to: dir.file("train-images-idx3-ubyte"))
        let data = try ImageDataset.mnist(directory: dir.url, split: .train, pixelRange: .zeroToOne)
        #expect(data.images.scalars == [0, 0.2, 1])
        #expect(try ImageDataset.mnist(directory: dir.url, split: .train).images.scalars == [-1, 51 / 127.5 - 1, 1])
    }

    @Test func gridsOfZeroToOneImagesUseTheWholeByteRange() {
        // One 1×3 image [0, 0.5, 1] with a 1-pixel frame: black frame by default in either range.
        let image = Tensor(shape: [1, 1, 1, 3], values: [0, 0.5, 1])
        let grid = makeImageGrid(image, padding: 1, pixelRange: .zeroToOne)
        #expect(grid.width == 5 && grid.height == 3)
        #expect(grid.pixels == [0, 0, 0, 0, 0,
                                0, 0, 128, 255, 0,
                                0, 0, 0, 0, 0])
        #expect(makeImageGrid(image, padding: 1, padValue: 1, pixelRange: .zeroToOne).pixels.first == 255)
        // The same tensor read as [-1, 1] is washed out: 0 becomes mid-grey.
        #expect(makeImageGrid(image, padding: 0).pixels == [128, 191, 255])
    }

    @Test func savedGridsUseTheirRange() throws {
        let dir = try TemporaryDirectory()
        let images = Tensor(shape: [4, 1, 2, 2]) { Float($0) / 15 }
        try saveImageGrid(images, columns: 2, pixelRange: .zeroToOne, to: dir.file("grid.png"))
        let decoded = try DecodedPNG([UInt8](Data(contentsOf: dir.file("grid.png"))))
        #expect(decoded.pixels == makeImageGrid(images, columns: 2, pixelRange: .zeroToOne).pixels)
        #expect(decoded.pixels.max() == 255 && decoded.pixels.min() == 0)
    }

    @Test func sampleGridWriterWritesASigmoidGeneratorsSamplesFromZeroOne() throws {
        let dir = try TemporaryDirectory()
        // A generator that ends in a sigmoid: images [N, 1, 4, 4] in [0, 1].
        var rng = SeededGenerator(seed: 1)
        let g = Sequential([Dense(TinyGAN.latentDimension, 16, using: &rng), Sigmoid(), Reshape([1, 4, 4])])
        let d = Sequential([Flatten(), Dense(16, 1, using: &rng)])
        let trainer = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                              generatorOptimizer: SGD(parameters: g.parameters, learningRate: 0.01),
                              discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 0.01),
                              latentDimension: TinyGAN.latentDimension, seed: 2)
        let writer = SampleGridWriter(directory: dir.url, seed: 9, pixelRange: .zeroToOne)
        #expect(writer.pixelRange == .zeroToOne && SampleGridWriter(directory: dir.url, seed: 9).pixelRange == .minusOneToOne)
        try writer.trainingWillStart(trainer, plan: TrainingPlan(epochs: 1, batchesPerEpoch: 1))
        try writer.save(trainer, to: dir.file("grid.png"))
        // The writer's fixed noise: 64 vectors from its seed.
        var noiseSource = SeededGenerator(seed: 9)
        let samples = trainer.sample(noise: Tensor.randomNormal([64, TinyGAN.latentDimension], using: &noiseSource))
        let decoded = try DecodedPNG([UInt8](Data(contentsOf: dir.file("grid.png"))))
        #expect(decoded.pixels == makeImageGrid(samples, pixelRange: .zeroToOne).pixels)
        #expect(decoded.pixels != makeImageGrid(samples).pixels, "the [-1, 1] mapping would wash the samples out")
    }

    @Test func evaluatorRescalesZeroOneImagesForTheClassifier() throws {
        let classifier = try MNISTClassifier(contentsOf: MNISTClassifierTests.checkpoint)
        let (images, _) = try MNISTClassifierTests.testImages(200)
        let toZeroOne = { PixelRange.minusOneToOne.rescale($0, to: .zeroToOne) }
        let usual = SampleEvaluator(classifier: classifier, reference: images.slice(0..<100)).evaluate(images.slice(100..<200))
        let zeroOne = SampleEvaluator(classifier: classifier, reference: toZeroOne(images.slice(0..<100)), pixelRange: .zeroToOne)
        #expect(zeroOne.pixelRange == .zeroToOne)
        let report = zeroOne.evaluate(toZeroOne(images.slice(100..<200)))
        // The same images on the other scale: the same metrics, up to the rounding of x ↦ (x + 1)/2 ↦ 2x − 1.
        #expect(report.classHistogram == usual.classHistogram)
        expectApproximatelyEqual([report.frechetDistance], [usual.frechetDistance], absolute: 1e-3, relative: 1e-3)
        #expect(abs(report.precision - usual.precision) <= 0.02 && abs(report.recall - usual.recall) <= 0.02)
    }
}
