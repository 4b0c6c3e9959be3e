/// Builders for deep convolutional GANs (Radford et al. 2015, https://arxiv.org/abs/1511.06434).
///
/// The generator projects noise with a Dense layer to a small `base·2^(depth−1)`-channel
/// map, then doubles the resolution `depth` times with `ConvTranspose2D(kernel 4,
/// stride 2, padding 1)`, each followed by BatchNorm and ReLU except the last
/// (tanh). The discriminator mirrors it with `Conv2D(kernel 4, stride 2, padding 1)`,
/// LeakyReLU(0.2) and BatchNorm on every convolution but the first, then one
/// Dense layer to a logit. Weights are N(0, 0.02²), BatchNorm scales N(1, 0.02²).
/// Layers followed by BatchNorm have no bias (BatchNorm's shift replaces it).
///
/// The standard 28×28 MNIST DCGAN (``Configuration/mnist``), shapes for a batch of N:
/// ```
/// G: [N, 100] → Dense → [N, 6272] → BatchNorm, ReLU → Reshape → [N, 128, 7, 7]
///    → ConvTranspose2D(128 → 64) → [N, 64, 14, 14] → BatchNorm, ReLU
///    → ConvTranspose2D(64 → 1) → [N, 1, 28, 28] → Tanh
/// D: [N, 1, 28, 28] → Conv2D(1 → 64) → [N, 64, 14, 14] → LeakyReLU
///    → Conv2D(64 → 128) → [N, 128, 7, 7] → BatchNorm, LeakyReLU → Flatten → Dense(6272 → 1) → [N, 1]
/// ```
public enum DCGAN {
    /// Image size, channels and widths of a DCGAN.
    public struct Configuration: Sendable, Hashable {
        /// Length of the noise vector z.
        public var latentDimension: Int
        /// Height and width of the (square) images.
        public var imageSize: Int
        /// Image channels: 1 (grayscale) or 3 (RGB).
        public var channels: Int
        /// Channels of the largest feature map next to the image (64 in the paper).
        public var baseWidth: Int
        /// Number of stride-2 (de)convolutions; `imageSize` must be divisible by 2^depth.
        public var depth: Int
        /// Negative slope of the discriminator's LeakyReLUs.
        public var leakySlope: Float
        /// Wrap every Conv2D and the Dense of the discriminator in ``SpectralNorm``
        /// and drop the discriminator's BatchNorm layers, as in SN-GAN (Miyato et al.
        /// 2018); the convolutions that BatchNorm followed then get a bias (default false).
        public var spectralNorm: Bool
        /// Insert ``MinibatchStdDev`` (group 4) before the discriminator's Flatten:
        /// the last feature map gets one more channel (default false).
        public var minibatchStdDev: Bool
        /// Class conditioning (a conditional DCGAN), or nil for an unconditional one.
        public var conditioning: ClassConditioning?

        /// Creates a configuration.
        public init(latentDimension: Int = 100, imageSize: Int = 28, channels: Int = 1, baseWidth: Int = 64,
                    depth: Int = 2, leakySlope: Float = 0.2, spectralNorm: Bool = false,
                    minibatchStdDev: Bool = false, conditioning: ClassConditioning? = nil) {
            self.latentDimension = latentDimension
            self.imageSize = imageSize
            self.channels = channels
            self.baseWidth = baseWidth
            self.depth = depth
            self.leakySlope = leakySlope
            self.spectralNorm = spectralNorm
            self.minibatchStdDev = minibatchStdDev
            self.conditioning = conditioning
        }

        /// The standard 28×28 grayscale MNIST DCGAN (feature maps 7×7×128 → 14×14×64 → 28×28×1).
        public static let mnist = Configuration()
        /// 32×32 RGB (CIFAR-10 sized): 4×4×256 → 8×8×128 → 16×16×64 → 32×32×3.
        public static let rgb32 = Configuration(imageSize: 32, channels: 3, depth: 3)
        /// 64×64 RGB (the paper's size): 4×4×512 → … → 64×64×3.
        public static let rgb64 = Configuration(imageSize: 64, channels: 3, depth: 4)

        /// Side of the smallest feature map, `imageSize / 2^depth`.
        public var initialSize: Int { imageSize >> depth }
        /// Channels of the smallest feature map, `baseWidth · 2^(depth − 1)`.
        public var initialChannels: Int { baseWidth << (depth - 1) }

        func validate() {
            require(depth >= 1 && depth < Int.bitWidth - 1 && imageSize > 0 && imageSize % (1 << depth) == 0,
                    "DCGAN.Configuration: expected depth ≥ 1 and imageSize a positive multiple of 2^depth, "
                        + "got imageSize \(imageSize), depth \(depth)")
            require(channels >= 1 && baseWidth >= 1 && latentDimension >= 1,
                    "DCGAN.Configuration: channels, baseWidth and latentDimension must be ≥ 1, "
                        + "got \(channels), \(baseWidth), \(latentDimension)")
        }
    }

