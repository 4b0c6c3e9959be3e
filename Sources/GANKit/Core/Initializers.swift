/// Weight initialisation schemes, written into a tensor from a seeded generator.
///
/// Fan-in and fan-out follow PyTorch: for a weight of shape `[out, in, k…]`,
/// `fanIn = in·∏k` and `fanOut = out·∏k`. (ConvTranspose2D weights are
/// `[in, out, kH, kW]`; PyTorch computes their fans from dimensions 1 and 0 the
/// same way, and so do we.)
public enum Initializer: Sendable, Hashable {
    /// Glorot/Xavier uniform: U(−a, a), a = gain·√(6 / (fanIn + fanOut)) (Keras' default for Dense).
    case glorotUniform(gain: Float = 1)
    /// Glorot/Xavier normal: N(0, gain²·2 / (fanIn + fanOut)).
    case glorotNormal(gain: Float = 1)
    /// He/Kaiming normal for ReLU-family activations: N(0, 2 / ((1 + a²)·fanIn)), `a` the negative slope.
    case heNormal(negativeSlope: Float = 0)
    /// He/Kaiming uniform: U(−b, b), b = √(6 / ((1 + a²)·fanIn)).
    case heUniform(negativeSlope: Float = 0)
    /// PyTorch's default for Linear and Conv weights: U(−1/√fanIn, 1/√fanIn).
    case pytorchDefault
    /// N(mean, standardDeviation²); DCGAN uses N(0, 0.02²).
    case normal(mean: Float = 0, standardDeviation: Float = 0.02)
    /// U(lowerBound, upperBound).
    case uniform(lowerBound: Float, upperBound: Float)
    /// Every element equal to `value`.
    case constant(Float)

    /// The DCGAN paper's N(0, 0.02²) (Radford et al. 2015).
    public static let dcgan = Initializer.normal(mean: 0, standardDeviation: 0.02)

    /// Creates a tensor of `shape` initialised by this scheme.
    public func makeTensor(_ shape: TensorShape, using generator: inout SeededGenerator) -> Tensor {
        var tensor = Tensor(zeros: shape)
        fill(&tensor, using: &generator)
        return tensor
    }

    /// Overwrites `tensor` with values from this scheme.
    public func fill(_ tensor: inout Tensor, using generator: inout SeededGenerator) {
        let (fanIn, fanOut) = Self.fans(tensor.shape)
        switch self {
        case .glorotUniform(let gain):
            let limit = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            tensor.fillUniform(lowerBound: -limit, upperBound: limit, using: &generator)
        case .glorotNormal(let gain):
            tensor.fillNormal(standardDeviation: gain * (2 / Float(fanIn + fanOut)).squareRoot(), using: &generator)
        case .heNormal(let slope):
            tensor.fillNormal(standardDeviation: (2 / ((1 + slope * slope) * Float(fanIn))).squareRoot(),
                              using: &generator)
        case .heUniform(let slope):
            let limit = (6 / ((1 + slope * slope) * Float(fanIn))).squareRoot()
            tensor.fillUniform(lowerBound: -limit, upperBound: limit, using: &generator)
        case .pytorchDefault:
            let limit = 1 / Float(fanIn).squareRoot()
            tensor.fillUniform(lowerBound: -limit, upperBound: limit, using: &generator)
        case .normal(let mean, let standardDeviation):
            tensor.fillNormal(mean: mean, standardDeviation: standardDeviation, using: &generator)
        case .uniform(let lowerBound, let upperBound):
            tensor.fillUniform(lowerBound: lowerBound, upperBound: upperBound, using: &generator)
        case .constant(let value):
            tensor.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
        }
    }

    /// (fanIn, fanOut) for a weight shape `[out, in, k…]` (a rank-1 shape counts as `[n, 1]`).
    static func fans(_ shape: TensorShape) -> (Int, Int) {
        guard shape.rank >= 2 else { return (Swift.max(shape.first ?? 1, 1), Swift.max(shape.first ?? 1, 1)) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (Swift.max(shape[1] * receptive, 1), Swift.max(shape[0] * receptive, 1))
    }
}
