/// Whether `backward` accumulates parameter gradients or only computes the input gradient.
public enum ParameterGradients: Sendable {
    /// Add dLoss/dParameter into each `Parameter.gradient` (the usual case).
    case accumulate
    /// Leave parameter gradients untouched; only return dLoss/dInput. The GAN
    /// generator step backpropagates through the discriminator this way.
    case skip
}

/// A differentiable building block of a network: forward, backward and its parameters.
///
/// The contract (see `Docs/Architecture.md`):
/// 1. `forward` caches what `backward` needs. `isTraining` changes the math
///    only where a layer defines it (BatchNorm statistics, Dropout masks).
/// 2. `backward` receives dLoss/dOutput shaped like the last output, *adds*
///    into `parameter.gradient` (unless `.skip`), returns dLoss/dInput shaped
///    like the last input, and never changes parameter values. One backward
///    per forward, before the next forward.
/// 3. Parameters exist from `init` and `parameters` returns the same objects
///    in the same order on every call; running statistics are `buffers`.
/// 4. Shape errors stop the program with a message naming the layer and both
///    shapes, in release builds too (see ``checkInputShape(_:_:expected:got:)``).
///
/// Tensors returned by `forward`/`backward` are values: a layer may reuse its
/// output storage on the next call only when nobody else still holds it (see
/// ``TensorBuffer``), so keeping an old output is always safe.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// Training mode (batch statistics, dropout active) or inference mode.
    var isTraining: Bool { get set }
    /// The trainable parameters, the same objects in the same order on every call.
    var parameters: [Parameter] { get }
    /// Saved, non-trainable state (running statistics); empty for most layers.
    var buffers: [Buffer] { get }
    /// Computes the output for `input` and caches what `backward` needs.
    func forward(_ input: Tensor) -> Tensor
    /// Given dLoss/dOutput for the last `forward`, returns dLoss/dInput and
    /// (with `.accumulate`) adds dLoss/dParameter into the parameters' gradients.
    func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor
    /// Backpropagates to *accumulate parameter gradients only*, for a caller
    /// that would discard dLoss/dInput (the first layer of a network trained
    /// on data). A layer may then skip its input-gradient product: for the MLP
    /// GAN's discriminator that is 13 % of a training step's arithmetic.
    /// The default implementation calls `backward(_:parameterGradients: .accumulate)`.
    func backwardParametersOnly(_ outputGradient: Tensor)
}

extension Layer {
    /// Calls `backward(_:parameterGradients: .accumulate)` and drops the input gradient.
    public func backwardParametersOnly(_ outputGradient: Tensor) {
        _ = backward(outputGradient, parameterGradients: .accumulate)
    }

    /// Backpropagates and accumulates parameter gradients.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, parameterGradients: .accumulate)
    }

    /// Applies the layer (same as `forward`).
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// The total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Parameters keyed by their path (e.g. `"0.weight"` inside a `Sequential`).
    public var namedParameters: [(path: String, parameter: Parameter)] {
        namedLeafLayers().flatMap { leaf in leaf.layer.parameters.map { (leaf.path + $0.name, $0) } }
    }

    /// Buffers keyed by their path (e.g. `"1.runningMean"`).
    public var namedBuffers: [(path: String, buffer: Buffer)] {
        namedLeafLayers().flatMap { leaf in leaf.layer.buffers.map { (leaf.path + $0.name, $0) } }
    }

    /// Every non-container layer in the tree with its path prefix (`"3."`, `"1.0."`, or `""` for the root).
    func namedLeafLayers(path: String = "") -> [(path: String, layer: any Layer)] {
        guard let container = self as? any LayerContainer else { return [(path, self)] }
        return container.children.enumerated().flatMap { index, child in
            child.namedLeafLayers(path: "\(path)\(index).")
        }
    }
}

/// A layer made of other layers (such as `Sequential`); lets paths like `"3.weight"` be built.
public protocol LayerContainer: Layer {
    /// The sub-layers, in order.
    var children: [any Layer] { get }
}

/// A layer with no parameters and no buffers (activations, Reshape, Flatten, Dropout).
///
/// The empty defaults live here rather than on `Layer`, so a layer with
/// weights that forgets to list them fails to compile instead of silently
/// training nothing.
public protocol ParameterlessLayer: Layer {}

extension ParameterlessLayer {
    /// No trainable parameters.
    public var parameters: [Parameter] { [] }
    /// No buffers.
    public var buffers: [Buffer] { [] }
}

/// Stops with a message naming `layer`, the expected shape and the actual one
/// when `condition` is false, e.g. `Dense(784 → 256): expected input [N, 784], got [64, 100]`.
/// The message is printed in release (`-O`) builds too, unlike a `precondition`'s.
///
/// Layers call this at their boundary.
@inlinable
public func checkInputShape(_ condition: Bool, _ layer: @autoclosure () -> String,
                            expected: @autoclosure () -> String, got shape: TensorShape) {
    if !condition {
        requirementFailed(inputShapeError(layer: layer(), expected: expected(), got: shape))
    }
}

/// A layer that can say, without running, whether it accepts an input shape.
///
/// `forward` stops with exactly ``inputShapeProblem(for:)``'s message, so tests
/// (and tools that check a model before a long run) can read the message
/// without crashing: `Dense(784 → 256): expected input [N, 784], got [64, 100]`.
public protocol InputShapeValidating: Layer {
    /// The message `forward` would stop with for an input of `shape`, or nil when `shape` is accepted.
    func inputShapeProblem(for shape: TensorShape) -> String?
}

extension InputShapeValidating {
    /// Stops with ``inputShapeProblem(for:)``'s message when `shape` is not accepted.
    public func requireValidInput(_ shape: TensorShape) {
        if let problem = inputShapeProblem(for: shape) { requirementFailed(problem) }
    }
}

/// The message of a failed input-shape check (internal: the layers and their tests
/// share the wording; `@usableFromInline` for ``checkInputShape(_:_:expected:got:)``).
@usableFromInline
func inputShapeError(layer: String, expected: String, got shape: TensorShape) -> String {
    "\(layer): expected input \(expected), got \(shape)"
}

/// Formats a parameter count with thousands separators, e.g. `1,088`.
func formattedCount(_ value: Int) -> String {
    let digits = String(value)
    var result = ""
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return result
}
