/// The output layer of a projection discriminator (Miyato & Koyama 2018,
/// <https://arxiv.org/abs/1802.05637>): a linear score plus the inner product
/// of the features with a learned vector of the sample's class,
///
///     D(x, y) = wᵀφ(x) + b + e(y)ᵀφ(x)
///
/// Features `[N, F]` (or `[N, …]` with `F` values per sample) → scores `[N, 1]`.
/// It replaces the discriminator's last `Dense(F, 1)`; the class vectors start
/// at zero, so an untrained model scores like the unconditional one. Compared
/// with appending the label to the input, the projection lets every feature
/// vote on "is this the right class", which conditions more strongly.
///
/// Labels come from ``Layer/setClassLabels(_:)`` as for every ``ClassConditionedLayer``.
public final class ClassProjectionOutput: ClassConditionedLayer, LayerContainer, InputShapeValidating {
    /// The linear part, `Dense(features → 1)`.
    public let linear: Dense
    /// The class vectors e(y), `[classCount, features]`.
    public let classVectors: Embedding
    /// The labels of the next forward, `[N]`.
    public var classLabels = Tensor.empty
    /// No mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    private var cachedFeatures = Tensor.empty
    /// e(y) of the last forward, `[N, features]`, read again by `backward`.
    private var cachedVectors = Tensor.empty
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    private var vectorGradientBuffer = TensorBuffer()

    /// Creates the layer for `features` inputs per sample and `classCount` classes;
    /// the linear weights come from `weightInitializer`, the class vectors are zero.
    public init(features: Int, classCount: Int, weightInitializer: Initializer = .pytorchDefault,
                using generator: inout SeededGenerator) {
        linear = Dense(features, 1, weightInitializer: weightInitializer, using: &generator)
        classVectors = Embedding(count: classCount, dimension: features, weightInitializer: .constant(0),
                                 using: &generator)
    }

    /// The number of classes.
    public var classCount: Int { classVectors.count }
    /// `linear` and `classVectors`, so their parameters are named `"0.weight"`, `"0.bias"` and `"1.weight"`.
    public var children: [any Layer] { [linear, classVectors] }
    /// `linear.weight`, `linear.bias`, then the class vectors.
    public var parameters: [Parameter] { linear.parameters + classVectors.parameters }
    /// None.
    public var buffers: [Buffer] { [] }

    private var name: String { "ClassProjectionOutput(\(linear.inFeatures) features, \(classCount) classes)" }

    /// Why `forward` would reject `shape`.
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        shape.rank >= 2 && shape.elementsPerItem == linear.inFeatures
            ? nil : inputShapeError(layer: name, expected: "[N, \(linear.inFeatures)]", got: shape)
    }

    /// `[N, F]` → `[N, 1]`: `wᵀφ + b + e(y)ᵀφ`.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        let batch = input.shape[0], features = linear.inFeatures
        requireClassLabels(forInput: input.shape, layer: name)
        cachedFeatures = input
        let scores = linear.forward(input)
        cachedVectors = .empty  // let the embedding reuse its output buffer
        cachedVectors = classVectors.forward(classLabels)
        let vectors = cachedVectors
        return outputBuffer.fill(shape: [batch, 1]) { y in
            input.withUnsafeBufferPointer { phi in
                vectors.withUnsafeBufferPointer { e in
                    scores.withUnsafeBufferPointer { s in
                        for n in 0..<batch {
                            var dot: Float = 0
                            for j in 0..<features { dot += phi[n * features + j] * e[n * features + j] }
                            y[n] = s[n] + dot
                        }
                    }
                }
            }
        }
    }

    /// dy `[N, 1]` → dφ = dy·(w + e(y)) shaped like the input; dw, db, de(y) accumulate.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        let batch = cachedFeatures.shape[0], features = linear.inFeatures
        require(outputGradient.shape == [batch, 1],
                "\(name).backward: expected output gradient [\(batch), 1], got \(outputGradient.shape)")
        let linearGradient = linear.backward(outputGradient, parameterGradients: parameterGradients)
        if parameterGradients == .accumulate {
            let vectorGradient = vectorGradientBuffer.fill(shape: [batch, features]) { de in
                outputGradient.withUnsafeBufferPointer { dy in
                    cachedFeatures.withUnsafeBufferPointer { phi in
                        for i in 0..<batch * features { de[i] = dy[i / features] * phi[i] }
                    }
                }
            }
            classVectors.backwardParametersOnly(vectorGradient)
        }
        let vectors = cachedVectors
        return inputGradientBuffer.fill(shape: cachedFeatures.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                linearGradient.withUnsafeBufferPointer { dl in
                    vectors.withUnsafeBufferPointer { e in
                        for i in 0..<batch * features { dx[i] = dl[i] + dy[i / features] * e[i] }
                    }
                }
            }
        }
    }

    /// `ClassProjectionOutput(256 features, 10 classes)  // 2,817 parameters`.
    public var description: String { "\(name)  // \(formattedCount(parameterCount)) parameters" }
}
