/// A chain of layers applied in order; itself a `Layer`.
///
/// Build it from an array or with a result builder, where `if` and `for` work:
/// ```swift
/// let discriminator = Sequential {
///     Dense(784, 512, using: &rng)
///     LeakyReLU(alpha: 0.2)
///     if useDropout { Dropout(rate: 0.4, seed: 1) }
///     Dense(512, 1, using: &rng)
/// }
/// ```
/// Parameters are named by position: the weight of the first layer is `"0.weight"`.
public final class Sequential: LayerContainer {
    /// The layers, applied first to last.
    public let layers: [any Layer]

    /// Training or inference mode; setting it sets every layer's mode.
    public var isTraining = true {
        didSet { for layer in layers { layer.isTraining = isTraining } }
    }

    /// Creates a chain of `layers` (in training mode).
    public init(_ layers: [any Layer]) {
        self.layers = layers
        for layer in layers { layer.isTraining = true }
    }

    /// Creates a chain from a result-builder block.
    public convenience init(@LayerBuilder _ content: () -> [any Layer]) {
        self.init(content())
    }

    /// The sub-layers (for paths such as `"3.weight"`).
    public var children: [any Layer] { layers }
    /// Every layer's parameters, in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    /// Every layer's buffers, in layer order.
    public var buffers: [Buffer] { layers.flatMap(\.buffers) }

    // MARK: - Forward

    /// Applies each layer in turn.
    public func forward(_ input: Tensor) -> Tensor {
        var x = input
        for layer in layers { x = layer.forward(x) }
        return x
    }

    // MARK: - Backward

    /// Backpropagates through the layers in reverse order.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        var gradient = outputGradient
        for layer in layers.reversed() { gradient = layer.backward(gradient, parameterGradients: parameterGradients) }
        return gradient
    }

    /// Backpropagates through every layer but asks the first for its parameter gradients only.
    public func backwardParametersOnly(_ outputGradient: Tensor) {
        guard let first = layers.first else { return }
        var gradient = outputGradient
        for layer in layers.dropFirst().reversed() { gradient = layer.backward(gradient, parameterGradients: .accumulate) }
        first.backwardParametersOnly(gradient)
    }

    /// One line per layer, numbered, plus the total parameter count.
    public var description: String {
        var lines = ["Sequential("]
        for (index, layer) in layers.enumerated() {
            let text = layer.description.replacingOccurrences(of: "\n", with: "\n    ")
            lines.append("  (\(index)) \(text)")
        }
        lines.append(")  // \(formattedCount(parameterCount)) parameters")
        return lines.joined(separator: "\n")
    }
}

/// Builds `[any Layer]` from a block of layer expressions, with `if`, `if/else` and `for`.
@resultBuilder
public enum LayerBuilder {
    /// A single layer.
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    /// An array of layers, spliced in.
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    /// Concatenates the statements of a block.
    public static func buildBlock(_ components: [any Layer]...) -> [any Layer] { components.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ component: [any Layer]?) -> [any Layer] { component ?? [] }
    /// The first branch of an `if/else`.
    public static func buildEither(first component: [any Layer]) -> [any Layer] { component }
    /// The second branch of an `if/else`.
    public static func buildEither(second component: [any Layer]) -> [any Layer] { component }
    /// A `for` loop.
    public static func buildArray(_ components: [[any Layer]]) -> [any Layer] { components.flatMap { $0 } }
}
