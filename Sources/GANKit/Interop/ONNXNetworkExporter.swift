/// Walks a network and emits the ONNX nodes of each layer's inference-mode forward.
///
/// Every layer is turned into the operators that compute exactly its `forward` with
/// `isTraining = false`; shapes are tracked per sample, checked with each layer's own
/// `inputShapeProblem`, so a shape that the network would stop on is a thrown error here.
/// The conditioning layers and MinibatchStdDev are in `ONNXNetworkExporter+Conditioning.swift`.
struct ONNXNetworkExporter {
    var builder: ONNXGraphBuilder
    /// The int64 label input `[N]` of a class-conditioned network, else nil.
    let labels: String?

    /// Emits `layer` (at path `prefix`, e.g. `"3."`, or `""` for the root) applied to `x`; returns its output.
    mutating func export(_ layer: any Layer, prefix: String, _ x: ONNXValue) throws(ONNXExportError) -> ONNXValue {
        if let validating = layer as? any InputShapeValidating { try checkInput(of: validating, prefix, x) }
        switch layer {
        case let sequential as Sequential:
            var value = x
            for (index, child) in sequential.layers.enumerated() {
                value = try export(child, prefix: "\(prefix)\(index).", value)
            }
            return value
        case let dense as Dense:
            return try exportDense(dense, prefix: prefix, x)
        case let conv as Conv2D:
            return try exportConv2D(conv, prefix: prefix, x)
        case let conv as ConvTranspose2D:
            return try exportConvTranspose2D(conv, prefix: prefix, x)
        case let norm as BatchNorm:
            return try exportBatchNorm(norm, prefix: prefix, x)
        case let normalized as any SpectrallyNormalizedLayer:
            return try exportSpectrallyNormalized(normalized, prefix: prefix, x)
        case let leaky as LeakyReLU:
            return elementwise("LeakyRelu", prefix, x, [("alpha", .float(leaky.alpha))])
        case is ReLU:
            return elementwise("Relu", prefix, x)
        case is Tanh:
            return elementwise("Tanh", prefix, x)
        case is Sigmoid:
            return elementwise("Sigmoid", prefix, x)
        case let reshape as Reshape:
            let shape = builder.int64Constant(nodeName(prefix, "shape"), [0] + Array(reshape.itemShape))
            return ONNXValue(name: builder.node("Reshape", nodeName(prefix, "Reshape"), [x.name, shape]),
                             sampleShape: Array(reshape.itemShape))
        case is Flatten:
            return self.flatten(x, prefix)
        case is Dropout:
            return x  // the identity in inference mode
        case let embedding as Embedding:
            return try exportEmbedding(embedding, prefix: prefix, x)
        case let concatenate as ConcatenateClassEmbedding:
            return try exportConcatenation(concatenate, prefix: prefix, x)
        case let projection as ClassProjectionOutput:
            return try exportProjection(projection, prefix: prefix, x)
        case let minibatch as MinibatchStdDev:
            return exportMinibatchStdDev(minibatch, prefix: prefix, x)
        default:
            throw .unsupportedLayer(path: Self.path(prefix), type: Self.typeName(layer))
        }
    }

    // MARK: - Layers with weights

    /// Gemm with `transB = 1` (the weight is `[out, in]`), after a Flatten for an input of rank > 2 as Dense reads it.
    /// `weight` replaces the layer's own (a spectrally normalised one).
    mutating func exportDense(_ dense: Dense, prefix: String, _ x: ONNXValue,
                         weight: (name: String, value: Tensor)? = nil) throws(ONNXExportError) -> ONNXValue {
        let input = x.sampleShape.count == 1 ? x : flatten(x, prefix)
        let inputs = try weightedInputs(input.name, of: dense, weight: weight ?? (prefix + "weight", dense.weight.value),
                                        shape: [dense.outFeatures, dense.inFeatures], bias: dense.bias,
                                        outputs: dense.outFeatures, prefix: prefix)
        let y = builder.node("Gemm", nodeName(prefix, "Gemm"), inputs, [("transB", .int(1))])
        return ONNXValue(name: y, sampleShape: [dense.outFeatures])
    }

