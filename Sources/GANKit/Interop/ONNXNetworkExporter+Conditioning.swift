// The layers whose ONNX form is more than one operator: the class-conditioning layers,
// which read the int64 label input, and MinibatchStdDev, which mixes the samples of a batch.

extension ONNXNetworkExporter {
    /// Cast the float indices to int64, flatten them to `[N]`, Gather the rows: `[N]` or `[N, 1]` → `[N, d]`.
    mutating func exportEmbedding(_ embedding: Embedding, prefix: String, _ x: ONNXValue) throws(ONNXExportError) -> ONNXValue {
        let table = try parameter(embedding.weight.value, prefix + "weight", of: embedding,
                                  shape: [embedding.count, embedding.dimension])
        let indices = builder.node("Cast", nodeName(prefix, "Cast"), [x.name], [("to", .int(ONNXElementType.int64.rawValue))])
        let flat = builder.node("Reshape", nodeName(prefix, "Reshape"),
                                [indices, builder.int64Constant(nodeName(prefix, "shape"), [-1])])
        let rows = builder.node("Gather", nodeName(prefix, "Gather"), [table, flat], [("axis", .int(0))])
        return ONNXValue(name: rows, sampleShape: [embedding.dimension])
    }

    /// Gather `e(labels)` `[N, d]`, then Concat it after the features (`[N, F]` → `[N, F + d]`), or
    /// broadcast it to `d` constant planes and Concat them after the channels (`[N, C, H, W]` → `[N, C + d, H, W]`).
    mutating func exportConcatenation(_ layer: ConcatenateClassEmbedding, prefix: String,
                         _ x: ONNXValue) throws(ONNXExportError) -> ONNXValue {
        let d = layer.embedding.dimension
        guard x.sampleShape.count == 1 || x.sampleShape.count == 3 else {
            throw .inputShapeMismatch(
                path: Self.path(prefix), type: Self.typeName(layer),
                problem: inputShapeError(layer: "ConcatenateClassEmbedding(\(layer.classCount) classes × \(d))",
                                         expected: "[N, F] or [N, C, H, W]", got: TensorShape([1] + x.sampleShape)))
        }
        var vectors = try classVectors(layer.embedding, prefix + "weight", of: layer, prefix)
        var shape = x.sampleShape
        shape[0] += d
        if x.sampleShape.count == 3 {
            let (height, width) = (x.sampleShape[1], x.sampleShape[2])
            let column = builder.node("Reshape", nodeName(prefix, "Reshape"),
                                      [vectors, builder.int64Constant(nodeName(prefix, "shape"), [0, d, 1, 1])])
            // Expand broadcasts [N, d, 1, 1] against [1, 1, H, W]: the planes.
            vectors = builder.node("Expand", nodeName(prefix, "Expand"),
                                   [column, builder.int64Constant(nodeName(prefix, "planes"), [1, 1, height, width])])
        }
        let y = builder.node("Concat", nodeName(prefix, "Concat"), [x.name, vectors], [("axis", .int(1))])
        return ONNXValue(name: y, sampleShape: shape)
    }

    /// `wᵀφ + b + e(y)ᵀφ`: Gemm for the linear part (`<path>.0`), Gather of the class vectors
    /// (`<path>.1`), then Mul, ReduceSum over the features and Add; `[N, F]` → `[N, 1]`.
    mutating func exportProjection(_ layer: ClassProjectionOutput, prefix: String,
                         _ x: ONNXValue) throws(ONNXExportError) -> ONNXValue {
        let features = x.sampleShape.count == 1 ? x : flatten(x, prefix)
        let score = try exportDense(layer.linear, prefix: prefix + "0.", features)
        let vectors = try classVectors(layer.classVectors, prefix + "1.weight", of: layer, prefix)
        let products = builder.node("Mul", nodeName(prefix, "Mul"), [features.name, vectors])
        let dot = builder.node("ReduceSum", nodeName(prefix, "ReduceSum"),
                               [products, builder.int64Constant(nodeName(prefix, "axes"), [1])], [("keepdims", .int(1))])
        return ONNXValue(name: builder.node("Add", nodeName(prefix, "Add"), [score.name, dot]), sampleShape: [1])
    }

    /// The rows of `embedding`'s table for the label input: `[N, dimension]`.
    private mutating func classVectors(_ embedding: Embedding, _ path: String, of layer: any Layer,
                                       _ prefix: String) throws(ONNXExportError) -> String {
        guard let labels else {  // unreachable: ONNXModel adds the label input for every conditioned network
            throw .unsupportedLayer(path: Self.path(prefix), type: Self.typeName(layer))
        }
        let table = try parameter(embedding.weight.value, path, of: layer, shape: [embedding.count, embedding.dimension])
        return builder.node("Gather", nodeName(prefix, "Gather"), [table, labels], [("axis", .int(0))])
    }

    /// ProGAN's statistic with the batch symbolic. With `G = min(groupSize, N)` from the input's
    /// shape, the samples are viewed as `[G, N/G, F]` (sample `n` in group `n mod N/G`, as the
    /// layer groups them); the standard deviation over axis 0, `√(Var + ε)`, averaged over the
    /// features, is one value per group, expanded to one channel and concatenated after the input.
    mutating func exportMinibatchStdDev(_ layer: MinibatchStdDev, prefix: String, _ x: ONNXValue) -> ONNXValue {
        let features = x.sampleShape.reduce(1, *), positions = features / x.sampleShape[0]
        func name(_ what: String) -> String { nodeName(prefix, what) }
        let batch = builder.node("Shape", name("batch"), [x.name], [("start", .int(0)), ("end", .int(1))])
        let group = builder.node("Min", name("group"), [batch, builder.int64Constant(name("groupSize"), [layer.groupSize])])
        let groupedShape = builder.node("Concat", name("groupedShape"),
                                        [group, builder.int64Constant(name("groupedTail"), [-1, features])],
                                        [("axis", .int(0))])
        let grouped = builder.node("Reshape", name("grouped"), [x.name, groupedShape])  // [G, M, F]
        let meanOverGroup: [(name: String, value: ONNXAttribute)] = [("axes", .ints([0])), ("keepdims", .int(1))]
        let mean = builder.node("ReduceMean", name("mean"), [grouped], meanOverGroup)
        let centred = builder.node("Sub", name("centred"), [grouped, mean])
        let squares = builder.node("Mul", name("squares"), [centred, centred])
        let variance = builder.node("ReduceMean", name("variance"), [squares], meanOverGroup)
        let shifted = builder.node("Add", name("varianceEpsilon"),
                                   [variance, builder.floatScalar(name("epsilon"), layer.epsilon)])
        let deviation = builder.node("Sqrt", name("deviation"), [shifted])  // [1, M, F]
        let statistic = builder.node("ReduceMean", name("statistic"), [deviation],
                                     [("axes", .ints([2])), ("keepdims", .int(1))])  // [1, M, 1]
        let planeShape = builder.node("Concat", name("planeShape"),
                                      [group, builder.int64Constant(name("planeTail"), [1, positions])], [("axis", .int(0))])
        let planes = builder.node("Expand", name("planes"), [statistic, planeShape])  // [G, M, positions]
        let channel = builder.node("Reshape", name("channel"),
                                   [planes, builder.int64Constant(name("channelShape"),
                                                                  [-1, 1] + x.sampleShape.dropFirst())])
        var shape = x.sampleShape
        shape[0] += 1
        return ONNXValue(name: builder.node("Concat", name("Concat"), [x.name, channel], [("axis", .int(1))]),
                         sampleShape: shape)
    }
}
