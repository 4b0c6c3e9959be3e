/// A value flowing through the graph being built: its name and the shape of one sample
/// (the batch axis, symbolic in the model, left out).
struct ONNXValue {
    var name: String
    var sampleShape: [Int]
}

/// Collects nodes and initializers with unique names while the exporter walks a network.
///
/// Naming: initializers holding a layer's parameters or buffers take its path
/// (`"3.weight"`, `"1.runningMean"`), so they map onto `namedParameters` and
/// `namedBuffers`; everything the exporter makes up (node outputs, shape constants)
/// is `"<layer path>/<what>"`, and a `/` never occurs in a parameter path.
struct ONNXGraphBuilder {
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXInitializer] = []
    private var usedNames: Set<String>

    /// A builder whose graph inputs and output are `reservedNames` (no made-up name takes them).
    init(reservedNames: [String]) { usedNames = Set(reservedNames) }

    /// `base`, or `base_2`, `base_3`, … when taken, now marked as used.
    mutating func uniqueName(_ base: String) -> String {
        var name = base, counter = 1
        while usedNames.contains(name) {
            counter += 1
            name = "\(base)_\(counter)"
        }
        usedNames.insert(name)
        return name
    }

    /// Adds a float initializer of shape `dims` (default: the tensor's) and returns its name.
    mutating func initializer(_ name: String, _ tensor: Tensor, dims: [Int]? = nil) -> String {
        let unique = uniqueName(name)
        initializers.append(ONNXInitializer(name: unique, dims: dims ?? Array(tensor.shape), values: .float(tensor)))
        return unique
    }

    /// Adds an int64 initializer (a shape or axes operand): a vector, or a scalar when `scalar` is set.
    mutating func int64Constant(_ name: String, _ values: [Int], scalar: Bool = false) -> String {
        let unique = uniqueName(name)
        initializers.append(ONNXInitializer(name: unique, dims: scalar ? [] : [values.count], values: .int64(values)))
        return unique
    }

    /// Adds a float scalar initializer.
    mutating func floatScalar(_ name: String, _ value: Float) -> String {
        initializer(name, Tensor([value]), dims: [])
    }

    /// Adds a node with one output, named `name` made unique, and returns the output's name.
    mutating func node(_ opType: String, _ name: String, _ inputs: [String],
                       _ attributes: [(name: String, value: ONNXAttribute)] = []) -> String {
        let output = uniqueName(name)
        nodes.append(ONNXNode(opType: opType, name: output, inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// Makes `value` the graph output `outputName`: renames the output of the node that produced
    /// it when nothing reads it, else (a graph input, or a value read elsewhere) adds an Identity.
    mutating func finish(_ value: String, as outputName: String) {
        let producer = nodes.lastIndex { $0.outputs.contains(value) }
        let isRead = nodes.contains { $0.inputs.contains(value) }
        if let producer, !isRead {
            nodes[producer].outputs = nodes[producer].outputs.map { $0 == value ? outputName : $0 }
        } else {
            nodes.append(ONNXNode(opType: "Identity", name: uniqueName("output/Identity"), inputs: [value],
                                  outputs: [outputName]))
        }
    }
}
