import Foundation

/// An ONNX model (opset 17) of a GANKit network in inference mode, encoded by GANKit
/// itself: a self-contained `.onnx` file that ONNX Runtime runs on iOS, Android, the
/// web and servers.
///
/// The model computes what `network.forward` computes with `isTraining = false`:
/// BatchNorm normalises with its running statistics, Dropout is left out, and a
/// SpectralNorm layer's weight is stored already divided by σ (from its current `u`
/// and `v`, as an inference forward computes it). The graph's inputs are
/// - `inputName` (default `"input"`): float32 `[N] + inputShape`, e.g. noise `[N, 100]`
///   for a generator or images `[N, 1, 28, 28]` for a discriminator;
/// - for a class-conditioned network (one with a ``ConcatenateClassEmbedding`` or a
///   ``ClassProjectionOutput``), `labelsName` (default `"labels"`): int64 class indices `[N]`,
///   what ``Layer/setClassLabels(_:)`` gives the network in Swift;
///
/// and its output `outputName` (default `"output"`) is float32 `[N] + outputShape`. The
/// batch size `N` is symbolic (`dim_param "N"`): any batch runs. Weights are initializers
/// (raw little-endian float32) named by their paths in ``Layer/namedParameters`` and
/// ``Layer/namedBuffers`` (`"3.weight"`, `"1.runningMean"`); a spectrally normalised weight
/// is `"<path>.weight/sigma"`, and constants made up by the exporter are `"<layer>/<what>"`.
///
/// Exporting reads the parameters and buffers as they are now (the model is a snapshot)
/// and does not run or change the network.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let generator = MLPGAN.makeGenerator(.small, using: &rng)
/// let model = try ONNXModel(network: generator, inputShape: [100])
/// try model.write(to: URL(fileURLWithPath: "generator.onnx"))
/// ```
public struct ONNXModel: Sendable {
    /// The ONNX operator set the model imports (the default domain's).
    public static let opsetVersion = 17
    /// The ONNX IR version written (8 is the one that goes with opset 17).
    public static let irVersion = 8

    /// The shape of one input sample, e.g. `[100]` or `[1, 28, 28]`.
    public let inputShape: [Int]
    /// The shape of one output sample, e.g. `[1, 28, 28]` or `[1]`.
    public let outputShape: [Int]
    /// The name of the float input.
    public let inputName: String
    /// The name of the int64 class-label input, or nil when the network is not class-conditioned.
    public let labelsName: String?
    /// The number of classes of a class-conditioned network (labels are `0..<classCount`), else nil.
    public let classCount: Int?
    /// The name of the output.
    public let outputName: String
    /// The model's `producer_version` field, if any.
    public let producerVersion: String?
    let graph: ONNXGraph

    /// Converts `network` into an ONNX model.
    /// - Parameters:
    ///   - network: a built-in layer or a `Sequential` (nested ones too) of built-in layers.
    ///   - inputShape: the shape of one input sample, without the batch axis: `[100]` for
    ///     noise, `[1, 28, 28]` for MNIST images.
    ///   - classCount: the number of classes of a class-conditioned network; nil takes it from
    ///     the network. When given, it must be the network's.
    ///   - inputName: the name of the float input.
    ///   - labelsName: the name of the int64 label input of a class-conditioned network.
    ///   - outputName: the name of the output.
    ///   - producerVersion: written as the model's `producer_version` (e.g. your app's version).
    /// - Throws: ``ONNXExportError`` naming the layer (path and type) that has no ONNX form
    ///   or rejects the shape reaching it, a parameter that is misshapen or not finite, or
    ///   an argument that does not fit.
    public init(network: any Layer, inputShape: [Int], classCount: Int? = nil, inputName: String = "input",
                labelsName: String = "labels", outputName: String = "output",
                producerVersion: String? = nil) throws(ONNXExportError) {
        guard inputShape.count < TensorShape.maximumRank, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidArgument("input shape \(inputShape) must have positive sizes and at most "
                                   + "\(TensorShape.maximumRank - 1) axes (one sample, without the batch axis)")
        }
        let conditionedCounts = Self.classCounts(in: network)
        if let classCount, conditionedCounts.isEmpty {
            throw .invalidArgument("classCount \(classCount) given, but the network has no class-conditioned layer")
        }
        if let classCount, let other = conditionedCounts.first(where: { $0 != classCount }) {
            throw .invalidArgument("classCount \(classCount) given, but the network has a layer of \(other) classes")
        }
        let conditioned = !conditionedCounts.isEmpty
        let names = conditioned ? [inputName, labelsName, outputName] : [inputName, outputName]
        guard names.allSatisfy({ !$0.isEmpty }), Set(names).count == names.count else {
            throw .invalidArgument("input, labels and output names must be non-empty and distinct, got \(names)")
        }

        var exporter = ONNXNetworkExporter(builder: ONNXGraphBuilder(reservedNames: names),
                                           labels: conditioned ? labelsName : nil)
        let output = try exporter.export(network, prefix: "", ONNXValue(name: inputName, sampleShape: inputShape))
        exporter.builder.finish(output.name, as: outputName)

        let batch = ONNXDimension.symbolic("N")
        var inputs = [ONNXValueInfo(name: inputName, elementType: .float,
                                    shape: [batch] + inputShape.map(ONNXDimension.fixed))]
        if conditioned { inputs.append(ONNXValueInfo(name: labelsName, elementType: .int64, shape: [batch])) }
        graph = ONNXGraph(name: "GANKit", nodes: exporter.builder.nodes, initializers: exporter.builder.initializers,
                          inputs: inputs,
                          outputs: [ONNXValueInfo(name: outputName, elementType: .float,
                                                  shape: [batch] + output.sampleShape.map(ONNXDimension.fixed))])
        self.inputShape = inputShape
        self.outputShape = output.sampleShape
        self.inputName = inputName
        self.labelsName = conditioned ? labelsName : nil
        self.classCount = conditioned ? (classCount ?? conditionedCounts[0]) : nil
        self.outputName = outputName
        self.producerVersion = producerVersion
    }

    /// The `.onnx` file's bytes (a serialised `ModelProto`); the same model always gives the same bytes.
    public func encoded() -> [UInt8] {
        graph.encodedModel(irVersion: Self.irVersion, opset: Self.opsetVersion, producerVersion: producerVersion)
    }

    /// Writes the `.onnx` file to `url` atomically: an interrupted write leaves the previous file intact.
    /// - Throws: ``FileWriteError`` naming the file and the reason.
    public func write(to url: URL) throws {
        do { try AtomicFile.write(encoded(), to: url) } catch {
            throw FileWriteError(path: url.path, reason: error.reason)
        }
    }

    /// The class count of every class-conditioned layer in the tree, in order.
    private static func classCounts(in layer: any Layer) -> [Int] {
        var counts: [Int] = []
        if let conditioned = layer as? any ClassConditionedLayer { counts.append(conditioned.classCount) }
        if let container = layer as? any LayerContainer {
            for child in container.children { counts += classCounts(in: child) }
        }
        return counts
    }
}
