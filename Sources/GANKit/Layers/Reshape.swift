/// Reshapes each item, keeping the batch axis: `[N, …]` → `[N] + itemShape`.
///
/// Shares storage (no copy). The DCGAN generator uses `Reshape([128, 7, 7])`
/// after its first Dense layer.
public final class Reshape: ParameterlessLayer, InputShapeValidating {
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
        require(itemShape.rank < TensorShape.maximumRank,
                "Reshape: expected an item shape of at most \(TensorShape.maximumRank - 1) axes, got \(itemShape)")
        self.itemShape = itemShape
        outputShapeTemplate = TensorShape([1] + Array(itemShape))
    }

    /// Why `forward` would reject `shape` (items whose element count differs from `itemShape`'s).
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank >= 1 && shape.elementsPerItem == itemShape.elementCount else {
            return inputShapeError(layer: description, expected: "[N, …] with \(itemShape.elementCount) elements per item",
                                   got: shape)
        }
        return nil
    }

    /// `[N, …]` with `itemShape.elementCount` elements per item → `[N] + itemShape`.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        inputShape = input.shape
        var shape = outputShapeTemplate
        shape[0] = input.shape[0]
        return input.reshaped(to: shape)
    }

    /// Reshapes the gradient back to the input's shape.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        require(outputGradient.count == inputShape.elementCount,
                "\(description).backward: gradient \(outputGradient.shape) does not match input \(inputShape)")
        return outputGradient.reshaped(to: inputShape)
    }

    /// `Reshape([128, 7, 7])`.
    public var description: String { "Reshape(\(itemShape))" }
}

/// Flattens each item: `[N, d1, d2, …]` → `[N, d1·d2·…]` (shares storage).
public final class Flatten: ParameterlessLayer, InputShapeValidating {
    /// No mode-dependent behaviour.
    public var isTraining = true
    private var inputShape: TensorShape = [0]

    /// Creates a flatten layer.
    public init() {}

    /// Why `forward` would reject `shape` (a scalar, without a batch axis).
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        shape.rank >= 1 ? nil : inputShapeError(layer: description, expected: "[N, …]", got: shape)
    }

    /// `[N, …]` → `[N, elements per item]`.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        inputShape = input.shape
        return input.reshaped(to: [input.shape[0], input.shape.elementsPerItem])
    }

    /// Reshapes the gradient back to the input's shape.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        require(outputGradient.count == inputShape.elementCount,
                "\(description).backward: gradient \(outputGradient.shape) does not match input \(inputShape)")
        return outputGradient.reshaped(to: inputShape)
    }

    /// `Flatten()`.
    public var description: String { "Flatten()" }
}