    /// Conv with explicit kernel, strides, symmetric pads and dilation 1 (PyTorch's rule, as Conv2D's).
    mutating func exportConv2D(_ conv: Conv2D, prefix: String, _ x: ONNXValue,
                         weight: (name: String, value: Tensor)? = nil) throws(ONNXExportError) -> ONNXValue {
        let k = conv.kernelSize
        let inputs = try weightedInputs(x.name, of: conv, weight: weight ?? (prefix + "weight", conv.weight.value),
                                        shape: [conv.outChannels, conv.inChannels, k.height, k.width], bias: conv.bias,
                                        outputs: conv.outChannels, prefix: prefix)
        let y = builder.node("Conv", nodeName(prefix, "Conv"), inputs,
                             convolutionAttributes(kernel: k, stride: conv.stride, padding: conv.padding))
        return ONNXValue(name: y, sampleShape: Array(conv.outputShape(for: TensorShape([1] + x.sampleShape)).dropFirst()))
    }

    /// ConvTranspose: ONNX's weight layout `[in, out, kH, kW]` is GANKit's; pads and output padding as PyTorch's.
    mutating func exportConvTranspose2D(_ conv: ConvTranspose2D, prefix: String, _ x: ONNXValue,
                         weight: (name: String, value: Tensor)? = nil) throws(ONNXExportError) -> ONNXValue {
        let (k, o) = (conv.kernelSize, conv.outputPadding)
        let inputs = try weightedInputs(x.name, of: conv, weight: weight ?? (prefix + "weight", conv.weight.value),
                                        shape: [conv.inChannels, conv.outChannels, k.height, k.width], bias: conv.bias,
                                        outputs: conv.outChannels, prefix: prefix)
        let y = builder.node("ConvTranspose", nodeName(prefix, "ConvTranspose"), inputs,
                             convolutionAttributes(kernel: k, stride: conv.stride, padding: conv.padding)
                                 + [("output_padding", .ints([o.height, o.width]))])
        return ONNXValue(name: y, sampleShape: Array(conv.outputShape(for: TensorShape([1] + x.sampleShape)).dropFirst()))
    }

    /// BatchNormalization in inference form (running mean and variance); γ = 1, β = 0 when not affine.
    mutating func exportBatchNorm(_ norm: BatchNorm, prefix: String, _ x: ONNXValue) throws(ONNXExportError) -> ONNXValue {
        let c = [norm.features]
        var scale = nodeName(prefix, "scale"), shift = nodeName(prefix, "shift")
        if let weight = norm.weight, let bias = norm.bias {
            scale = try parameter(weight.value, prefix + "weight", of: norm, shape: c)
            shift = try parameter(bias.value, prefix + "bias", of: norm, shape: c)
        } else {
            scale = builder.initializer(scale, Tensor.ones(TensorShape(c)))
            shift = builder.initializer(shift, Tensor(zeros: TensorShape(c)))
        }
        let mean = try parameter(norm.runningMean.value, prefix + "runningMean", of: norm, shape: c)
        guard norm.runningVariance.value.scalars.allSatisfy({ $0 >= 0 }) else {
            throw .invalidParameter(path: prefix + "runningVariance", type: Self.typeName(norm),
                                    problem: "holds a negative variance")
        }
        let variance = try parameter(norm.runningVariance.value, prefix + "runningVariance", of: norm, shape: c)
        let y = builder.node("BatchNormalization", nodeName(prefix, "BatchNormalization"),
                             [x.name, scale, shift, mean, variance], [("epsilon", .float(norm.epsilon))])
        return ONNXValue(name: y, sampleShape: x.sampleShape)
    }

    /// The wrapped layer with `W / σ` (σ from the current `u` and `v`, as an inference forward computes it).
    private mutating func exportSpectrallyNormalized(_ layer: any SpectrallyNormalizedLayer, prefix: String,
                                                     _ x: ONNXValue) throws(ONNXExportError) -> ONNXValue {
        let weight = (name: prefix + "weight/sigma", value: layer.inferenceModeWeight())
        switch layer.wrappedLayer {
        case let dense as Dense: return try exportDense(dense, prefix: prefix, x, weight: weight)
        case let conv as Conv2D: return try exportConv2D(conv, prefix: prefix, x, weight: weight)
        case let conv as ConvTranspose2D: return try exportConvTranspose2D(conv, prefix: prefix, x, weight: weight)
        default: throw .unsupportedLayer(path: Self.path(prefix), type: Self.typeName(layer))
        }
    }

