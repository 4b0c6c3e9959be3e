/// Reshapes each item, keeping the batch axis: `[N, …]` → `[N] + itemShape`.
///
/// Shares storage (no copy). The DCGAN generator uses `Reshape([128, 7, 7])`
/// after its first Dense layer.
public final class Reshape: ParameterlessLayer {
    /// The shape of one item after reshaping (without the batch axis).
    public let itemShape: TensorShape
    /// No mode-dependent behaviour.
    public var isTraining = true
    private var inputShape: TensorShape = [0]
    /// `[1] + itemShape`, built once: forward only sets the batch axis (building the
    /// shape from arrays every call cost two heap allocations per training step).
    private let outputShapeTemplate: TensorShape

    /// Creates a reshape to `[N] + itemShape`.
    public init(_ itemShape: TensorShape) {
        precondition(itemShape.rank < TensorShape.maximumRank, "Reshape: item shape \(itemShape) has too many axes")
        self.itemShape = itemShape
        outputShapeTemplate = TensorShape([1] + Array(itemShape))
    }

    /// `[N, …]` with `itemShape.elementCount` elements per item → `[N] + itemShape`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInputShape(input.rank >= 1 && input.shape.elementsPerItem == itemShape.elementCount, description,
                        expected: "[N, …] with \(itemShape.elementCount) elements per item", got: input.shape)
        inputShape = input.shape
        var shape = outputShapeTemplate
        shape[0] = input.shape[0]
        return input.reshaped(to: shape)
    }

    /// Reshapes the gradient back to the input's shape.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        precondition(outputGradient.count == inputShape.elementCount,
                     "\(description).backward: gradient \(outputGradient.shape) does not match input \(inputShape)")
        return outputGradient.reshaped(to: inputShape)
    }

    /// `Reshape([128, 7, 7])`.
    public var description: String { "Reshape(\(itemShape))" }
}

/// Flattens each item: `[N, d1, d2, …]` → `[N, d1·d2·…]` (shares storage).
public final class Flatten: ParameterlessLayer {
    /// No mode-dependent behaviour.
    public var isTraining = true
    private var inputShape: TensorShape = [0]

    /// Creates a flatten layer.
    public init() {}

    /// `[N, …]` → `[N, elements per item]`.
    public func forward(_ input: Tensor) -> Tensor {
        checkInputShape(input.rank >= 1, description, expected: "[N, …]", got: input.shape)
        inputShape = input.shape
        return input.reshaped(to: [input.shape[0], input.shape.elementsPerItem])
    }

    /// Reshapes the gradient back to the input's shape.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        precondition(outputGradient.count == inputShape.elementCount,
                     "\(description).backward: gradient \(outputGradient.shape) does not match input \(inputShape)")
        return outputGradient.reshaped(to: inputShape)
    }

    /// `Flatten()`.
    public var description: String { "Flatten()" }
}
