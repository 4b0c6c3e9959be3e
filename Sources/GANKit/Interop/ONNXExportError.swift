/// Why a network could not be exported to ONNX (see ``ONNXModel``).
///
/// Layer paths are those of ``Layer/namedParameters`` without the final dot:
/// `"3"` is the fourth layer of a `Sequential`, `"1.0"` the first layer of a
/// `Sequential` nested at index 1, and `""` the network itself.
public enum ONNXExportError: Error, CustomStringConvertible, Equatable {
    /// The layer at `path`, of Swift type `type`, has no ONNX form (e.g. a custom layer,
    /// or a container other than `Sequential`).
    case unsupportedLayer(path: String, type: String)
    /// The layer at `path` does not accept the shape that reaches it from the
    /// export's `inputShape`; `problem` is the layer's own message.
    case inputShapeMismatch(path: String, type: String, problem: String)
    /// A parameter or buffer (`path` as in `namedParameters`/`namedBuffers`) of a layer of
    /// type `type` has the wrong shape or holds a value that cannot be exported (NaN, ∞).
    case invalidParameter(path: String, type: String, problem: String)
    /// An argument of ``ONNXModel/init(network:inputShape:classCount:inputName:labelsName:outputName:producerVersion:)``
    /// does not fit the network (input shape, class count or names); says which and why.
    case invalidArgument(String)

    /// One line: `ONNX export: layer 3 (MyLayer) has no ONNX form; …`.
    public var description: String {
        switch self {
        case .unsupportedLayer(let path, let type):
            return "ONNX export: \(Self.layer(path, type)) has no ONNX form; supported are Sequential, Dense, "
                + "Conv2D, ConvTranspose2D, BatchNorm, ReLU, LeakyReLU, Tanh, Sigmoid, Reshape, Flatten, "
                + "Dropout, SpectralNorm, Embedding, ConcatenateClassEmbedding, ClassProjectionOutput "
                + "and MinibatchStdDev"
        case .inputShapeMismatch(let path, let type, let problem):
            return "ONNX export: \(Self.layer(path, type)) rejects its input: \(problem)"
        case .invalidParameter(let path, let type, let problem):
            return "ONNX export: \(path) of \(type) \(problem)"
        case .invalidArgument(let problem):
            return "ONNX export: \(problem)"
        }
    }

    /// `layer 3 (Dense)`, or `the network (Dense)` for the root.
    private static func layer(_ path: String, _ type: String) -> String {
        path.isEmpty ? "the network (\(type))" : "layer \(path) (\(type))"
    }
}
