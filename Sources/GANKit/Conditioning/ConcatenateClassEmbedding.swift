/// Appends a learned vector per class to each sample: the usual way a
/// conditional GAN feeds the label to both networks (Mirza & Osindero 2014,
/// <https://arxiv.org/abs/1411.1784>, with a learned ``Embedding`` as in the
/// PyTorch cGAN tutorials instead of a one-hot code).
///
/// Shapes, with `d` = `dimension` and labels set by ``Layer/setClassLabels(_:)``:
/// - features `[N, F]` → `[N, F + d]`: the generator's noise `z` becomes `[z, e(y)]`;
/// - images `[N, C, H, W]` → `[N, C + d, H, W]`: `e(y)` is broadcast over the
///   image as `d` constant planes (the discriminator's input).
///
/// Backward returns the gradient of the input part and (with `.accumulate`)
/// adds the embedding part, summed over the planes, to the embedding's gradient.
///
/// ```swift
/// let generator = Sequential {
///     ConcatenateClassEmbedding(classCount: 10, dimension: 10, using: &rng)   // [N, 100] → [N, 110]
///     Dense(110, 256, using: &rng)
///     // …
/// }
/// generator.setClassLabels(Tensor([3, 1, 4]))
/// let images = generator(noise)   // three samples of the digits 3, 1 and 4
/// ```
public final class ConcatenateClassEmbedding: ClassConditionedLayer, InputShapeValidating {
    /// The per-class vectors.
    public let embedding: Embedding
    /// The number of classes (rows of the embedding).
    public var classCount: Int { embedding.count }
    /// The labels of the next forward, `[N]` (see ``ClassConditionedLayer``).
    public var classLabels = Tensor.empty
    /// No mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    private var cachedInputShape: TensorShape = [0]
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    private var embeddingGradientBuffer = TensorBuffer()

    /// Creates the layer with a `classCount × dimension` embedding, initialised N(0, 1).
    public init(classCount: Int, dimension: Int, using generator: inout SeededGenerator) {
        embedding = Embedding(count: classCount, dimension: dimension, using: &generator)
    }

    /// The embedding's weight, `[classCount, dimension]`.
    public var parameters: [Parameter] { embedding.parameters }
    /// None.
    public var buffers: [Buffer] { [] }

    private var name: String { "ConcatenateClassEmbedding(\(embedding.count) classes × \(embedding.dimension))" }

    /// Why `forward` would reject `shape` (neither `[N, F]` nor `[N, C, H, W]`).
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        shape.rank == 2 || shape.rank == 4 ? nil : inputShapeError(layer: name, expected: "[N, F] or [N, C, H, W]", got: shape)
    }

    /// `[N, F]` → `[N, F + d]`, or `[N, C, H, W]` → `[N, C + d, H, W]`.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        let batch = input.shape[0]
        requireClassLabels(forInput: input.shape, layer: name)
        cachedInputShape = input.shape
        let vectors = embedding.forward(classLabels)
        let d = embedding.dimension
        let plane = input.rank == 4 ? input.shape[2] * input.shape[3] : 1
        let inputRow = input.shape.elementsPerItem, outputRow = inputRow + d * plane
        var outputShape = input.shape
        outputShape[1] += d
        return outputBuffer.fill(shape: outputShape) { y in
            input.withUnsafeBufferPointer { x in
                vectors.withUnsafeBufferPointer { e in
                    for n in 0..<batch {
                        let row = y.baseAddress! + n * outputRow
                        row.update(from: x.baseAddress! + n * inputRow, count: inputRow)
                        for j in 0..<d {
                            (row + inputRow + j * plane).update(repeating: e[n * d + j], count: plane)
                        }
                    }
                }
            }
        }
    }

    /// dy shaped like the output → dx shaped like the input; the embedding's part goes to its gradient.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        var expected = cachedInputShape
        expected[1] += embedding.dimension
        require(outputGradient.shape == expected,
                "\(name).backward: expected output gradient \(expected), got \(outputGradient.shape)")
        let batch = cachedInputShape[0], d = embedding.dimension
        let inputRow = cachedInputShape.elementsPerItem
        let plane = cachedInputShape.rank == 4 ? cachedInputShape[2] * cachedInputShape[3] : 1
        let outputRow = inputRow + d * plane
        if parameterGradients == .accumulate {
            let embeddingGradient = embeddingGradientBuffer.fill(shape: [batch, d]) { de in
                outputGradient.withUnsafeBufferPointer { dy in
                    for n in 0..<batch {
                        for j in 0..<d {
                            let planeStart = dy.baseAddress! + n * outputRow + inputRow + j * plane
                            var sum: Float = 0
                            for p in 0..<plane { sum += planeStart[p] }
                            de[n * d + j] = sum
                        }
                    }
                }
            }
            embedding.backwardParametersOnly(embeddingGradient)
        }
        return inputGradientBuffer.fill(shape: cachedInputShape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                for n in 0..<batch {
                    (dx.baseAddress! + n * inputRow).update(from: dy.baseAddress! + n * outputRow, count: inputRow)
                }
            }
        }
    }

    /// `ConcatenateClassEmbedding(10 classes × 10)  // 100 parameters`.
    public var description: String { "\(name)  // \(formattedCount(parameterCount)) parameters" }
}