    // MARK: - Helpers

    /// `x`, the weight (the layer's own or a replacement such as `W / σ`) and the bias `[outputs]`,
    /// if any, as a node's inputs.
    private mutating func weightedInputs(_ x: String, of layer: any Layer, weight: (name: String, value: Tensor),
                                         shape: [Int], bias: Parameter?, outputs: Int,
                                         prefix: String) throws(ONNXExportError) -> [String] {
        var inputs = [x, try parameter(weight.value, weight.name, of: layer, shape: shape)]
        if let bias { inputs.append(try parameter(bias.value, prefix + "bias", of: layer, shape: [outputs])) }
        return inputs
    }

    /// Kernel, strides, symmetric pads, dilation 1 and one group: Conv2D's and ConvTranspose2D's rule (PyTorch's).
    private func convolutionAttributes(kernel k: (height: Int, width: Int), stride s: (height: Int, width: Int),
                                       padding p: (height: Int, width: Int)) -> [(name: String, value: ONNXAttribute)] {
        [("kernel_shape", .ints([k.height, k.width])), ("strides", .ints([s.height, s.width])),
         ("pads", .ints([p.height, p.width, p.height, p.width])), ("dilations", .ints([1, 1])), ("group", .int(1))]
    }

    /// One elementwise operator; the shape is kept.
    mutating func elementwise(_ opType: String, _ prefix: String, _ x: ONNXValue,
                              _ attributes: [(name: String, value: ONNXAttribute)] = []) -> ONNXValue {
        ONNXValue(name: builder.node(opType, nodeName(prefix, opType), [x.name], attributes), sampleShape: x.sampleShape)
    }

    /// Flatten at axis 1: `[N, …]` → `[N, elements per sample]`.
    mutating func flatten(_ x: ONNXValue, _ prefix: String) -> ONNXValue {
        ONNXValue(name: builder.node("Flatten", nodeName(prefix, "Flatten"), [x.name], [("axis", .int(1))]),
                  sampleShape: [x.sampleShape.reduce(1, *)])
    }

    /// Adds `value` as the initializer `path` after checking its shape and that it is finite.
    mutating func parameter(_ value: Tensor, _ path: String, of layer: any Layer,
                            shape: [Int]) throws(ONNXExportError) -> String {
        guard Array(value.shape) == shape else {
            throw .invalidParameter(path: path, type: Self.typeName(layer),
                                    problem: "has shape \(value.shape), expected \(TensorShape(shape))")
        }
        guard value.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) else {
            throw .invalidParameter(path: path, type: Self.typeName(layer), problem: "holds a NaN or infinite value")
        }
        return builder.initializer(path, value)
    }

    /// Throws the layer's own shape message when it would reject `x` (checked for a batch of one).
    func checkInput(of layer: any InputShapeValidating, _ prefix: String, _ x: ONNXValue) throws(ONNXExportError) {
        if let problem = layer.inputShapeProblem(for: TensorShape([1] + x.sampleShape)) {
            throw .inputShapeMismatch(path: Self.path(prefix), type: Self.typeName(layer), problem: problem)
        }
    }

    /// `"3/Gemm"` for prefix `"3."`, `"/Gemm"` for the root.
    func nodeName(_ prefix: String, _ what: String) -> String { "\(Self.path(prefix))/\(what)" }

    /// The layer path of a prefix: `"3."` → `"3"`.
    static func path(_ prefix: String) -> String { prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix }

    /// The Swift type of `layer`, e.g. `SpectralNorm<Dense>`.
    static func typeName(_ layer: any Layer) -> String { String(describing: type(of: layer)) }
}

/// A ``SpectralNorm`` seen without its generic parameter, for the exporter.
protocol SpectrallyNormalizedLayer: InputShapeValidating {
    /// The wrapped Dense, Conv2D or ConvTranspose2D.
    var wrappedLayer: any Layer { get }
    /// `W / σ` as an inference-mode forward computes it.
    func inferenceModeWeight() -> Tensor
}

extension SpectralNorm: SpectrallyNormalizedLayer {
    var wrappedLayer: any Layer { layer }
}
