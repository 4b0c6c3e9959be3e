/// A 2-D convolution (cross-correlation, as in PyTorch) over a batch of multi-channel images.
///
/// Input `[N, inChannels, H, W]` → output `[N, outChannels, Hout, Wout]` with
/// `Hout = (H + 2·padding − kernelHeight) / stride + 1` (integer division;
/// likewise for the width), PyTorch's rule with dilation 1.
///
/// `y[n, o, i, j] = b[o] + Σ_{c, kh, kw} w[o, c, kh, kw] · x[n, c, i·s − p + kh, j·s − p + kw]`,
/// reading zeros outside the image. The weight is `[outChannels, inChannels, kH, kW]`
/// (PyTorch's layout, so reference weights port without a transpose), the bias `[outChannels]`.
///
/// Computed as im2col + one matrix product per group of images (as many as fit
/// 1 MiB of columns, see `imageGroupSize`), with the images of a batch split over
/// `Parallelism.threadCount` threads.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let conv = Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &rng)
/// let y = conv(Tensor.randomNormal([64, 1, 28, 28], using: &rng))   // [64, 64, 14, 14]
/// ```
public final class Conv2D: InputShapeValidating {
    /// Channels of each input image.
    public let inChannels: Int
    /// Channels of each output image (the number of filters).
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: (height: Int, width: Int)
    /// Step between neighbouring output positions, vertically and horizontally.
    public let stride: (height: Int, width: Int)
    /// Zeros added on each side of the input: `height` rows above and below, `width` columns left and right.
    public let padding: (height: Int, width: Int)
    /// `[outChannels, inChannels, kernelHeight, kernelWidth]`.
    public let weight: Parameter
    /// `[outChannels]`, or `nil` when created with `bias: false` (e.g. before a BatchNorm).
    public let bias: Parameter?
    /// Conv2D has no mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    /// The last input, read by `backward` (im2col again) for the weight gradient.
    private var cachedInput = Tensor.empty
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    /// One `[C·kH·kW, Hout·Wout]` columns matrix per chunk of images.
    private let columnScratch = ScratchMemory()
    /// Weight-gradient partials `[outChannels, C·kH·kW]` of chunks 1… (chunk 0 adds into the gradient).
    private let partialScratch = ScratchMemory()