    /// Builds the generator: `[N, latentDimension]` → `[N, channels, imageSize, imageSize]` in [−1, 1].
    /// A conditional generator starts with a ``ConcatenateClassEmbedding`` (labels set with `setClassLabels`).
    public static func makeGenerator(_ configuration: Configuration,
                                     using generator: inout SeededGenerator) -> Sequential {
        configuration.validate()
        let c = configuration
        let projected = c.initialChannels * c.initialSize * c.initialSize
        var layers: [any Layer] = c.conditioning.map { [$0.makeLayer(using: &generator)] } ?? []
        layers += [
            Dense(c.latentDimension + (c.conditioning?.embeddingDimension ?? 0), projected, bias: false,
                  weightInitializer: .dcgan, using: &generator),
            BatchNorm(projected, weightInitializer: .normal(mean: 1, standardDeviation: 0.02), using: &generator),
            ReLU(),
            Reshape([c.initialChannels, c.initialSize, c.initialSize]),
        ]
        var width = c.initialChannels
        for _ in 1..<c.depth {
            layers.append(ConvTranspose2D(width, width / 2, kernelSize: 4, stride: 2, padding: 1, bias: false,
                                          weightInitializer: .dcgan, using: &generator))
            layers.append(BatchNorm(width / 2, weightInitializer: .normal(mean: 1, standardDeviation: 0.02),
                                    using: &generator))
            layers.append(ReLU())
            width /= 2
        }
        layers.append(ConvTranspose2D(width, c.channels, kernelSize: 4, stride: 2, padding: 1,
                                      weightInitializer: .dcgan, using: &generator))
        layers.append(Tanh())
        return Sequential(layers)
    }

    /// Builds the discriminator: `[N, channels, imageSize, imageSize]` → logits `[N, 1]`.
    /// A conditional one appends the class vector to the image as constant planes, or ends in a ``ClassProjectionOutput``.
    ///
    /// With `spectralNorm`, every Conv2D and the Dense are wrapped in ``SpectralNorm``
    /// (each one's `u`, `v` drawn right after its weights) and BatchNorm is left out;
    /// with `minibatchStdDev`, ``MinibatchStdDev`` comes before the Flatten.
    public static func makeDiscriminator(_ configuration: Configuration,
                                         using generator: inout SeededGenerator) -> Sequential {
        configuration.validate()
        let c = configuration
        var layers: [any Layer] = []
        if let conditioning = c.conditioning, conditioning.discriminator == .concatenation {
            layers.append(conditioning.makeLayer(using: &generator))
        }
        layers += [
            spectrallyNormalized(Conv2D(c.channels + (c.conditioning?.discriminatorInputExtra ?? 0), c.baseWidth,
                                        kernelSize: 4, stride: 2, padding: 1, weightInitializer: .dcgan,
                                        using: &generator),
                                 if: c.spectralNorm, using: &generator),
            LeakyReLU(alpha: c.leakySlope),
        ]
        var width = c.baseWidth
        for _ in 1..<c.depth {
            layers.append(spectrallyNormalized(Conv2D(width, width * 2, kernelSize: 4, stride: 2, padding: 1,
                                                      bias: c.spectralNorm, weightInitializer: .dcgan,
                                                      using: &generator),
                                               if: c.spectralNorm, using: &generator))
            if !c.spectralNorm {
                layers.append(BatchNorm(width * 2, weightInitializer: .normal(mean: 1, standardDeviation: 0.02),
                                        using: &generator))
            }
            layers.append(LeakyReLU(alpha: c.leakySlope))
            width *= 2
        }
        if c.minibatchStdDev {
            layers.append(MinibatchStdDev())
            width += 1
        }
        layers.append(Flatten())
        let features = width * c.initialSize * c.initialSize
        if let conditioning = c.conditioning, conditioning.discriminator == .projection {
            layers.append(ClassProjectionOutput(features: features, classCount: conditioning.classCount,
                                                weightInitializer: .dcgan, using: &generator))
        } else {
            layers.append(spectrallyNormalized(Dense(features, 1, weightInitializer: .dcgan, using: &generator),
                                               if: c.spectralNorm, using: &generator))
        }
        return Sequential(layers)
    }

    /// Builds both networks from one generator (generator first, then discriminator).
    public static func make(_ configuration: Configuration,
                            using generator: inout SeededGenerator) -> (generator: Sequential, discriminator: Sequential) {
        let g = makeGenerator(configuration, using: &generator)
        let d = makeDiscriminator(configuration, using: &generator)
        return (g, d)
    }
}
