import CGANKitKernels

/// Batch normalization: normalises each feature (channel) over the batch, then scales and shifts it.
///
/// Input `[N, C]` (per feature) or `[N, C, H, W]` (per channel, over N·H·W
/// values; any `[N, C, …]` works the same way) → output of the same shape:
/// `y = γ·(x − μ)/√(σ² + ε) + β`, with `γ = weight` and `β = bias`, both `[C]`.
///
/// - Training: μ and σ² are the batch mean and *biased* variance of each
///   channel; the running statistics are then updated as
///   `running = (1 − momentum)·running + momentum·batch`, with the *unbiased*
///   variance `σ²·m/(m − 1)` (m = values per channel) going into
///   `runningVariance`. This is PyTorch's convention: `momentum` is the weight
///   of the new batch (Keras and swift-apis mean the opposite).
/// - Inference: μ and σ² are `runningMean` and `runningVariance` (init 0 and 1).
///
/// Ioffe & Szegedy, "Batch Normalization" (arXiv:1502.03167).
///
/// ```swift
/// let norm = BatchNorm(128)                      // after Conv2D(64 → 128, …)
/// norm.isTraining = false                        // use the running statistics
/// ```
public final class BatchNorm: InputShapeValidating {
    /// The number of features (channels), the size of axis 1 of the input.
    public let features: Int
    /// Weight of the new batch in the running-statistics update (PyTorch convention; default 0.1).
    public let momentum: Float
    /// Added to the variance before the square root (default 1e-5).
    public let epsilon: Float
    /// γ `[features]`, init 1; `nil` when created with `affine: false`.
    public let weight: Parameter?
    /// β `[features]`, init 0; `nil` when created with `affine: false`.
    public let bias: Parameter?
    /// Running mean `[features]`, init 0, used in inference; saved, not optimised.
    public let runningMean: Buffer
    /// Running unbiased variance `[features]`, init 1, used in inference; saved, not optimised.
    public let runningVariance: Buffer
    /// Training mode normalises with batch statistics and updates the running ones;
    /// inference mode normalises with the running statistics.
    public var isTraining = true

    /// The last input, read by `backward`.
    private var cachedInput = Tensor.empty
    /// Per-channel μ and 1/√(σ² + ε) that the last forward used (batch or running
    /// statistics), read by `backward`, which recomputes x̂ = (x − μ)·invstd from
    /// `cachedInput` instead of caching x̂: that saves N·C·H·W floats of memory
    /// traffic for one subtraction and one multiplication per element.
    private var savedMean: Tensor
    private var savedInverseDeviation: Tensor
    /// Whether the last forward ran in training mode (backward's formula depends on it).
    private var lastForwardWasTraining = true
    /// `[3, C]` per-channel scratch, allocated once: forward's biased batch variance and
    /// γ·invstd; backward's Σdy and Σdy·x̂, then the input-gradient coefficients.
    private var channelScratch: Tensor
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()