    /// Creates a convolution with weights from `weightInitializer` and zero bias.
    /// - Parameters:
    ///   - inChannels: channels of the input images.
    ///   - outChannels: number of filters (output channels).
    ///   - kernelSize: `(height, width)` of each filter.
    ///   - stride: `(height, width)` step between output positions (default `(1, 1)`).
    ///   - padding: `(height, width)` zeros added on each side (default `(0, 0)`).
    ///   - bias: whether to add a learnable per-channel bias (default `true`).
    ///   - weightInitializer: default `.pytorchDefault`, U(±1/√(inChannels·kH·kW)); DCGAN uses `.dcgan`.
    /// - Precondition: channel counts, kernel sizes and strides are positive; padding is not negative.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0),
                bias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
                using generator: inout SeededGenerator) {
        require(inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0
                && stride.height > 0 && stride.width > 0 && padding.height >= 0 && padding.width >= 0,
                "Conv2D: channels, kernel size and stride must be positive and padding non-negative, got "
                + "\(inChannels) → \(outChannels), kernel \(kernelSize), stride \(stride), padding \(padding)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = Parameter(name: "weight", value: weightInitializer.makeTensor(
            [outChannels, inChannels, kernelSize.height, kernelSize.width], using: &generator))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(zeros: [outChannels])) : nil
    }

    /// Creates a convolution with a square kernel and the same stride and padding on both axes.
    ///
    /// The parameters are those of the `(height, width)` initializer, each pair given as one number;
    /// `Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &rng)` is DCGAN's first discriminator layer.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
                            using generator: inout SeededGenerator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), bias: bias, weightInitializer: weightInitializer, using: &generator)
    }

    /// `weight`, then `bias` if present.
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }
    /// None.
    public var buffers: [Buffer] { [] }

    /// `Conv2D(1 → 64, kernel 4, stride 2, padding 1)`: the constructor, as used in messages.
    private var name: String {
        "Conv2D(\(inChannels) → \(outChannels), kernel \(formattedPair(kernelSize)), "
            + "stride \(formattedPair(stride)), padding \(formattedPair(padding)))"
    }

    /// The output shape `[N, outChannels, Hout, Wout]` for an input of `inputShape`.
    /// - Precondition: `inputShape` is `[N, inChannels, H, W]` with the padded image at least as large as the kernel.
    public func outputShape(for inputShape: TensorShape) -> TensorShape {
        let g = geometry(for: inputShape)
        return imageShape(batch: inputShape[0], channels: outChannels, height: g.outputHeight, width: g.outputWidth)
    }

    /// Why `forward` would reject `shape`: not `[N, inChannels, H, W]`, or an image
    /// smaller than the kernel after padding.
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank == 4 && shape[1] == inChannels else {
            return inputShapeError(layer: name, expected: "[N, \(inChannels), H, W]", got: shape)
        }
        let minimumHeight = max(1, kernelSize.height - 2 * padding.height)
        let minimumWidth = max(1, kernelSize.width - 2 * padding.width)
        guard shape[2] >= minimumHeight && shape[3] >= minimumWidth else {
            return inputShapeError(layer: name, expected: "[N, \(inChannels), H ≥ \(minimumHeight), W ≥ \(minimumWidth)]",
                                   got: shape)
        }
        return nil
    }

    /// Validates `shape` at the layer boundary and describes the convolution of one image.
    private func geometry(for shape: TensorShape) -> ConvolutionGeometry {
        requireValidInput(shape)
        let (height, width) = (shape[2], shape[3])
        return ConvolutionGeometry(
            channels: inChannels, height: height, width: width,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
            strideHeight: stride.height, strideWidth: stride.width,
            paddingHeight: padding.height, paddingWidth: padding.width,
            outputHeight: ConvolutionGeometry.convolutionOutputSize(
                height, kernel: kernelSize.height, stride: stride.height, padding: padding.height),
            outputWidth: ConvolutionGeometry.convolutionOutputSize(
                width, kernel: kernelSize.width, stride: stride.width, padding: padding.width))
    }

    // MARK: - Forward

    /// `[N, inChannels, H, W]` → `[N, outChannels, Hout, Wout]`.
    public func forward(_ input: Tensor) -> Tensor {
        let g = geometry(for: input.shape)
        cachedInput = input
        let batch = input.shape[0], outChannels = self.outChannels
        let chunks = imageChunkCount(batch: batch)
        let scratch = ChunkScratch(columnScratch, g, channels: outChannels, batch: batch, chunks: chunks)
        let shape = imageShape(batch: batch, channels: outChannels, height: g.outputHeight, width: g.outputWidth)
        return outputBuffer.fill(shape: shape) { y in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    withPointer(to: bias?.value) { b in
                        let (x, w, y) = (SendablePointer(x.baseAddress!), SendablePointer(w.baseAddress!),
                                         SendablePointer(y.baseAddress!))
                        let b = b.map { SendablePointer($0) }
                        forEachImageChunk(batch: batch, chunks: chunks, Conv2DForwardChunk(
                            g: g, scratch: scratch, outChannels: outChannels, x: x, weight: w, bias: b, output: y))
                    }
                }
            }
        }
    }

    // MARK: - Backward

    /// dy `[N, outChannels, Hout, Wout]` → dx `[N, inChannels, H, W]`;
    /// dW += Σ_n dy_n·cols_nᵀ and db += Σ dy over N, Hout, Wout (both skipped with `.skip`).
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        let input = cachedInput
        return inputGradientBuffer.fill(shape: input.shape) { dx in
            backwardKernels(outputGradient, accumulate: parameterGradients == .accumulate,
                            inputGradient: dx.baseAddress!)
        }
    }

    /// dW and db as in `backward`, without the input gradient (its product and col2im).
    public func backwardParametersOnly(_ outputGradient: Tensor) {
        backwardKernels(outputGradient, accumulate: true, inputGradient: nil)
    }

    /// The backward pass; `inputGradient` (dx, `[N, inChannels, H, W]`) is skipped when nil.
    private func backwardKernels(_ outputGradient: Tensor, accumulate: Bool,
                                 inputGradient dxBase: UnsafeMutablePointer<Float>?) {
        let g = geometry(for: cachedInput.shape)
        let batch = cachedInput.shape[0], outChannels = self.outChannels
        let expected = imageShape(batch: batch, channels: outChannels, height: g.outputHeight, width: g.outputWidth)
        require(outputGradient.shape == expected,
                "\(name).backward: expected output gradient \(expected), got \(outputGradient.shape)")
        let chunks = imageChunkCount(batch: batch)
        let scratch = ChunkScratch(columnScratch, g, channels: outChannels, batch: batch, chunks: chunks)
        let input = cachedInput
        let dx = dxBase.map { SendablePointer($0) }
        outputGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    accumulatingChunkedGradient(of: weight, if: accumulate, chunks: chunks,
                                                partialMemory: partialScratch) { dw in
                        let (dy, x, w) = (SendablePointer(dy.baseAddress!), SendablePointer(x.baseAddress!),
                                          SendablePointer(w.baseAddress!))
                        forEachImageChunk(batch: batch, chunks: chunks, Conv2DBackwardChunk(
                            g: g, scratch: scratch, outChannels: outChannels, x: x, weight: w, outputGradient: dy,
                            weightGradient: dw, inputGradient: dx))
                    }
                }
            }
        }
        if accumulate, let bias {
            outputGradient.withUnsafeBufferPointer { dy in
                bias.gradient.withUnsafeMutableBufferPointer { db in
                    addChannelSums(dy.baseAddress!, batch: batch, channels: outChannels, positions: g.positions,
                                   into: db.baseAddress!)
                }
            }
        }
    }

    /// `Conv2D(1 → 64, kernel 4, stride 2, padding 1)  // 1,088 parameters`.
    public var description: String {
        "\(name)\(bias == nil ? " no bias" : "")  // \(formattedCount(parameterCount)) parameters"
    }
}

