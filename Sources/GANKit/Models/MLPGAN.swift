/// Builders for the fully connected GAN of the classic MNIST tutorials.
///
/// The generator maps noise `[N, latentDimension]` to images `[N] + imageShape`
/// in [−1, 1] (tanh output; in [0, 1] with a sigmoid output, see
/// ``Configuration/generatorOutput``); the discriminator maps images to one logit per
/// sample, `[N, 1]` (pair it with a logits-based objective such as
/// `NonSaturatingGAN`), or to one probability with ``Configuration/discriminatorOutput``
/// `.probabilities` (pair it with `NonSaturatingGAN(outputs: .probabilities)`).
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let (generator, discriminator) = MLPGAN.make(.small, using: &rng)
/// // generator:     Dense(100 → 256) LeakyReLU Dense(256 → 512) LeakyReLU Dense(512 → 784) Tanh Reshape([1, 28, 28])
/// // discriminator: Flatten Dense(784 → 512) LeakyReLU Dense(512 → 256) LeakyReLU Dense(256 → 1)
/// ```
public enum MLPGAN {
    /// The hidden-layer activation.
    public enum Activation: Sendable, Hashable {
        /// LeakyReLU with the given negative slope (GANs use 0.2).
        case leakyReLU(Float)
        /// ReLU.
        case relu
        /// tanh.
        case tanh

        func makeLayer() -> any Layer {
            switch self {
            case .leakyReLU(let alpha): LeakyReLU(alpha: alpha)
            case .relu: ReLU()
            case .tanh: Tanh()
            }
        }
    }

    /// The generator's output activation, which fixes the range of its images.
    public enum OutputActivation: Sendable, Hashable {
        /// tanh: images in [−1, 1] (the default, the PyTorch tutorials').
        case tanh
        /// sigmoid: images in [0, 1] (Keras examples that scale pixels by 1/255).
        case sigmoid

        /// The range of the images: load the data and write samples with it.
        public var pixelRange: PixelRange { self == .tanh ? .minusOneToOne : .zeroToOne }

        func makeLayer() -> any Layer {
            switch self {
            case .tanh: Tanh()
            case .sigmoid: Sigmoid()
            }
        }
    }

    /// Sizes and options of an MLP GAN.
    public struct Configuration: Sendable, Hashable {
        /// Length of the noise vector z.
        public var latentDimension: Int
        /// Shape of one image, e.g. `[1, 28, 28]`.
        public var imageShape: [Int]
        /// Hidden widths of the generator, first to last.
        public var generatorHiddenSizes: [Int]
        /// Hidden widths of the discriminator, first to last.
        public var discriminatorHiddenSizes: [Int]
        /// Activation after each hidden layer of both networks.
        public var hiddenActivation: Activation
        /// Dropout rate after each hidden activation of the discriminator (0 = none).
        public var discriminatorDropout: Float
        /// Initialisation of every Dense weight (biases start at zero).
        public var weightInitializer: Initializer
        /// Wrap every Dense layer of the discriminator in ``SpectralNorm`` (default false).
        public var spectralNorm: Bool
        /// Insert ``MinibatchStdDev`` (group 4) before the discriminator's last Dense,
        /// which then reads one more feature (default false).
        public var minibatchStdDev: Bool
        /// Class conditioning (a conditional GAN), or nil for an unconditional one.
        public var conditioning: ClassConditioning?
        /// The generator's last activation: `.tanh` (default, images in [−1, 1]) or
        /// `.sigmoid` (images in [0, 1]; load data with ``OutputActivation/pixelRange``).
        public var generatorOutput: OutputActivation
        /// `.logits` (default): D ends in its last Dense; `.probabilities`: a `Sigmoid`
        /// follows it, and the objective must be told (`NonSaturatingGAN(outputs: .probabilities)`).
        public var discriminatorOutput: DiscriminatorOutputs

        /// Creates a configuration; the defaults are the *small* preset.
        public init(latentDimension: Int = 100, imageShape: [Int] = [1, 28, 28],
                    generatorHiddenSizes: [Int] = [256, 512], discriminatorHiddenSizes: [Int] = [512, 256],
                    hiddenActivation: Activation = .leakyReLU(0.2), discriminatorDropout: Float = 0,
                    weightInitializer: Initializer = .pytorchDefault, spectralNorm: Bool = false,
                    minibatchStdDev: Bool = false, conditioning: ClassConditioning? = nil,
                    generatorOutput: OutputActivation = .tanh, discriminatorOutput: DiscriminatorOutputs = .logits) {
            self.latentDimension = latentDimension
            self.imageShape = imageShape
            self.generatorHiddenSizes = generatorHiddenSizes
            self.discriminatorHiddenSizes = discriminatorHiddenSizes
            self.hiddenActivation = hiddenActivation
            self.discriminatorDropout = discriminatorDropout
            self.weightInitializer = weightInitializer
            self.spectralNorm = spectralNorm
            self.minibatchStdDev = minibatchStdDev
            self.conditioning = conditioning
            self.generatorOutput = generatorOutput
            self.discriminatorOutput = discriminatorOutput
        }

        /// The PyTorch tutorial GAN: G 100→256→512→784, D 784→512→256→1, LeakyReLU(0.2), tanh output.
        public static let small = Configuration()