    /// Creates a batch normalization with γ = 1 and β = 0 (PyTorch's initialisation).
    /// - Parameters:
    ///   - features: C, the size of axis 1 of the input.
    ///   - momentum: weight of the new batch in the running statistics (PyTorch convention), in [0, 1].
    ///   - epsilon: added to the variance for numerical stability.
    ///   - affine: whether to learn γ and β (default `true`); without them y = x̂.
    public convenience init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        self.init(features, momentum: momentum, epsilon: epsilon,
                  weight: affine ? Tensor.ones([features]) : nil)
    }

    /// Creates a batch normalization whose γ is drawn from `weightInitializer` (β = 0).
    ///
    /// DCGAN initialises γ from N(1, 0.02²): `weightInitializer: .normal(mean: 1, standardDeviation: 0.02)`.
    /// - Parameters: as in ``init(_:momentum:epsilon:affine:)``, always affine.
    public convenience init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5,
                            weightInitializer: Initializer, using generator: inout SeededGenerator) {
        self.init(features, momentum: momentum, epsilon: epsilon,
                  weight: weightInitializer.makeTensor([features], using: &generator))
    }

    private init(_ features: Int, momentum: Float, epsilon: Float, weight: Tensor?) {
        require(features > 0, "BatchNorm: features must be positive, got \(features)")
        require((0...1).contains(momentum), "BatchNorm: momentum must be in [0, 1], got \(momentum)")
        require(epsilon >= 0, "BatchNorm: epsilon must not be negative, got \(epsilon)")
        self.features = features
        self.momentum = momentum
        self.epsilon = epsilon
        self.weight = weight.map { Parameter(name: "weight", value: $0) }
        self.bias = weight == nil ? nil : Parameter(name: "bias", value: Tensor(zeros: [features]))
        runningMean = Buffer(name: "runningMean", value: Tensor(zeros: [features]))
        runningVariance = Buffer(name: "runningVariance", value: Tensor.ones([features]))
        savedMean = Tensor(zeros: [features])
        savedInverseDeviation = Tensor(zeros: [features])
        channelScratch = Tensor(zeros: [3, features])
    }

    /// `weight`, then `bias` (γ, β), or none when not affine.
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }
    /// `runningMean`, then `runningVariance`.
    public var buffers: [Buffer] { [runningMean, runningVariance] }

    /// `BatchNorm(128, momentum 0.1, epsilon 1e-05)`: the constructor, as used in messages.
    private var name: String {
        "BatchNorm(\(features), momentum \(momentum), epsilon \(epsilon)\(weight == nil ? ", affine false" : ""))"
    }

    /// Why `forward` would reject `shape` (not `[N, features, …]`).
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank >= 2 && shape[1] == features else {
            return inputShapeError(layer: name, expected: "[N, \(features)] or [N, \(features), H, W]", got: shape)
        }
        return nil
    }

    /// The channel layout of a valid input; stops with a shape message otherwise.
    private func layout(of shape: TensorShape) -> ChannelLayout {
        requireValidInput(shape)
        return ChannelLayout(batch: shape[0], channels: features, spatial: shape.elementsPerItem / features)
    }

    // MARK: - Forward

    /// `[N, C]` or `[N, C, H, W]` → the same shape.
    /// - Precondition: in training, more than one value per channel (N·H·W > 1), as in PyTorch.
    public func forward(_ input: Tensor) -> Tensor {
        let layout = layout(of: input.shape)
        let training = isTraining
        require(!training || layout.valuesPerChannel > 1,
                "\(name): expected more than 1 value per channel in training, got input \(input.shape)")
        cachedInput = input
        lastForwardWasTraining = training
        let features = self.features
        if training {
            // Batch statistics, then the running update (C values: serial).
            input.withUnsafeBufferPointer { x in
                savedMean.withUnsafeMutableBufferPointer { mean in
                    channelScratch.withUnsafeMutableBufferPointer { scratch in
                        let (x, mean, variance) = (SendablePointer(x.baseAddress!), SendablePointer(mean.baseAddress!),
                                                   SendablePointer(scratch.baseAddress!))
                        parallelFor(features, minimumChunk: layout.minimumChannelsPerChunk, chunksPerThread: balancedChunksPerThread,
                                    BatchNormStatisticsKernel(layout: layout, x: x, mean: mean, variance: variance))
                    }
                }
            }
            updateRunningStatistics(valuesPerChannel: layout.valuesPerChannel)
        } else {
            savedMean.assign(from: runningMean.value)
            runningVariance.value.withUnsafeBufferPointer { v in
                channelScratch.withUnsafeMutableBufferPointer { variance in
                    variance.baseAddress!.update(from: v.baseAddress!, count: features)
                }
            }
        }
        // invstd = 1/√(σ² + ε); scale = γ·invstd (scratch row 1).
        channelScratch.withUnsafeMutableBufferPointer { scratch in
            savedInverseDeviation.withUnsafeMutableBufferPointer { invstd in
                withPointer(to: weight?.value) { gamma in
                    for c in 0..<features {
                        invstd[c] = 1 / (scratch[c] + epsilon).squareRoot()
                        scratch[features + c] = (gamma?[c] ?? 1) * invstd[c]
                    }
                }
            }
        }
        return outputBuffer.fill(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                savedMean.withUnsafeBufferPointer { mean in
                    channelScratch.withUnsafeBufferPointer { scratch in
                        withPointer(to: bias?.value) { beta in
                            let (x, y) = (SendablePointer(x.baseAddress!), SendablePointer(y.baseAddress!))
                            let mean = SendablePointer(mean.baseAddress!)
                            let scale = SendablePointer(scratch.baseAddress! + features)
                            let beta = beta.map { SendablePointer($0) }
                            parallelFor(features, minimumChunk: layout.minimumChannelsPerChunk, chunksPerThread: balancedChunksPerThread,
                                        BatchNormNormalizeKernel(layout: layout, x: x, y: y, mean: mean,
                                                                 scale: scale, shift: beta))
                        }
                    }
                }
            }
        }
    }

    /// While set (by ``recalibrateBatchNormStatistics(of:inputs:)``), the running statistics are
    /// the plain average of the batches seen since: the k-th batch is weighted 1/k (PyTorch's
    /// `momentum=None`) instead of `momentum`. Holds the number of batches averaged so far.
    var cumulativeBatches: Int?

    /// running = (1 − momentum)·running + momentum·batch, with the unbiased variance σ²·m/(m − 1).
    private func updateRunningStatistics(valuesPerChannel m: Int) {
        var momentum = self.momentum
        if let count = cumulativeBatches {
            momentum = 1 / Float(count + 1)
            cumulativeBatches = count + 1
        }
        let correction = Float(m) / Float(m - 1)
        savedMean.withUnsafeBufferPointer { mean in
            channelScratch.withUnsafeBufferPointer { variance in
                runningMean.value.withUnsafeMutableBufferPointer { runningMean in
                    runningVariance.value.withUnsafeMutableBufferPointer { runningVariance in
                        for c in 0..<features {
                            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
                            runningVariance[c] = (1 - momentum) * runningVariance[c]
                                + momentum * variance[c] * correction
                        }
                    }
                }
            }
        }
    }

    // MARK: - Backward

    /// dy → dx, both shaped like the last input; per channel dγ += Σ dy·x̂ and dβ += Σ dy (skipped with `.skip`).
    ///
    /// Training (the batch statistics depend on x):
    /// `dx = (γ·invstd/m)·(m·dy − Σdy − x̂·Σ(dy·x̂))`, m = N·H·W.
    /// Inference (running statistics are constants): `dx = γ·invstd·dy`.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        let layout = layout(of: cachedInput.shape)
        require(outputGradient.shape == cachedInput.shape,
                "\(name).backward: expected output gradient \(cachedInput.shape), got \(outputGradient.shape)")
        let features = self.features, training = lastForwardWasTraining
        let input = cachedInput
        // Per-channel Σdy (scratch row 0) and Σdy·x̂ (row 1).
        outputGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                savedMean.withUnsafeBufferPointer { mean in
                    savedInverseDeviation.withUnsafeBufferPointer { invstd in
                        channelScratch.withUnsafeMutableBufferPointer { sums in
                            let (dy, x) = (SendablePointer(dy.baseAddress!), SendablePointer(x.baseAddress!))
                            let mean = SendablePointer(mean.baseAddress!)
                            let invstd = SendablePointer(invstd.baseAddress!)
                            let sums = SendablePointer(sums.baseAddress!)
                            parallelFor(features, minimumChunk: layout.minimumChannelsPerChunk, chunksPerThread: balancedChunksPerThread,
                                        BatchNormGradientSumsKernel(layout: layout, dy: dy, x: x, mean: mean,
                                                                    inverseDeviation: invstd, sumDy: sums,
                                                                    sumDyXhat: SendablePointer(sums.pointer + features)))
                        }
                    }
                }
            }
        }
        if parameterGradients == .accumulate, let weight, let bias {
            channelScratch.withUnsafeBufferPointer { sums in
                weight.gradient.withUnsafeMutableBufferPointer { dgamma in
                    bias.gradient.withUnsafeMutableBufferPointer { dbeta in
                        for c in 0..<features {
                            dbeta[c] += sums[c]
                            dgamma[c] += sums[features + c]
                        }
                    }
                }
            }
        }
        // Per-channel coefficients of dx = k·dy + b·(x − μ) + d (scratch rows 0, 1, 2), with k = γ·invstd;
        // training: b = −k·invstd·Σ(dy·x̂)/m, d = −k·Σdy/m; inference: b = d = 0.
        let m = Float(layout.valuesPerChannel)
        channelScratch.withUnsafeMutableBufferPointer { scratch in
            savedInverseDeviation.withUnsafeBufferPointer { invstd in
                withPointer(to: weight?.value) { gamma in
                    for c in 0..<features {
                        let (sumDy, sumDyXhat) = (scratch[c], scratch[features + c])
                        let k = (gamma?[c] ?? 1) * invstd[c]
                        scratch[c] = k
                        scratch[features + c] = training ? -k * invstd[c] * sumDyXhat / m : 0
                        scratch[2 * features + c] = training ? -k * sumDy / m : 0
                    }
                }
            }
        }
        return inputGradientBuffer.fill(shape: input.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                input.withUnsafeBufferPointer { x in
                    savedMean.withUnsafeBufferPointer { mean in
                        channelScratch.withUnsafeBufferPointer { coefficients in
                            let (dy, x, dx) = (SendablePointer(dy.baseAddress!), SendablePointer(x.baseAddress!),
                                               SendablePointer(dx.baseAddress!))
                            let (mean, coefficients) = (SendablePointer(mean.baseAddress!),
                                                        SendablePointer(coefficients.baseAddress!))
                            parallelFor(features, minimumChunk: layout.minimumChannelsPerChunk, chunksPerThread: balancedChunksPerThread,
                                        BatchNormInputGradientKernel(
                                            layout: layout, dy: dy, x: x, dx: dx, mean: mean, dyScale: coefficients,
                                            centeredScale: SendablePointer(coefficients.pointer + features),
                                            shift: SendablePointer(coefficients.pointer + 2 * features)))
                        }
                    }
                }
            }
        }
    }

    /// `BatchNorm(128, momentum 0.1, epsilon 1e-05)  // 256 parameters`.
    public var description: String {
        "\(name)  // \(formattedCount(parameterCount)) parameters"
    }
}

// MARK: - Kernels

/// Where channel `c`'s values lie in a `[N, C, S…]` buffer: N rows of S contiguous floats,
/// row n starting at `(n·C + c)·S`. The kernels (`gk_bn_*` in CGANKitKernels, vectorized,
/// sums in double) read and write the channels of their range only, so chunks of
/// channels run in parallel on disjoint data, and each channel's sums have an order
/// fixed by the shape (bit-identical results whatever the thread count). For `[N, C]`
/// inputs (S = 1) they run along rows, across channels: the per-channel Swift loops
/// they replaced read with a stride of C floats and summed in one serial double chain
/// (11 % of a DCGAN step).
struct ChannelLayout: Sendable {
    let batch: Int, channels: Int, spatial: Int

    /// m = N·S, the values normalised together.
    var valuesPerChannel: Int { batch * spatial }

    /// Keeps each parallel chunk at ≥ 32K elements, so small inputs run on one thread.
    var minimumChannelsPerChunk: Int { max(1, 32_768 / max(1, valuesPerChannel)) }
}