// MARK: - Kernels

/// Forward of `count` consecutive images as one product: `y_j = W·im2col(x_j) + b`.
///
/// With L = Hout·Wout and the group's width G = count·L:
/// - `images`:  `count` images `[C, H, W]`, consecutive
/// - `weight`:  `[outChannels, C·kH·kW]`
/// - `bias`:    `[outChannels]` or nil
/// - `columns`: scratch `[C·kH·kW, G]`: image j's patches in columns j·L ..< (j+1)·L
/// - `staging`: scratch `[outChannels, G]`, the product before it is split into images
///              (unused when count == 1: the product goes straight to `output`)
/// - `output`:  `count` images `[outChannels, L]`, consecutive, overwritten
private func conv2DForwardGroup(_ images: UnsafePointer<Float>, count: Int, weight: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, _ g: ConvolutionGeometry, outChannels: Int,
                                columns: UnsafeMutablePointer<Float>, staging: UnsafeMutablePointer<Float>,
                                output: UnsafeMutablePointer<Float>) {
    let (k, l) = (g.patchSize, g.positions)
    let width = count * l
    for j in 0..<count { im2col(images + j * g.imageSize, g, columns: columns + j * l, rowStride: width) }
    let product = count == 1 ? output : staging
    convolutionProduct(transposeA: false, m: outChannels, n: width, k: k, a: weight, lda: k, b: columns, ldb: width,
                       c: product, ldc: width)
    if count > 1 {
        regroupImages(staging, output, count: count, channels: outChannels, positions: l,
                      imageStride: outChannels * l, gather: false)
    }
    if let bias {
        for j in 0..<count { addChannelBias(bias, to: output + j * outChannels * l, channels: outChannels, positions: l) }
    }
}

/// Backward of `count` consecutive images as one product per gradient.
///
/// With L = Hout·Wout and G = count·L:
/// - `images`:         the forward inputs, `count` × `[C, H, W]`
/// - `weight`:         `[outChannels, C·kH·kW]`
/// - `outputGradient`: dy, `count` × `[outChannels, L]`
/// - `columns`:        scratch `C·kH·kW·G` floats: first the patches of the images (in the layout the
///                     weight-gradient product asks for), then Wᵀ·dy `[C·kH·kW, G]`
/// - `staging`:        scratch `[outChannels, G]`: dy of the group side by side (unused when count == 1)
/// - `weightGradient`: `[outChannels, C·kH·kW]`, `+= dy·colsᵀ` (or `=` when `overwriteWeightGradient`);
///                     nil skips the im2col and the product entirely (`.skip`)
/// - `inputGradient`:  dx, `count` × `[C, H, W]` = col2im(Wᵀ·dy), overwritten; nil skips it
private func conv2DBackwardGroup(_ images: UnsafePointer<Float>, count: Int, weight: UnsafePointer<Float>,
                                 outputGradient dy: UnsafePointer<Float>, _ g: ConvolutionGeometry, outChannels: Int,
                                 columns: UnsafeMutablePointer<Float>, staging: UnsafeMutablePointer<Float>,
                                 weightGradient: UnsafeMutablePointer<Float>?, overwriteWeightGradient: Bool,
                                 inputGradient: UnsafeMutablePointer<Float>?) {
    let (k, l) = (g.patchSize, g.positions)
    let width = count * l
    var grouped = dy
    if count > 1 {
        regroupImages(staging, UnsafeMutablePointer(mutating: dy), count: count, channels: outChannels, positions: l,
                      imageStride: outChannels * l, gather: true)
        grouped = UnsafePointer(staging)
    }
    if let weightGradient {
        convolutionWeightGradient(outputs: outChannels, patchSize: k, width: width, gradient: grouped,
                                  beta: overwriteWeightGradient ? 0 : 1, into: weightGradient) { layout in
            for j in 0..<count {
                switch layout {
                case .columns: im2col(images + j * g.imageSize, g, columns: columns + j * l, rowStride: width)
                case .rows: im2row(images + j * g.imageSize, g, rows: columns + j * l * k)
                }
            }
            return UnsafePointer(columns)
        }
    }
    guard let inputGradient else { return }
    convolutionProduct(transposeA: true, m: k, n: width, k: outChannels, a: weight, lda: k, b: grouped, ldb: width,
                       c: columns, ldc: width)
    for j in 0..<count { col2im(columns + j * l, g, image: inputGradient + j * g.imageSize, rowStride: width) }
}

