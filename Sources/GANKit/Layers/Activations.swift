import CGANKitKernels
import Foundation

/// Elementwise activation layers: `ReLU`, `LeakyReLU`, `Tanh`, `Sigmoid`.
///
/// Input and output have the same (any) shape. Each caches the tensor its
/// derivative is cheapest to compute from: the input for the ReLU family, the
/// output for tanh and sigmoid (tanh' = 1 − y², σ' = y(1 − y)).

/// Shared forward/backward plumbing for elementwise activations.
public class ElementwiseActivation: ParameterlessLayer {
    /// Activations behave the same in training and inference.
    public var isTraining = true
    /// The tensor `backward` differentiates from (input or output, per subclass).
    fileprivate var cached = Tensor(zeros: [0])
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()

    fileprivate init() {}

    /// Whether `derivative` reads the input (true) or the output (false).
    fileprivate var cachesInput: Bool { true }
    /// y = f(x) over `count` elements.
    fileprivate func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {}
    /// dx = f'(·)·dy, where `cached` is x or y per `cachesInput`.
    fileprivate func derivative(_ cached: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                _ dx: UnsafeMutablePointer<Float>, _ count: Int) {}

    /// Applies the activation elementwise; the output has the input's shape.
    public func forward(_ input: Tensor) -> Tensor {
        let output = outputBuffer.fill(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                parallelFor(x.count, minimumChunk: ElementwiseKernel.minimumChunk,
                            ElementwiseKernel(layer: self, x: SendablePointer(x.baseAddress!), dy: nil,
                                              result: SendablePointer(y.baseAddress!)))
            }
        }
        cached = cachesInput ? input : output
        return output
    }

    /// Multiplies `outputGradient` by the activation's derivative.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        require(outputGradient.shape == cached.shape,
                "\(description).backward: expected output gradient \(cached.shape), got \(outputGradient.shape)")
        return inputGradientBuffer.fill(shape: cached.shape) { dx in
            cached.withUnsafeBufferPointer { c in
                outputGradient.withUnsafeBufferPointer { dy in
                    parallelFor(dx.count, minimumChunk: ElementwiseKernel.minimumChunk,
                                ElementwiseKernel(layer: self, x: SendablePointer(c.baseAddress!),
                                                  dy: SendablePointer(dy.baseAddress!),
                                                  result: SendablePointer(dx.baseAddress!)))
                }
            }
        }
    }

    /// The constructor-like name.
    public var description: String { "Activation" }
}

/// One range of an activation's forward (`dy == nil`: result = f(x)) or backward
/// (result = f′·dy, `x` the cached input or output), for `parallelFor`: elementwise,
/// so the bits do not depend on the split. `@unchecked Sendable`: the layer's
/// `apply`/`derivative` read only its immutable settings (e.g. `alpha`).
private struct ElementwiseKernel: ParallelKernel, @unchecked Sendable {
    /// Elements per thread below which a second thread costs more than it saves
    /// (64 KiB of each operand).
    static let minimumChunk = 1 << 14

    unowned(unsafe) let layer: ElementwiseActivation
    let x: SendablePointer<Float>
    let dy: SendablePointer<Float>?
    let result: SendablePointer<Float>

    func run(_ range: Range<Int>) {
        let start = range.lowerBound
        if let dy {
            layer.derivative(x.pointer + start, dy.pointer + start, result.pointer + start, range.count)
        } else {
            layer.apply(x.pointer + start, result.pointer + start, range.count)
        }
    }
}

/// max(0, x).
public final class ReLU: ElementwiseActivation {
    /// Creates a ReLU.
    public override init() {}
    fileprivate override func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        gk_relu(x, y, count)
    }
    fileprivate override func derivative(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                         _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        gk_relu_backward(x, dy, dx, count)
    }
    /// `ReLU()`.
    public override var description: String { "ReLU()" }
}

/// x for x > 0, α·x otherwise (GANs use α = 0.2).
public final class LeakyReLU: ElementwiseActivation {
    /// The slope for negative inputs.
    public let alpha: Float
    /// Creates a leaky ReLU with negative slope `alpha` (Keras' name; PyTorch calls it `negative_slope`).
    public init(alpha: Float = 0.2) { self.alpha = alpha }
    fileprivate override func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        gk_leaky_relu(x, y, count, alpha)
    }
    fileprivate override func derivative(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                         _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        gk_leaky_relu_backward(x, dy, dx, count, alpha)
    }
    /// `LeakyReLU(alpha: 0.2)`.
    public override var description: String { "LeakyReLU(alpha: \(alpha))" }
}

/// tanh(x), the usual generator output (images in [−1, 1]).
public final class Tanh: ElementwiseActivation {
    /// Creates a tanh activation.
    public override init() {}
    fileprivate override var cachesInput: Bool { false }
    fileprivate override func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        gk_tanh(x, y, count)  // Cephes' tanhf, vectorized; relative error ≲ 2e-7
    }
    fileprivate override func derivative(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                         _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        gk_tanh_backward(y, dy, dx, count)
    }
    /// `Tanh()`.
    public override var description: String { "Tanh()" }
}

/// 1 / (1 + e^(−x)).
public final class Sigmoid: ElementwiseActivation {
    /// Creates a sigmoid activation.
    public override init() {}
    fileprivate override var cachesInput: Bool { false }
    fileprivate override func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count {
            // Split by sign so exp never overflows.
            let v = x[i]
            if v >= 0 { y[i] = 1 / (1 + expf(-v)) } else { let e = expf(v); y[i] = e / (1 + e) }
        }
    }
    fileprivate override func derivative(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                         _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { dx[i] = dy[i] * y[i] * (1 - y[i]) }
    }
    /// `Sigmoid()`.
    public override var description: String { "Sigmoid()" }
}