        /// The Keras tutorial GAN: G 100→256→512→1024→784, D 784→512→256→1 with
        /// Dropout(0.4) after each hidden activation, Glorot-uniform weights.
        public static let keras = Configuration(generatorHiddenSizes: [256, 512, 1024],
                                                discriminatorDropout: 0.4,
                                                weightInitializer: .glorotUniform())

        /// The minimal Keras GAN: G 100→128→784 with ReLU and a **sigmoid** output
        /// (images in [0, 1]: load data with `pixelRange: .zeroToOne`), D 784→128→1
        /// with ReLU and a **sigmoid** output (train it with
        /// `NonSaturatingGAN(outputs: .probabilities)`, Keras' `binary_crossentropy`),
        /// Glorot-uniform weights and zero biases (Keras' `Dense` defaults).
        ///
        /// The layers are those of the vanilla GAN in Agustinus Kristiadi's
        /// `generative-models` (`GAN/vanilla_gan/gan_tensorflow.py`,
        /// <https://github.com/wiseodd/generative-models>), the source most minimal
        /// Keras ports follow: ReLU in both hidden layers (not LeakyReLU), sigmoid on both
        /// outputs. It trains with Adam(1e-3) and Keras' default β₁ 0.9, β₂ 0.999.
        public static let minimal = Configuration(generatorHiddenSizes: [128], discriminatorHiddenSizes: [128],
                                                  hiddenActivation: .relu, weightInitializer: .glorotUniform(),
                                                  generatorOutput: .sigmoid, discriminatorOutput: .probabilities)

        /// Number of values in one image.
        public var imageSize: Int { imageShape.reduce(1, *) }
    }

    /// Builds the generator: `[N, latentDimension]` → `[N] + imageShape` in [−1, 1]
    /// (in [0, 1] with a sigmoid ``Configuration/generatorOutput``).
    /// A conditional generator starts with a ``ConcatenateClassEmbedding`` (labels set with `setClassLabels`).
    public static func makeGenerator(_ configuration: Configuration, using generator: inout SeededGenerator) -> Sequential {
        let embedding = configuration.conditioning
        let widths = [configuration.latentDimension + (embedding?.embeddingDimension ?? 0)]
            + configuration.generatorHiddenSizes
        var layers: [any Layer] = embedding.map { [$0.makeLayer(using: &generator)] } ?? []
        for (input, output) in zip(widths, widths.dropFirst()) {
            layers.append(Dense(input, output, weightInitializer: configuration.weightInitializer, using: &generator))
            layers.append(configuration.hiddenActivation.makeLayer())
        }
        layers.append(Dense(widths.last!, configuration.imageSize, weightInitializer: configuration.weightInitializer,
                            using: &generator))
        layers.append(configuration.generatorOutput.makeLayer())
        layers.append(Reshape(TensorShape(configuration.imageShape)))
        return Sequential(layers)
    }

    /// Builds the discriminator: `[N] + imageShape` → logits `[N, 1]` (probabilities
    /// when ``Configuration/discriminatorOutput`` is `.probabilities`: a final `Sigmoid`).
    /// A conditional one appends the class vector to the flattened image, or ends in a ``ClassProjectionOutput``.
    ///
    /// Each dropout layer gets its own seed drawn from `generator`, so the whole
    /// model is reproducible from one seed. With `spectralNorm`, every Dense is
    /// wrapped in ``SpectralNorm`` (its `u`, `v` drawn right after its weights);
    /// with `minibatchStdDev`, ``MinibatchStdDev`` comes before the last Dense.
    public static func makeDiscriminator(_ configuration: Configuration,
                                         using generator: inout SeededGenerator) -> Sequential {
        let c = configuration
        let conditioning = c.conditioning
        let widths = [c.imageSize + (conditioning?.discriminatorInputExtra ?? 0)] + c.discriminatorHiddenSizes
        var layers: [any Layer] = [Flatten()]
        if let conditioning, conditioning.discriminator == .concatenation {
            layers.append(conditioning.makeLayer(using: &generator))
        }
        for (input, output) in zip(widths, widths.dropFirst()) {
            layers.append(spectrallyNormalized(Dense(input, output, weightInitializer: c.weightInitializer,
                                                     using: &generator), if: c.spectralNorm, using: &generator))
            layers.append(c.hiddenActivation.makeLayer())
            if c.discriminatorDropout > 0 {
                layers.append(Dropout(rate: c.discriminatorDropout, seed: generator.next()))
            }
        }
        if c.minibatchStdDev { layers.append(MinibatchStdDev()) }
        let features = widths.last! + (c.minibatchStdDev ? 1 : 0)
        if let conditioning, conditioning.discriminator == .projection {
            layers.append(ClassProjectionOutput(features: features, classCount: conditioning.classCount,
                                                weightInitializer: c.weightInitializer, using: &generator))
        } else {
            layers.append(spectrallyNormalized(Dense(features, 1, weightInitializer: c.weightInitializer,
                                                     using: &generator), if: c.spectralNorm, using: &generator))
        }
        if c.discriminatorOutput == .probabilities { layers.append(Sigmoid()) }
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
