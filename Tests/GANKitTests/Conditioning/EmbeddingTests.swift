import Testing
@testable import GANKit

@Suite struct EmbeddingTests {
    private func makeEmbedding() -> Embedding {
        var g = SeededGenerator(seed: 5)
        return Embedding(count: 4, dimension: 3, using: &g)
    }

    @Test func forwardLooksUpRows() {
        let embedding = makeEmbedding()
        embedding.weight.value = Tensor(shape: [4, 3], values: (0..<12).map(Float.init))
        let output = embedding(Tensor([2, 0, 2]))
        #expect(output.shape == [3, 3])
        #expect(output.scalars == [6, 7, 8, 0, 1, 2, 6, 7, 8])
        #expect(embedding(Tensor(shape: [2, 1], values: [3, 1])).scalars == [9, 10, 11, 3, 4, 5])
    }

    @Test func backwardScattersIntoLookedUpRowsAndGivesZeroInputGradient() {
        let embedding = makeEmbedding()
        _ = embedding(Tensor([2, 0, 2]))
        embedding.zeroGradients()
        let inputGradient = embedding.backward(Tensor(shape: [3, 3], values: [1, 2, 3, 4, 5, 6, 10, 20, 30]))
        // Row 2 was looked up twice: 1+10, 2+20, 3+30; row 0 once; rows 1 and 3 never.
        #expect(embedding.weight.gradient.scalars == [4, 5, 6, 0, 0, 0, 11, 22, 33, 0, 0, 0])
        #expect(inputGradient.shape == [3])
        #expect(inputGradient.scalars == [0, 0, 0])
    }

    @Test func parameterGradientMatchesFiniteDifferences() {
        for training in [true, false] {
            let embedding = makeEmbedding()
            embedding.isTraining = training
            let report = GradientCheck.run(embedding, input: Tensor([3, 1, 1, 0, 2]), checkInput: false)
            #expect(report.entries.count == 1)
            #expect(report.passes(tolerance: 1e-2), "\(report)")
        }
    }

    @Test func rejectsIndicesOutsideTheTable() async {
        await #expect(processExitsWith: .failure) {
            var g = SeededGenerator(seed: 1)
            _ = Embedding(count: 4, dimension: 2, using: &g)(Tensor([1, 4]))
        }
        await #expect(processExitsWith: .failure) {
            var g = SeededGenerator(seed: 1)
            _ = Embedding(count: 4, dimension: 2, using: &g)(Tensor([0.5]))
        }
    }
}

@Suite struct ConcatenateClassEmbeddingTests {
    private func makeLayer(dimension: Int = 2) -> ConcatenateClassEmbedding {
        var g = SeededGenerator(seed: 8)
        return ConcatenateClassEmbedding(classCount: 3, dimension: dimension, using: &g)
    }

    @Test func appendsTheClassVectorToFeatures() {
        let layer = makeLayer()
        layer.embedding.weight.value = Tensor(shape: [3, 2], values: [10, 11, 20, 21, 30, 31])
        layer.setClassLabels(Tensor([2, 0]))
        let output = layer(Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        #expect(output.shape == [2, 5])
        #expect(output.scalars == [1, 2, 3, 30, 31, 4, 5, 6, 10, 11])
    }

    @Test func broadcastsTheClassVectorAsPlanes() {
        let layer = makeLayer()
        layer.embedding.weight.value = Tensor(shape: [3, 2], values: [10, 11, 20, 21, 30, 31])
        layer.setClassLabels(Tensor([1]))
        let output = layer(Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4]))
        #expect(output.shape == [1, 3, 2, 2])
        #expect(output.scalars == [1, 2, 3, 4, 20, 20, 20, 20, 21, 21, 21, 21])
    }

    @Test(arguments: [[4, 5], [3, 2, 3, 3]] as [TensorShape])
    func gradientsMatchFiniteDifferences(_ shape: TensorShape) {
        for training in [true, false] {
            let layer = makeLayer(dimension: 3)
            layer.isTraining = training
            layer.setClassLabels(Tensor((0..<shape[0]).map { Float($0 % 3) }))
            let report = GradientCheck.run(layer, inputShape: shape, seed: 4)
            #expect(report.entries.count == 2)
            #expect(report.passes(tolerance: 1e-2), "\(report)")
        }
    }

    @Test func labelsReachLayersInsideSequentials() {
        var g = SeededGenerator(seed: 2)
        let inner = ConcatenateClassEmbedding(classCount: 3, dimension: 2, using: &g)
        let network = Sequential { Sequential { inner; Dense(4, 1, using: &g) } }
        #expect(network.isClassConditioned)
        #expect(!Sequential { Dense(4, 1, using: &g) }.isClassConditioned)
        network.setClassLabels(Tensor([1, 2]))
        #expect(inner.classLabels.scalars == [1, 2])
        #expect(network(Tensor(zeros: [2, 2])).shape == [2, 1])
        #expect(network.namedParameters.map(\.path) == ["0.0.weight", "0.1.weight", "0.1.bias"])
    }

    @Test func stopsWhenLabelsAreMissingOrMiscounted() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var g = SeededGenerator(seed: 8)
            let layer = ConcatenateClassEmbedding(classCount: 3, dimension: 2, using: &g)
            layer.setClassLabels(Tensor([1, 2, 0]))
            _ = layer(Tensor(zeros: [2, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("expected class labels [2] for input [2, 5], got [3]"), "\(message)")
    }
}
