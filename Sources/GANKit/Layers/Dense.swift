import CGANKitKernels

/// A fully connected layer: `y = x·Wᵀ + b`.
///
/// Input `[N, inFeatures]` → output `[N, outFeatures]`. The weight is
/// `[outFeatures, inFeatures]` (PyTorch's layout, so reference weights port
/// without a transpose) and the bias `[outFeatures]`.
/// Higher-rank inputs whose items hold `inFeatures` elements (e.g. `[N, 1, 28, 28]`
/// or `[N, 28, 28]` for 784 features) are read as `[N, inFeatures]`, and the
/// input gradient comes back in the input's shape; a rank-1 input or another
/// item size stops with `Dense(784 → 256): expected input [N, 784], got [4, 100]`.
public final class Dense: InputShapeValidating {
    /// Number of input features.
    public let inFeatures: Int
    /// Number of output features.
    public let outFeatures: Int
    /// `[outFeatures, inFeatures]`.
    public let weight: Parameter
    /// `[outFeatures]`, or `nil` when created with `bias: false`.
    public let bias: Parameter?
    /// Dense has no mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    /// The last input, read by `backward` for the weight gradient.
    private var cachedInput = Tensor(zeros: [0])
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    /// The forward's transposed input, for ``DenseProducts``.
    private let transposeScratch = ScratchMemory()

    /// Creates a layer with weights from `weightInitializer` and zero bias.
    /// - Parameters:
    ///   - inFeatures: size of each input item.
    ///   - outFeatures: size of each output item.
    ///   - bias: whether to add a learnable bias (default `true`).
    ///   - weightInitializer: default Glorot uniform (Keras' default; PyTorch uses `.pytorchDefault`).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                weightInitializer: Initializer = .glorotUniform(), using generator: inout SeededGenerator) {
        require(inFeatures > 0 && outFeatures > 0,
                "Dense: feature counts must be positive, got \(inFeatures) → \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(name: "weight",
                           value: weightInitializer.makeTensor([outFeatures, inFeatures], using: &generator))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(zeros: [outFeatures])) : nil
    }

    /// `weight`, then `bias` if present.
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }
    /// None.
    public var buffers: [Buffer] { [] }

    private var name: String { "Dense(\(inFeatures) → \(outFeatures))" }

    /// nil when `shape` is `[N, …]` (rank ≥ 2) with `inFeatures` elements per item, else the message `forward` stops with.
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank >= 2 && shape.elementsPerItem == inFeatures else {
            return inputShapeError(layer: name, expected: "[N, \(inFeatures)]", got: shape)
        }
        return nil
    }

    // MARK: - Forward

    /// `[N, inFeatures]` → `[N, outFeatures]`.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        let batch = input.shape[0]
        cachedInput = input
        let (outFeatures, inFeatures) = (self.outFeatures, self.inFeatures)
        return outputBuffer.fill(shape: [batch, outFeatures]) { y in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    DenseProducts.forward(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                                          x: x.baseAddress!, w: w.baseAddress!, y: y.baseAddress!,
                                          scratch: transposeScratch)
                }
            }
            if let bias {
                bias.value.withUnsafeBufferPointer { b in
                    gk_add_row_bias(y.baseAddress!, b.baseAddress!, batch, outFeatures)
                }
            }
        }
    }

    // MARK: - Backward

    /// dy `[N, outFeatures]` → dx shaped like the last input; dW += dyᵀ·x, db += Σ_N dy.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        if parameterGradients == .accumulate { accumulateParameterGradients(outputGradient) }
        return inputGradient(outputGradient)
    }

    /// dW += dyᵀ·x and db += Σ_N dy, without the input gradient's product.
    public func backwardParametersOnly(_ outputGradient: Tensor) {
        accumulateParameterGradients(outputGradient)
    }

    /// dW += dyᵀ·x, db += Σ_N dy for dy `[N, outFeatures]`.
    private func accumulateParameterGradients(_ outputGradient: Tensor) {
        let batch = cachedInput.shape[0]
        require(outputGradient.shape == [batch, outFeatures],
                "\(name).backward: expected output gradient [\(batch), \(outFeatures)], got \(outputGradient.shape)")
        let (outFeatures, inFeatures) = (self.outFeatures, self.inFeatures)
        outputGradient.withUnsafeBufferPointer { dy in
            cachedInput.withUnsafeBufferPointer { x in
                weight.withGradientForAccumulation { dw, overwrite in
                    // dw[out, in] += dy[N, out]ᵀ · x[N, in]  (= when the gradient was just zeroed)
                    DenseProducts.weightGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                                                 dy: dy.baseAddress!, x: x.baseAddress!, beta: overwrite ? 0 : 1,
                                                 dw: dw.baseAddress!)
                }
            }
            bias?.withGradientForAccumulation { db, overwrite in
                if overwrite { db.update(repeating: 0) }
                gk_add_column_sums(dy.baseAddress!, batch, outFeatures, db.baseAddress!)
            }
        }
    }

    /// dx `[N, inFeatures]` = dy · W for dy `[N, outFeatures]`.
    private func inputGradient(_ outputGradient: Tensor) -> Tensor {
        let batch = cachedInput.shape[0]
        require(outputGradient.shape == [batch, outFeatures],
                "\(name).backward: expected output gradient [\(batch), \(outFeatures)], got \(outputGradient.shape)")
        let (outFeatures, inFeatures) = (self.outFeatures, self.inFeatures)
        return inputGradientBuffer.fill(shape: cachedInput.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                weight.value.withUnsafeBufferPointer { w in
                    DenseProducts.inputGradient(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                                                dy: dy.baseAddress!, w: w.baseAddress!, dx: dx.baseAddress!)
                }
            }
        }
    }

    /// `Dense(784 → 256)  // 200,960 parameters`.
    public var description: String {
        "\(name)\(bias == nil ? " no bias" : "")  // \(formattedCount(parameterCount)) parameters"
    }
}
