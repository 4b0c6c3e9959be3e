import CGANKitKernels
import Foundation

/// Elementwise activation layers: `ReLU`, `LeakyReLU`, `Tanh`, `Sigmoid`.
///
/// Input and output have the same (any) shape. Each caches the tensor its
/// derivative is cheapest to compute from: the input for the ReLU family, the
/// output for tanh and sigmoid (tanh' = 1 − y², σ' = y(1 − y)).
///
/// The four are final classes that share their plumbing (buffers, the split
/// over threads) through an internal `ElementwiseActivation` value rather
/// than a base class: a public base class that outside code cannot subclass
/// would only be noise in the API. A new activation is a ``Layer`` of your own
/// (see Docs/CustomLayers.md).

/// The elementwise functions behind the activation layers, with their settings.
enum ElementwiseFunction: Sendable {
    case relu
    case leakyReLU(alpha: Float)
    case tanh
    case sigmoid

    /// Whether the derivative reads the input (true) or the output (false).
    var derivativeReadsInput: Bool {
        switch self {
        case .relu, .leakyReLU: return true
        case .tanh, .sigmoid: return false
        }
    }

    /// y = f(x) over `count` elements.
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        switch self {
        case .relu:
            gk_relu(x, y, count)
        case .leakyReLU(let alpha):
            gk_leaky_relu(x, y, count, alpha)
        case .tanh:
            gk_tanh(x, y, count)  // Cephes' tanhf, vectorized; relative error ≲ 2e-7
        case .sigmoid:
            for i in 0..<count {
                // Split by sign so exp never overflows.
                let v = x[i]
                if v >= 0 { y[i] = 1 / (1 + expf(-v)) } else { let e = expf(v); y[i] = e / (1 + e) }
            }
        }
    }

    /// dx = f′·dy, where `cached` is x or y per ``derivativeReadsInput``.
    func derivative(_ cached: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                    _ count: Int) {
        switch self {
        case .relu:
            gk_relu_backward(cached, dy, dx, count)
        case .leakyReLU(let alpha):
            gk_leaky_relu_backward(cached, dy, dx, count, alpha)
        case .tanh:
            gk_tanh_backward(cached, dy, dx, count)
        case .sigmoid:
            for i in 0..<count { dx[i] = dy[i] * cached[i] * (1 - cached[i]) }
        }
    }
}

/// What every activation layer keeps between forward and backward, and the
/// two passes, split over the threads.
struct ElementwiseActivation {
    let function: ElementwiseFunction
    /// How the ReLU family picks each element's slope (see ``SlopeMode``).
    var slopeMode = SlopeMode.live
    /// The tensor `backward` differentiates from (input or output, per function).
    private var cached = Tensor(zeros: [0])
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    /// The input of the last forward in ``SlopeMode/record`` mode (a copy).
    private var reference = Tensor(zeros: [0])
    private var referenceBuffer = TensorBuffer()

    init(_ function: ElementwiseFunction) { self.function = function }

