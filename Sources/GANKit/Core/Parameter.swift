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
    public var gradient: Tensor {
        get {
            fillPendingZero()
            return storedGradient
        }
        _modify {
            fillPendingZero()
            yield &storedGradient
        }
        set {
            storedGradient = newValue
            gradientIsPendingZero = false
        }
    }

    /// The gradient's storage; reads go through `gradient`, which applies a pending zero first.
    private var storedGradient: Tensor
    /// Set by `zeroGradient()`: the gradient counts as zero, but the fill is deferred.
    /// The next backward that knows about it (Dense, Conv2D, ConvTranspose2D) overwrites
    /// the gradient instead of adding to it (a product with beta 0), which saves a pass
    /// over every weight: 4 % of an MLP-GAN step went to those fills. Any other access
    /// to `gradient` fills the zeros first, so nobody can observe the difference.
    private var gradientIsPendingZero = false

    /// Creates a parameter with a zero gradient of the same shape as `value`.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.storedGradient = Tensor(zeros: value.shape)
    }

    /// The shape of `value` (and `gradient`).
    public var shape: TensorShape { value.shape }

    /// Sets the gradient to zero (no allocation; the fill is deferred, see above).
    public func zeroGradient() {
        gradientIsPendingZero = true
    }

    private func fillPendingZero() {
        guard gradientIsPendingZero else { return }
        gradientIsPendingZero = false
        storedGradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Calls `body` with the gradient's elements and whether they must be *overwritten*
    /// (the gradient was zeroed and not filled yet) rather than added to. Either way the
    /// gradient counts as written afterwards. For layers' backward passes.
    func withGradientForAccumulation<R>(_ body: (UnsafeMutableBufferPointer<Float>, _ overwrite: Bool) -> R) -> R {
        let overwrite = gradientIsPendingZero
        gradientIsPendingZero = false
        return storedGradient.withUnsafeMutableBufferPointer { body($0, overwrite) }
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
