import Foundation
import Testing
@testable import GANKit

/// A layer the exporter does not know.
private final class Doubler: ParameterlessLayer {
    var isTraining = true
    func forward(_ input: Tensor) -> Tensor { input * 2 }
    func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor { outputGradient * 2 }
    var description: String { "Doubler()" }
}

/// The structure of exported models, read back with a test-only protobuf reader. That ONNX
/// Runtime computes what GANKit does is checked in CI (`.ci/onnx.sh`, `Scripts/check-onnx.py`).
@Suite struct ONNXModelTests {
    static func read(_ model: ONNXModel) -> ONNXReading.Model { ONNXReading.model(model.encoded()) }

    @Test func theMLPGeneratorIsAGemmChainWithItsWeightsUnderTheirPaths() throws {
        var rng = SeededGenerator(seed: 1)
        let generator = MLPGAN.makeGenerator(.small, using: &rng)
        let model = try ONNXModel(network: generator, inputShape: [100], producerVersion: "test")
        #expect(model.outputShape == [1, 28, 28] && model.labelsName == nil && model.classCount == nil)

        let decoded = Self.read(model)
        #expect(decoded.irVersion == 8 && decoded.producerName == "GANKit" && decoded.producerVersion == "test")
        #expect(decoded.opsets.count == 1 && decoded.opsets[0].domain == "" && decoded.opsets[0].version == 17)
        let graph = decoded.graph
        #expect(graph.nodes.map(\.opType) == ["Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm", "Tanh", "Reshape"])
        #expect(graph.inputs == [.init(name: "input", elementType: 1, dims: ["N", "100"])])
        #expect(graph.outputs == [.init(name: "output", elementType: 1, dims: ["N", "1", "28", "28"])])
        #expect(graph.nodes.last?.outputs == ["output"])
        #expect(graph.nodes[0].inputs == ["input", "0.weight", "0.bias"])
        #expect(graph.nodes[0].attributes["transB"] == .init(type: 2, int: 1))
        #expect(graph.nodes[1].attributes["alpha"] == .init(type: 1, float: 0.2))
        // Every value is produced before it is read (topological order), and produced once.
        var known: Set<String> = Set(graph.inputs.map(\.name) + graph.initializers.map(\.name))
        for node in graph.nodes {
            #expect(node.inputs.allSatisfy(known.contains), "\(node.name) reads an unknown value")
            for output in node.outputs { #expect(known.insert(output).inserted, "\(output) produced twice") }
        }

        // The weights, bit for bit, under the names of namedParameters.
        for (path, parameter) in generator.namedParameters {
            let initializer = try #require(graph.initializer(path))
            #expect(initializer.dataType == 1 && initializer.dims == Array(parameter.shape))
            #expect(initializer.floats.map(\.bitPattern) == parameter.value.scalars.map(\.bitPattern), "\(path)")
        }
        let shape = try #require(graph.initializer("6/shape"))
        #expect(shape.dataType == 7 && shape.dims == [4] && shape.int64s == [0, 1, 28, 28])
    }

    @Test func theSameModelGivesTheSameBytes() throws {
        func export() throws -> [UInt8] {
            var rng = SeededGenerator(seed: 3)
            let network = DCGAN.makeDiscriminator(DCGAN.Configuration(baseWidth: 8, minibatchStdDev: true), using: &rng)
            return try ONNXModel(network: network, inputShape: [1, 28, 28]).encoded()
        }
        let bytes = try export()
        #expect(bytes == (try export()))
        var rng = SeededGenerator(seed: 3)
        let network = MLPGAN.makeGenerator(.minimal, using: &rng)
        let model = try ONNXModel(network: network, inputShape: [100])
        let first = model.encoded()
        #expect(model.encoded() == first)
        // A snapshot: training the network afterwards leaves the model as it was.
        for parameter in network.parameters { parameter.value.withUnsafeMutableBufferPointer { $0[0] += 1 } }
        #expect(model.encoded() == first)
    }

    @Test func batchNormIsExportedInInferenceFormWithItsRunningStatistics() throws {
        var rng = SeededGenerator(seed: 4)
        let generator = DCGAN.makeGenerator(DCGAN.Configuration(baseWidth: 8), using: &rng)
        _ = generator.forward(Tensor.randomNormal([6, 100], using: &rng))  // training mode: moves the statistics
        let graph = Self.read(try ONNXModel(network: generator, inputShape: [100])).graph
        #expect(graph.nodes.map(\.opType) == ["Gemm", "BatchNormalization", "Relu", "Reshape", "ConvTranspose",
                                              "BatchNormalization", "Relu", "ConvTranspose", "Tanh"])
        let norm = graph.nodes[1]
        #expect(norm.inputs == [graph.nodes[0].outputs[0], "1.weight", "1.bias", "1.runningMean", "1.runningVariance"])
        #expect(norm.attributes["epsilon"]?.float == 1e-5 && norm.attributes["training_mode"] == nil)
        let layer = try #require(generator.layers[1] as? BatchNorm)
        #expect(graph.initializer("1.runningMean")?.floats == layer.runningMean.value.scalars)
        #expect(graph.initializer("1.runningVariance")?.floats == layer.runningVariance.value.scalars)
        let up = graph.nodes[4]
        #expect(up.inputs == ["3/Reshape", "4.weight"])  // no bias before a BatchNorm
        #expect(up.attributes["kernel_shape"]?.ints == [4, 4] && up.attributes["strides"]?.ints == [2, 2])
        #expect(up.attributes["pads"]?.ints == [1, 1, 1, 1] && up.attributes["output_padding"]?.ints == [0, 0])
        #expect(graph.outputs[0].dims == ["N", "1", "28", "28"])

