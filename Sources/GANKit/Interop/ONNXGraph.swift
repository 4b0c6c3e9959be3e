#if !_endian(little)
#error("ONNX raw_data is little-endian; the encoder copies tensors' memory as it is")
#endif

// The subset of ONNX's protobuf schema (onnx/onnx.proto) that the exporter writes, as
// plain values, and its encoding. Field numbers are onnx.proto's; the comments name
// the message and field each literal stands for.

/// An ONNX element type (`TensorProto.DataType`).
enum ONNXElementType: Int, Sendable {
    /// `FLOAT`: 32-bit IEEE float.
    case float = 1
    /// `INT64`.
    case int64 = 7
}

/// One attribute of a node (`AttributeProto`).
enum ONNXAttribute: Sendable, Equatable {
    case int(Int)
    case float(Float)
    case ints([Int])

    /// `AttributeProto.AttributeType`.
    var typeCode: Int {
        switch self {
        case .float: 1
        case .int: 2
        case .ints: 7
        }
    }
}

/// A node (`NodeProto`): one operator applied to named values.
struct ONNXNode: Sendable {
    var opType: String
    var name: String
    var inputs: [String]
    var outputs: [String]
    /// In the order written; ONNX does not care, the bytes do.
    var attributes: [(name: String, value: ONNXAttribute)] = []
}

/// A constant tensor of the graph (`TensorProto` with `raw_data`).
struct ONNXInitializer: Sendable {
    enum Values: Sendable {
        case float(Tensor)
        case int64([Int])
    }

    var name: String
    var dims: [Int]
    var values: Values
}

/// A dimension of a graph input or output: a fixed size or a symbol such as `"N"`.
enum ONNXDimension: Sendable, Equatable {
    case fixed(Int)
    case symbolic(String)
}

/// A graph input or output (`ValueInfoProto` of a tensor type).
struct ONNXValueInfo: Sendable {
    var name: String
    var elementType: ONNXElementType
    var shape: [ONNXDimension]
}

/// A graph (`GraphProto`): nodes in topological order, initializers, inputs and outputs.
struct ONNXGraph: Sendable {
    var name: String
    var nodes: [ONNXNode]
    var initializers: [ONNXInitializer]
    var inputs: [ONNXValueInfo]
    var outputs: [ONNXValueInfo]

    /// A `ModelProto` holding this graph for the default-domain operator set `opset`.
    func encodedModel(irVersion: Int, opset: Int, producerVersion: String?) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.integer(1, irVersion)                       // ModelProto.ir_version
        writer.string(2, "GANKit")                          // producer_name
        if let producerVersion { writer.string(3, producerVersion) }  // producer_version
        writer.message(7) { encode(into: &$0) }            // graph
        writer.message(8) { opsetID in                     // opset_import
            opsetID.string(1, "")                          // OperatorSetIdProto.domain: the default one
            opsetID.integer(2, opset)                      // version
        }
        return writer.bytes
    }

    private func encode(into graph: inout ProtobufWriter) {
        for node in nodes { graph.message(1) { Self.encode(node, into: &$0) } }  // GraphProto.node
        graph.string(2, name)                                                     // name
        for initializer in initializers {                                         // initializer
            graph.message(5) { Self.encode(initializer, into: &$0) }
        }
        for input in inputs { graph.message(11) { Self.encode(input, into: &$0) } }     // input
        for output in outputs { graph.message(12) { Self.encode(output, into: &$0) } }  // output
    }

    private static func encode(_ node: ONNXNode, into writer: inout ProtobufWriter) {
        for input in node.inputs { writer.string(1, input) }     // NodeProto.input
        for output in node.outputs { writer.string(2, output) }  // output
        writer.string(3, node.name)                              // name
        writer.string(4, node.opType)                            // op_type
        for (name, value) in node.attributes {                   // attribute
            writer.message(5) { attribute in
                attribute.string(1, name)                        // AttributeProto.name
                switch value {
                case .float(let f): attribute.float(2, f)        // f
                case .int(let i): attribute.integer(3, i)        // i
                case .ints(let ints): attribute.integers(8, ints)  // ints
                }
                attribute.integer(20, value.typeCode)            // type
            }
        }
    }

    private static func encode(_ initializer: ONNXInitializer, into writer: inout ProtobufWriter) {
        writer.integers(1, initializer.dims)                     // TensorProto.dims
        switch initializer.values {
        case .float(let tensor):
            writer.integer(2, ONNXElementType.float.rawValue)    // data_type
            writer.string(8, initializer.name)                   // name
            tensor.withUnsafeBufferPointer { writer.bytes(9, UnsafeRawBufferPointer($0)) }  // raw_data
        case .int64(let values):
            writer.integer(2, ONNXElementType.int64.rawValue)
            writer.string(8, initializer.name)
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 8)
            for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
            writer.bytes(9, raw)
        }
    }

    private static func encode(_ value: ONNXValueInfo, into writer: inout ProtobufWriter) {
        writer.string(1, value.name)                             // ValueInfoProto.name
        writer.message(2) { type in                              // type
            type.message(1) { tensor in                          // TypeProto.tensor_type
                tensor.integer(1, value.elementType.rawValue)    // TypeProto.Tensor.elem_type
                tensor.message(2) { shape in                     // shape
                    for dimension in value.shape {
                        shape.message(1) { dim in                // TensorShapeProto.dim
                            switch dimension {
                            case .fixed(let size): dim.integer(1, size)     // Dimension.dim_value
                            case .symbolic(let name): dim.string(2, name)   // dim_param
                            }
                        }
                    }
                }
            }
        }
    }
}
