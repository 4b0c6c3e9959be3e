@testable import GANKit

/// A minimal decoder of the `ModelProto` fields that `ONNXModel` writes, for the tests
/// (onnx's checker and ONNX Runtime read the files in CI: `Scripts/check-onnx.py`).
/// Field numbers are onnx.proto's; the protobuf wire format is read by `EventFileReading.fields`.
enum ONNXReading {
    struct Model {
        var irVersion = 0
        var producerName = ""
        var producerVersion: String?
        var opsets: [(domain: String, version: Int)] = []
        var graph = Graph()
    }

    struct Graph {
        var name = ""
        var nodes: [Node] = []
        var initializers: [Initializer] = []
        var inputs: [ValueInfo] = []
        var outputs: [ValueInfo] = []

        /// The initializer called `name`.
        func initializer(_ name: String) -> Initializer? { initializers.first { $0.name == name } }
    }

    struct Node {
        var inputs: [String] = []
        var outputs: [String] = []
        var name = ""
        var opType = ""
        var attributes: [String: Attribute] = [:]
    }

    struct Attribute: Equatable {
        var type = 0
        var float: Float?
        var int: Int?
        var ints: [Int] = []
    }

    struct Initializer {
        var name = ""
        var dims: [Int] = []
        var dataType = 0
        var raw: [UInt8] = []

        /// `raw` as little-endian float32 values.
        var floats: [Float] {
            stride(from: 0, to: raw.count, by: 4).map { start in
                Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[start + $1]) << (8 * $1) })
            }
        }

        /// `raw` as little-endian int64 values.
        var int64s: [Int] {
            stride(from: 0, to: raw.count, by: 8).map { start in
                Int(Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(raw[start + $1]) << (8 * UInt64($1)) }))
            }
        }
    }

    /// A graph input or output: its element type and dimensions (`"N"` for a symbol, else the size).
    struct ValueInfo: Equatable {
        var name = ""
        var elementType = 0
        var dims: [String] = []
    }

    static func model(_ bytes: [UInt8]) -> Model {
        var model = Model()
        for (field, number, body) in EventFileReading.fields(bytes[...]) {
            switch field {
            case 1: model.irVersion = Int(number)
            case 2: model.producerName = text(body)
            case 3: model.producerVersion = text(body)
            case 7: model.graph = graph(body)
            case 8:
                var opset = (domain: "", version: 0)
                for (field, number, body) in EventFileReading.fields(body) {
                    if field == 1 { opset.domain = text(body) }
                    if field == 2 { opset.version = Int(number) }
                }
                model.opsets.append(opset)
            default: break
            }
        }
        return model
    }

    private static func graph(_ bytes: ArraySlice<UInt8>) -> Graph {
        var graph = Graph()
        for (field, _, body) in EventFileReading.fields(bytes) {
            switch field {
            case 1: graph.nodes.append(node(body))
            case 2: graph.name = text(body)
            case 5: graph.initializers.append(initializer(body))
            case 11: graph.inputs.append(valueInfo(body))
            case 12: graph.outputs.append(valueInfo(body))
            default: break
            }
        }
        return graph
    }

    private static func node(_ bytes: ArraySlice<UInt8>) -> Node {
        var node = Node()
        for (field, _, body) in EventFileReading.fields(bytes) {
            switch field {
            case 1: node.inputs.append(text(body))
            case 2: node.outputs.append(text(body))
            case 3: node.name = text(body)
            case 4: node.opType = text(body)
            case 5:
                var name = "", attribute = Attribute()
                for (field, number, body) in EventFileReading.fields(body) {
                    switch field {
                    case 1: name = text(body)
                    case 2: attribute.float = Float(bitPattern: UInt32(number))
                    case 3: attribute.int = Int(Int64(bitPattern: number))
                    case 8: attribute.ints.append(Int(Int64(bitPattern: number)))
                    case 20: attribute.type = Int(number)
                    default: break
                    }
                }
                node.attributes[name] = attribute
            default: break
            }
        }
        return node
    }

    private static func initializer(_ bytes: ArraySlice<UInt8>) -> Initializer {
        var initializer = Initializer()
        for (field, number, body) in EventFileReading.fields(bytes) {
            switch field {
            case 1: initializer.dims.append(Int(Int64(bitPattern: number)))
            case 2: initializer.dataType = Int(number)
            case 8: initializer.name = text(body)
            case 9: initializer.raw = Array(body)
            default: break
            }
        }
        return initializer
    }

    private static func valueInfo(_ bytes: ArraySlice<UInt8>) -> ValueInfo {
        var info = ValueInfo()
        for (field, _, body) in EventFileReading.fields(bytes) {
            if field == 1 { info.name = text(body) }
            guard field == 2, let tensor = EventFileReading.fields(body).first(where: { $0.field == 1 }) else { continue }
            for (field, number, body) in EventFileReading.fields(tensor.bytes) {
                if field == 1 { info.elementType = Int(number) }
                guard field == 2 else { continue }
                for dimension in EventFileReading.fields(body) where dimension.field == 1 {
                    for (field, number, body) in EventFileReading.fields(dimension.bytes) {
                        if field == 1 { info.dims.append(String(Int64(bitPattern: number))) }
                        if field == 2 { info.dims.append(text(body)) }
                    }
                }
            }
        }
        return info
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
