import CGANKitKernels

/// A layer that owns a random generator (e.g. `Dropout`'s masks).
///
/// Checkpoints save `generator` so a resumed run draws the same masks, and
/// `GradientCheck` restores it so every forward of a check sees the same mask.
public protocol RandomizedLayer: Layer {
    /// The layer's own generator; advancing it changes future random choices.
    var generator: SeededGenerator { get set }
}

/// Every ``RandomizedLayer`` in the tree with its path prefix (`"3."`, or `""` for the root).
func namedRandomizedLayers(_ layer: any Layer) -> [(path: String, layer: any RandomizedLayer)] {
    layer.namedLeafLayers().compactMap { leaf in (leaf.layer as? any RandomizedLayer).map { (leaf.path, $0) } }
}

/// Inverted dropout: in training, zeroes each element with probability `rate`
/// and scales the survivors by 1/(1 − rate); in inference, the identity.
///
/// Input and output have the same (any) shape. The mask comes from the layer's
/// own seeded generator, so runs are reproducible.
public final class Dropout: ParameterlessLayer, RandomizedLayer {
    /// Probability of zeroing an element, in [0, 1).
    public let rate: Float
    /// Training mode drops elements; inference mode passes the input through.
    public var isTraining = true
    /// The generator the masks are drawn from.
    public var generator: SeededGenerator

    /// The scale applied to each kept element for the last forward (0 where dropped).
    private var mask = TensorBuffer()
    private var cachedMask = Tensor(zeros: [0])
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    private var lastForwardWasIdentity = true

    /// Creates a dropout layer.
    /// - Parameters:
    ///   - rate: drop probability in [0, 1) (Keras' `rate`, PyTorch's `p`).
    ///   - seed: seeds the mask generator.
    public init(rate: Float, seed: UInt64 = 0) {
        require(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    // MARK: - Forward

    /// Drops and rescales (training) or copies through (inference).
    public func forward(_ input: Tensor) -> Tensor {
        guard isTraining && rate > 0 else {
            lastForwardWasIdentity = true
            cachedMask = .empty
            return input
        }
        lastForwardWasIdentity = false
        let keep = 1 - rate, scale = 1 / (1 - rate)
        // u < keep ⇔ bits < keep·2²⁴ (u = bits·2⁻²⁴ exactly).
        let threshold = UInt64((Double(keep) * 16_777_216).rounded(.up))
        let output = outputBuffer.fill(shape: input.shape) { y in
            cachedMask = mask.fill(shape: input.shape) { m in
                input.withUnsafeBufferPointer { x in
                    // In C: the Swift loop took 7 % of a keras MLP-GAN step, over twice the
                    // generator's own serial chain.
                    var state = (generator.s0, generator.s1, generator.s2, generator.s3)
                    withUnsafeMutableBytes(of: &state) { words in
                        gk_dropout_forward(x.baseAddress!, y.baseAddress!, m.baseAddress!, y.count,
                                           words.baseAddress!.assumingMemoryBound(to: UInt64.self), threshold, scale)
                    }
                    (generator.s0, generator.s1, generator.s2, generator.s3) = state
                }
            }
        }
        return output
    }

    // MARK: - Backward

    /// Multiplies the gradient by the same mask (identity in inference).
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        if lastForwardWasIdentity { return outputGradient }
        require(outputGradient.shape == cachedMask.shape,
                "\(description).backward: expected output gradient \(cachedMask.shape), got \(outputGradient.shape)")
        return inputGradientBuffer.fill(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                cachedMask.withUnsafeBufferPointer { m in for i in 0..<dx.count { dx[i] = dy[i] * m[i] } }
            }
        }
    }

    /// `Dropout(rate: 0.4)`.
    public var description: String { "Dropout(rate: \(rate))" }
}