    /// y = f(x), same shape; with ``SlopeMode/replay``, y = f′(reference)·x.
    mutating func forward(_ input: Tensor) -> Tensor {
        let function = function
        let replays = slopeMode == .replay
        if replays {
            require(input.shape == reference.shape,
                    "\(function): replaying the slopes of a \(reference.shape) input for a \(input.shape) one")
        }
        let reference = reference
        let output = outputBuffer.fill(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                reference.withUnsafeBufferPointer { r in
                    // f′(r)·x is the derivative kernel with x in the place of the output gradient.
                    parallelFor(x.count, minimumChunk: ElementwiseKernel.minimumChunk, chunksPerThread: balancedChunksPerThread,
                                ElementwiseKernel(function: function, x: SendablePointer(replays ? r.baseAddress! : x.baseAddress!),
                                                  dy: replays ? SendablePointer(x.baseAddress!) : nil,
                                                  result: SendablePointer(y.baseAddress!)))
                }
            }
        }
        if slopeMode == .record {
            self.reference = referenceBuffer.fill(shape: input.shape) { copy in
                input.withUnsafeBufferPointer { copy.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        cached = replays ? reference : function.derivativeReadsInput ? input : output
        return output
    }

    /// dx = f′·dy for the last forward; `layer` names it in the shape message.
    mutating func backward(_ outputGradient: Tensor, layer: @autoclosure () -> String) -> Tensor {
        require(outputGradient.shape == cached.shape,
                "\(layer()).backward: expected output gradient \(cached.shape), got \(outputGradient.shape)")
        let function = function
        let cached = cached
        return inputGradientBuffer.fill(shape: cached.shape) { dx in
            cached.withUnsafeBufferPointer { c in
                outputGradient.withUnsafeBufferPointer { dy in
                    parallelFor(dx.count, minimumChunk: ElementwiseKernel.minimumChunk, chunksPerThread: balancedChunksPerThread,
                                ElementwiseKernel(function: function, x: SendablePointer(c.baseAddress!),
                                                  dy: SendablePointer(dy.baseAddress!),
                                                  result: SendablePointer(dx.baseAddress!)))
                }
            }
        }
    }
}

/// One range of an activation's forward (`dy == nil`: result = f(x)) or backward
/// (result = f′·dy, `x` the cached input or output), for `parallelFor`: elementwise,
/// so the bits do not depend on the split.
private struct ElementwiseKernel: ParallelKernel {
    /// Elements per thread below which a second thread costs more than it saves
    /// (64 KiB of each operand).
    static let minimumChunk = 1 << 14

    let function: ElementwiseFunction
    let x: SendablePointer<Float>
    let dy: SendablePointer<Float>?
    let result: SendablePointer<Float>

    func run(_ range: Range<Int>) {
        let start = range.lowerBound
        if let dy {
            function.derivative(x.pointer + start, dy.pointer + start, result.pointer + start, range.count)
        } else {
            function.apply(x.pointer + start, result.pointer + start, range.count)
        }
    }
}

/// How a piecewise-linear activation picks the slope of each element.
enum SlopeMode: Sendable {
    /// From its own input (the ordinary layer).
    case live
    /// From its own input, and keeps a copy of that input as the reference.
    case record
    /// From the recorded reference: the layer acts as the linear map it was at the
    /// reference point, so no unit changes sign between that point and this one.
    case replay
}

/// A layer linear between kinks (the ReLU family). The gradient penalty's difference
/// passes replay the slopes of its first pass, so that its finite difference is that of
/// one linear piece: exact for the network's piecewise-linear part, as autograd's double
/// backward is, instead of a 1/δ term from every unit whose sign flips between the points.
protocol SlopeReplaying: AnyObject {
    var slopeMode: SlopeMode { get set }
}

/// Every ``SlopeReplaying`` layer in the tree.
func slopeReplayingLayers(_ layer: any Layer) -> [any SlopeReplaying] {
    layer.namedLeafLayers().compactMap { $0.layer as? any SlopeReplaying }
}

/// max(0, x).
public final class ReLU: ParameterlessLayer, SlopeReplaying {
    /// Activations behave the same in training and inference.
    public var isTraining = true
    var slopeMode: SlopeMode {
        get { activation.slopeMode }
        set { activation.slopeMode = newValue }
    }
    private var activation = ElementwiseActivation(.relu)
    /// Creates a ReLU.
    public init() {}
    /// Applies max(0, x) elementwise; the output has the input's shape.
    public func forward(_ input: Tensor) -> Tensor { activation.forward(input) }
    /// Passes `outputGradient` where the input was positive, 0 elsewhere.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        activation.backward(outputGradient, layer: description)
    }
    /// `ReLU()`.
    public var description: String { "ReLU()" }
}

/// x for x > 0, α·x otherwise (GANs use α = 0.2).
public final class LeakyReLU: ParameterlessLayer, SlopeReplaying {
    /// Activations behave the same in training and inference.
    public var isTraining = true
    /// The slope for negative inputs.
    public let alpha: Float
    var slopeMode: SlopeMode {
        get { activation.slopeMode }
        set { activation.slopeMode = newValue }
    }
    private var activation: ElementwiseActivation
    /// Creates a leaky ReLU with negative slope `alpha` (Keras' name; PyTorch calls it `negative_slope`).
    public init(alpha: Float = 0.2) {
        self.alpha = alpha
        activation = ElementwiseActivation(.leakyReLU(alpha: alpha))
    }
    /// Applies the leaky ReLU elementwise; the output has the input's shape.
    public func forward(_ input: Tensor) -> Tensor { activation.forward(input) }
    /// Multiplies `outputGradient` by 1 where the input was positive, α elsewhere.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        activation.backward(outputGradient, layer: description)
    }
    /// `LeakyReLU(alpha: 0.2)`.
    public var description: String { "LeakyReLU(alpha: \(alpha))" }
}

/// tanh(x), the usual generator output (images in [−1, 1]).
public final class Tanh: ParameterlessLayer {
    /// Activations behave the same in training and inference.
    public var isTraining = true
    private var activation = ElementwiseActivation(.tanh)
    /// Creates a tanh activation.
    public init() {}
    /// Applies tanh elementwise; the output has the input's shape.
    public func forward(_ input: Tensor) -> Tensor { activation.forward(input) }
    /// Multiplies `outputGradient` by 1 − y², y the forward's output.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        activation.backward(outputGradient, layer: description)
    }
    /// `Tanh()`.
    public var description: String { "Tanh()" }
}

/// 1 / (1 + e^(−x)).
public final class Sigmoid: ParameterlessLayer {
    /// Activations behave the same in training and inference.
    public var isTraining = true
    private var activation = ElementwiseActivation(.sigmoid)
    /// Creates a sigmoid activation.
    public init() {}
    /// Applies the sigmoid elementwise; the output has the input's shape.
    public func forward(_ input: Tensor) -> Tensor { activation.forward(input) }
    /// Multiplies `outputGradient` by y·(1 − y), y the forward's output.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        activation.backward(outputGradient, layer: description)
    }
    /// `Sigmoid()`.
    public var description: String { "Sigmoid()" }
}