/// `output[c, p] += bias[c]` for `output` `[channels, positions]`.
func addChannelBias(_ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>,
                    channels: Int, positions: Int) {
    for c in 0..<channels {
        let row = output + c * positions, value = bias[c]
        for p in 0..<positions { row[p] += value }
    }
}

/// `target[c] += Σ_{n, p} gradient[n, c, p]` for `gradient` `[batch, channels, positions]`
/// (a convolution's bias gradient), summed in a fixed order.
func addChannelSums(_ gradient: UnsafePointer<Float>, batch: Int, channels: Int, positions: Int,
                    into target: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        var sum: Float = 0
        for n in 0..<batch {
            let row = gradient + (n * channels + c) * positions
            for p in 0..<positions { sum += row[p] }
        }
        target[c] += sum
    }
}

/// `4` for a square pair, `(3, 2)` otherwise (for layer descriptions).
func formattedPair(_ pair: (height: Int, width: Int)) -> String {
    pair.height == pair.width ? "\(pair.height)" : "(\(pair.height), \(pair.width))"
}

/// One chunk of images of `Conv2D.forward`: im2col + GEMM per group of images.
private struct Conv2DForwardChunk: ImageChunkKernel {
    let g: ConvolutionGeometry
    let scratch: ChunkScratch
    let outChannels: Int
    let x: SendablePointer<Float>, weight: SendablePointer<Float>, bias: SendablePointer<Float>?
    let output: SendablePointer<Float>

    func run(chunk: Int, images: Range<Int>) {
        scratch.forEachGroup(of: images) { n, count in
            conv2DForwardGroup(x.pointer + n * g.imageSize, count: count, weight: weight.pointer, bias: bias?.pointer, g,
                               outChannels: outChannels, columns: scratch.columns(chunk: chunk),
                               staging: scratch.staging(chunk: chunk), output: output.pointer + n * outChannels * g.positions)
        }
    }
}

/// One chunk of images of `Conv2D`'s backward pass (weight gradient through ``ChunkedWeightGradient``).
private struct Conv2DBackwardChunk: ImageChunkKernel {
    let g: ConvolutionGeometry
    let scratch: ChunkScratch
    let outChannels: Int
    let x: SendablePointer<Float>, weight: SendablePointer<Float>, outputGradient: SendablePointer<Float>
    let weightGradient: ChunkedWeightGradient?
    let inputGradient: SendablePointer<Float>?

    func run(chunk: Int, images: Range<Int>) {
        scratch.forEachGroup(of: images) { n, count in
            conv2DBackwardGroup(
                x.pointer + n * g.imageSize, count: count, weight: weight.pointer,
                outputGradient: outputGradient.pointer + n * outChannels * g.positions, g, outChannels: outChannels,
                columns: scratch.columns(chunk: chunk), staging: scratch.staging(chunk: chunk),
                weightGradient: weightGradient?.target(chunk: chunk),
                overwriteWeightGradient: weightGradient?.overwrites(chunk: chunk, firstGroup: n == images.lowerBound) ?? false,
                inputGradient: inputGradient.map { $0.pointer + n * g.imageSize })
        }
    }
}
