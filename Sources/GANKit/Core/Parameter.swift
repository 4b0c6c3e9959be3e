/// A trainable tensor and the gradient of the loss with respect to it.
///
/// Layers create their parameters in `init` and hand the same objects out
/// through `parameters` on every call, so an optimizer can capture them once.
/// `backward` *adds* into `gradient`; optimizers read it and write `value`.
public final class Parameter {
    /// The local name inside its layer, e.g. `"weight"`; containers build paths like `"3.weight"`.
    public let name: String
    /// The current value.
    public var value: Tensor
    /// dLoss/dValue, accumulated by `backward`; same shape as `value`.
    public var gradient: Tensor

    /// Creates a parameter with a zero gradient of the same shape as `value`.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
    }

    /// The shape of `value` (and `gradient`).
    public var shape: TensorShape { value.shape }

    /// Sets the gradient to zero in place (no allocation).
    public func zeroGradient() {
        gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

/// Non-trainable layer state that is saved with the model, such as BatchNorm's running statistics.
///
/// Optimizers never see buffers; checkpoints save and restore them.
public final class Buffer {
    /// The local name inside its layer, e.g. `"runningMean"`.
    public let name: String
    /// The current value.
    public var value: Tensor

    /// Creates a buffer holding `value`.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
    }
}