        // Without affine parameters: γ = 1 and β = 0 as constants.
        let plain = Self.read(try ONNXModel(network: BatchNorm(3, affine: false), inputShape: [3, 2, 2])).graph
        #expect(plain.nodes.map(\.opType) == ["BatchNormalization"])
        #expect(plain.nodes[0].inputs == ["input", "/scale", "/shift", "runningMean", "runningVariance"])
        #expect(plain.initializer("/scale")?.floats == [1, 1, 1] && plain.initializer("/shift")?.floats == [0, 0, 0])
    }

    @Test func aSpectrallyNormalisedLayerStoresTheWeightAnInferenceForwardUses() throws {
        var rng = SeededGenerator(seed: 5)
        let configuration = MLPGAN.Configuration(discriminatorHiddenSizes: [16], spectralNorm: true, minibatchStdDev: true)
        let discriminator = MLPGAN.makeDiscriminator(configuration, using: &rng)
        _ = discriminator.forward(Tensor.randomNormal([4, 1, 28, 28], using: &rng))  // a power-iteration step
        let before = discriminator.namedParameters.map(\.parameter.value) + discriminator.namedBuffers.map(\.buffer.value)
        let graph = Self.read(try ONNXModel(network: discriminator, inputShape: [1, 28, 28])).graph
        #expect(discriminator.namedParameters.map(\.parameter.value) + discriminator.namedBuffers.map(\.buffer.value)
                == before)  // exporting changes nothing

        discriminator.isTraining = false
        _ = discriminator.forward(Tensor.randomNormal([4, 1, 28, 28], using: &rng))
        let layer = try #require(discriminator.layers[1] as? SpectralNorm<Dense>)
        #expect(graph.initializer("1.weight/sigma")?.floats == layer.layer.weight.value.scalars)
        #expect(graph.initializer("1.bias")?.floats == layer.layer.bias?.value.scalars)
        #expect(graph.nodes.map(\.opType).filter { $0 == "Gemm" }.count == 2)
        #expect(graph.nodes.contains { $0.opType == "Min" } && graph.outputs[0].dims == ["N", "1"])
    }

    @Test func aConditionalNetworkTakesInt64Labels() throws {
        var rng = SeededGenerator(seed: 6)
        let configuration = DCGAN.Configuration(baseWidth: 4, conditioning: .digits)
        let discriminator = DCGAN.makeDiscriminator(configuration, using: &rng)
        let model = try ONNXModel(network: discriminator, inputShape: [1, 28, 28], labelsName: "digit")
        #expect(model.labelsName == "digit" && model.classCount == 10)
        let graph = Self.read(model).graph
        #expect(graph.inputs.map(\.name) == ["input", "digit"])
        #expect(graph.inputs[1] == .init(name: "digit", elementType: 7, dims: ["N"]))
        #expect(Array(graph.nodes.prefix(4).map(\.opType)) == ["Gather", "Reshape", "Expand", "Concat"])
        #expect(graph.nodes[0].inputs == ["0.weight", "digit"])
        #expect(graph.initializer("0/planes")?.int64s == [1, 1, 28, 28])

        let projection = ClassConditioning(classCount: 3, discriminator: .projection)
        let projecting = MLPGAN.makeDiscriminator(MLPGAN.Configuration(discriminatorHiddenSizes: [8],
                                                                       conditioning: projection), using: &rng)
        let projected = Self.read(try ONNXModel(network: projecting, inputShape: [1, 28, 28], classCount: 3)).graph
        #expect(projected.nodes.suffix(5).map(\.opType) == ["Gemm", "Gather", "Mul", "ReduceSum", "Add"])
        #expect(projected.initializer("3.0.weight") != nil && projected.initializer("3.1.weight")?.dims == [3, 8])
    }

    @Test func theModelsOutputShapeIsTheNetworks() throws {
        var rng = SeededGenerator(seed: 7)
        let small = DCGAN.Configuration(baseWidth: 4)
        let networks: [(any Layer, [Int])] = [
            (MLPGAN.makeDiscriminator(MLPGAN.Configuration(minibatchStdDev: true), using: &rng), [1, 28, 28]),
            (DCGAN.makeGenerator(DCGAN.Configuration(imageSize: 32, channels: 3, baseWidth: 4, depth: 3), using: &rng),
             [100]),
            (DCGAN.makeDiscriminator(DCGAN.Configuration(baseWidth: 4, spectralNorm: true, minibatchStdDev: true),
                                     using: &rng), [1, 28, 28]),
            (DCGAN.makeGenerator(small, using: &rng), [100]),
            (Sequential { Flatten(); Dropout(rate: 0.5); Sequential { Tanh(); Sigmoid() } }, [2, 3]),
        ]
        for (network, inputShape) in networks {
            let model = try ONNXModel(network: network, inputShape: inputShape)
            network.isTraining = false
            let output = network.forward(Tensor(zeros: TensorShape([4] + inputShape)))
            #expect(model.outputShape == Array(output.shape.dropFirst()), "\(network)")
        }
    }

    @Test func aNetworkWithoutOperatorsStillNamesItsOutput() throws {
        let graph = Self.read(try ONNXModel(network: Sequential { Dropout(rate: 0.2) }, inputShape: [3])).graph
        #expect(graph.nodes.map(\.opType) == ["Identity"] && graph.nodes[0].inputs == ["input"])
        #expect(graph.nodes[0].outputs == ["output"])
    }

    @Test func anUnsupportedLayerIsNamedByPathAndType() {
        var rng = SeededGenerator(seed: 8)
        let network = Sequential {
            Dense(4, 4, using: &rng)
            Sequential { Doubler() }
        }
        let error = ONNXExportError.unsupportedLayer(path: "1.0", type: "Doubler")
        #expect(throws: error) { try ONNXModel(network: network, inputShape: [4]) }
        #expect(error.description.hasPrefix("ONNX export: layer 1.0 (Doubler) has no ONNX form; supported are"))
        #expect(!error.description.contains("\n"))
        #expect(throws: ONNXExportError.unsupportedLayer(path: "", type: "Doubler")) {
            try ONNXModel(network: Doubler(), inputShape: [4])
        }
    }

    @Test func aShapeTheNetworkWouldRejectIsAThrownError() {
        var rng = SeededGenerator(seed: 9)
        let generator = MLPGAN.makeGenerator(.small, using: &rng)
        let expected = ONNXExportError.inputShapeMismatch(
            path: "0", type: "Dense", problem: "Dense(100 → 256): expected input [N, 100], got [1, 64]")
        #expect(throws: expected) { try ONNXModel(network: generator, inputShape: [64]) }
        #expect(expected.description
                == "ONNX export: layer 0 (Dense) rejects its input: Dense(100 → 256): expected input [N, 100], got [1, 64]")
        let concatenation = Sequential { ConcatenateClassEmbedding(classCount: 2, dimension: 3, using: &rng) }
        #expect(throws: ONNXExportError.inputShapeMismatch(
            path: "0", type: "ConcatenateClassEmbedding",
            problem: "ConcatenateClassEmbedding(2 classes × 3): expected input [N, F] or [N, C, H, W], got [1, 4, 4]")) {
            try ONNXModel(network: concatenation, inputShape: [4, 4])
        }
        #expect(throws: ONNXExportError.self) { try ONNXModel(network: generator, inputShape: [0]) }
        #expect(throws: ONNXExportError.self) { try ONNXModel(network: generator, inputShape: Array(repeating: 1, count: 8)) }
    }

    @Test func damagedParametersAreThrownErrors() {
        var rng = SeededGenerator(seed: 10)
        let network = Sequential { Dense(3, 2, using: &rng); BatchNorm(2) }
        let dense = network.layers[0] as! Dense, norm = network.layers[1] as! BatchNorm
        dense.bias!.value = Tensor([1, .nan])
        #expect(throws: ONNXExportError.invalidParameter(path: "0.bias", type: "Dense",
                                                         problem: "holds a NaN or infinite value")) {
            try ONNXModel(network: network, inputShape: [3])
        }
        dense.bias!.value = Tensor([1, 2, 3])
        let misshapen = ONNXExportError.invalidParameter(path: "0.bias", type: "Dense", problem: "has shape [3], expected [2]")
        #expect(throws: misshapen) { try ONNXModel(network: network, inputShape: [3]) }
        #expect(misshapen.description == "ONNX export: 0.bias of Dense has shape [3], expected [2]")
        dense.bias!.value = Tensor([1, 2])
        norm.runningVariance.value = Tensor([1, -1])
        #expect(throws: ONNXExportError.invalidParameter(path: "1.runningVariance", type: "BatchNorm",
                                                         problem: "holds a negative variance")) {
            try ONNXModel(network: network, inputShape: [3])
        }
    }

    @Test func argumentsThatDoNotFitTheNetworkAreThrownErrors() {
        var rng = SeededGenerator(seed: 11)
        let plain = MLPGAN.makeGenerator(.minimal, using: &rng)
        let conditional = MLPGAN.makeGenerator(MLPGAN.Configuration(conditioning: .digits), using: &rng)
        #expect(throws: ONNXExportError.invalidArgument(
            "classCount 10 given, but the network has no class-conditioned layer")) {
            try ONNXModel(network: plain, inputShape: [100], classCount: 10)
        }
        #expect(throws: ONNXExportError.invalidArgument("classCount 5 given, but the network has a layer of 10 classes")) {
            try ONNXModel(network: conditional, inputShape: [100], classCount: 5)
        }
        #expect(throws: ONNXExportError.self) {
            try ONNXModel(network: conditional, inputShape: [100], labelsName: "input")
        }
        #expect(throws: ONNXExportError.self) { try ONNXModel(network: plain, inputShape: [100], outputName: "") }
        // Names the exporter makes up never take the output's.
        let graph = (try? ONNXModel(network: plain, inputShape: [100], outputName: "0/Gemm")).map { Self.read($0).graph }
        #expect(graph?.nodes.last?.outputs == ["0/Gemm"] && graph?.nodes.first?.outputs == ["0/Gemm_2"])
    }

    @Test func writeIsAtomicAndNamesTheFileOnFailure() throws {
        let directory = try TemporaryDirectory()
        var rng = SeededGenerator(seed: 12)
        let model = try ONNXModel(network: MLPGAN.makeGenerator(.minimal, using: &rng), inputShape: [100])
        try model.write(to: directory.file("g.onnx"))
        #expect([UInt8](try Data(contentsOf: directory.file("g.onnx"))) == model.encoded())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["g.onnx"])
        let missing = directory.file("missing/g.onnx")
        #expect(throws: FileWriteError.self) { try model.write(to: missing) }
    }
}
