/// Minibatch standard deviation (Karras et al., "Progressive Growing of GANs
/// for Improved Quality, Stability, and Variation", 2018,
/// <https://arxiv.org/abs/1710.10196>, section 3): lets a discriminator see
/// how varied a batch is, which discourages mode collapse.
///
/// Input `[N, C, H, W]` → output `[N, C + 1, H, W]`; input `[N, F]` → `[N, F + 1]`
/// (any rank ≥ 2: one channel is appended along dimension 1). The batch is
/// split into groups of `G = min(groupSize, N)` samples, as in StyleGAN: sample
/// `n` belongs to group `n mod (N / G)` (StyleGAN's `reshape(G, -1, …)`), so
/// `N` must be divisible by `G`. For each group, the standard deviation of
/// every feature over the group's `G` samples is `√(Var + 1e-8)` (biased
/// variance, ε inside the root as in ProGAN); their mean over all `C·H·W`
/// features is one scalar, written into the new channel at every position of
/// every sample of the group.
///
/// It behaves the same in training and inference mode and has no parameters.
/// The message of a batch that cannot be grouped names the layer and the shape:
/// `MinibatchStdDev(groupSize: 4): expected input [N, …] with N divisible by 4 (or N < 4), got [6, 3]`.
public final class MinibatchStdDev: InputShapeValidating, ParameterlessLayer {
    /// Samples per group (the group is `min(groupSize, N)`).
    public let groupSize: Int
    /// Added to the variance before the square root (ProGAN: 1e-8).
    public let epsilon: Float = 1e-8
    /// No mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    private var cachedInput = Tensor(zeros: [0])
    /// Per group and feature: the group mean, `[groups · features]`.
    private var means: [Float] = []
    /// Per group and feature: `√(Var + ε)`, `[groups · features]`.
    private var deviations: [Float] = []
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()

    /// Creates the layer; `groupSize` ≥ 1 (ProGAN and StyleGAN use 4).
    public init(groupSize: Int = 4) {
        require(groupSize >= 1, "MinibatchStdDev: groupSize must be ≥ 1, got \(groupSize)")
        self.groupSize = groupSize
    }

    private var name: String { "MinibatchStdDev(groupSize: \(groupSize))" }

    /// Why `forward` would reject `shape`: rank below 2, or a batch not divisible by `min(groupSize, N)`.
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank >= 2, shape[0] >= 1, shape[1] >= 1, shape[0] % min(groupSize, shape[0]) == 0 else {
            return inputShapeError(layer: name,
                                   expected: "[N, …] with N divisible by \(groupSize) (or N < \(groupSize))",
                                   got: shape)
        }
        return nil
    }

    /// `[N, C, …]` → `[N, C + 1, …]`: the input, plus the group's mean standard deviation as a new channel.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        cachedInput = input
        let (batch, features) = (input.shape[0], input.shape.elementsPerItem)
        let positions = features / input.shape[1]
        let group = min(groupSize, batch), groups = batch / group
        if means.count != groups * features {
            means = [Float](repeating: 0, count: groups * features)
            deviations = [Float](repeating: 0, count: groups * features)
        }
        var outputShape = input.shape   // inline: no allocation
        outputShape[1] += 1
        let epsilon = self.epsilon
        return outputBuffer.fill(shape: outputShape) { y in
            input.withUnsafeBufferPointer { x in
                means.withUnsafeMutableBufferPointer { mean in
                    deviations.withUnsafeMutableBufferPointer { deviation in
                        let scale = 1 / Float(group)
                        mean.update(repeating: 0)
                        deviation.update(repeating: 0)
                        for g in 0..<group {
                            for m in 0..<groups {
                                let row = (g * groups + m) * features, statistics = m * features
                                for f in 0..<features { mean[statistics + f] += x[row + f] }
                            }
                        }
                        for i in 0..<mean.count { mean[i] *= scale }
                        for g in 0..<group {
                            for m in 0..<groups {
                                let row = (g * groups + m) * features, statistics = m * features
                                for f in 0..<features {
                                    let centred = x[row + f] - mean[statistics + f]
                                    deviation[statistics + f] += centred * centred
                                }
                            }
                        }
                        for i in 0..<deviation.count { deviation[i] = (deviation[i] * scale + epsilon).squareRoot() }
                        for m in 0..<groups {
                            var sum: Float = 0
                            for f in 0..<features { sum += deviation[m * features + f] }
                            let statistic = sum / Float(features)
                            for g in 0..<group {
                                let n = g * groups + m
                                let out = n * (features + positions)
                                for f in 0..<features { y[out + f] = x[n * features + f] }
                                for p in 0..<positions { y[out + features + p] = statistic }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dy `[N, C + 1, …]` → dx `[N, C, …]`: the first `C` channels pass through; the new
    /// channel's gradient, summed over its group and positions (dS), adds
    /// `dS · (x − mean) / (C·H·W · G · √(Var + ε))` to every input of the group.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        let shape = cachedInput.shape
        var outputShape = shape
        outputShape[1] += 1
        require(outputGradient.shape == outputShape,
                "\(name).backward: expected output gradient \(outputShape), got \(outputGradient.shape)")
        let (batch, features) = (shape[0], shape.elementsPerItem)
        let positions = features / shape[1]
        let group = min(groupSize, batch), groups = batch / group
        return inputGradientBuffer.fill(shape: shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                cachedInput.withUnsafeBufferPointer { x in
                    means.withUnsafeBufferPointer { mean in
                        deviations.withUnsafeBufferPointer { deviation in
                            for m in 0..<groups {
                                var statisticGradient: Float = 0
                                for g in 0..<group {
                                    let out = (g * groups + m) * (features + positions) + features
                                    for p in 0..<positions { statisticGradient += dy[out + p] }
                                }
                                let scale = statisticGradient / (Float(features) * Float(group))
                                for g in 0..<group {
                                    let n = g * groups + m
                                    let out = n * (features + positions), row = n * features, statistics = m * features
                                    for f in 0..<features {
                                        let centred = x[row + f] - mean[statistics + f]
                                        dx[row + f] = dy[out + f] + scale * centred / deviation[statistics + f]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `MinibatchStdDev(groupSize: 4)`.
    public var description: String { name }
}
