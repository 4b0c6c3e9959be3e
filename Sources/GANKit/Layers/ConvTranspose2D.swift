/// A 2-D transposed convolution ("fractionally strided", often mis-called deconvolution): ``Conv2D``'s adjoint.
///
/// Input `[N, inChannels, H, W]` → output `[N, outChannels, Hout, Wout]` with
/// `Hout = (H − 1)·stride − 2·padding + kernelHeight + outputPadding` (PyTorch's
/// rule, dilation 1; likewise for the width). It is exactly the input gradient of
/// a `Conv2D(outChannels → inChannels)` with the same kernel, stride and padding
/// and the same weight tensor, applied to an image of size `Hout × Wout`;
/// `outputPadding` picks among the sizes that convolution maps to `H`.
///
/// `y[n, o, i·s − p + kh, j·s − p + kw] += w[c, o, kh, kw] · x[n, c, i, j]` over
/// all `c, i, j, kh, kw` (positions outside the output are dropped), plus `b[o]`.
/// The weight is `[inChannels, outChannels, kH, kW]` (PyTorch's layout: the
/// matching Conv2D's `[out, in, kH, kW]`), the bias `[outChannels]`.
/// See Dumoulin & Visin, "A guide to convolution arithmetic" (arXiv:1603.07285).
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let up = ConvTranspose2D(128, 64, kernelSize: 4, stride: 2, padding: 1, using: &rng)
/// let y = up(Tensor.randomNormal([64, 128, 7, 7], using: &rng))   // [64, 64, 14, 14]
/// ```
public final class ConvTranspose2D: InputShapeValidating {
    /// Channels of each input image.
    public let inChannels: Int
    /// Channels of each output image.
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: (height: Int, width: Int)
    /// Upsampling factor: input neighbours land `stride` output positions apart.
    public let stride: (height: Int, width: Int)
    /// Rows/columns cropped from each side of the full transposed-convolution output.
    public let padding: (height: Int, width: Int)
    /// Extra rows/columns added to the bottom/right of the output (each < stride).
    public let outputPadding: (height: Int, width: Int)
    /// `[inChannels, outChannels, kernelHeight, kernelWidth]`.
    public let weight: Parameter
    /// `[outChannels]`, or `nil` when created with `bias: false`.
    public let bias: Parameter?
    /// ConvTranspose2D has no mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    /// The last input, read by `backward` for the weight gradient.
    private var cachedInput = Tensor.empty
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()
    /// One `[outChannels·kH·kW, H·W]` columns matrix per chunk of images.
    private let columnScratch = ScratchMemory()
    /// Weight-gradient partials `[inChannels, outChannels·kH·kW]` of chunks 1… (chunk 0 adds into the gradient).
    private let partialScratch = ScratchMemory()

    /// Creates a transposed convolution with weights from `weightInitializer` and zero bias.
    /// - Parameters:
    ///   - inChannels: channels of the input images.
    ///   - outChannels: channels of the output images.
    ///   - kernelSize: `(height, width)` of each filter.
    ///   - stride: `(height, width)` upsampling step (default `(1, 1)`).
    ///   - padding: `(height, width)` cropped from each side of the output (default `(0, 0)`).
    ///   - outputPadding: `(height, width)` added at the bottom/right (default `(0, 0)`).
    ///   - bias: whether to add a learnable per-channel bias (default `true`).
    ///   - weightInitializer: default `.pytorchDefault`; as in PyTorch the fan-in is computed from
    ///     weight dimension 1, i.e. `outChannels·kH·kW`. DCGAN uses `.dcgan`.
    /// - Precondition: channel counts, kernel sizes and strides are positive, padding is not
    ///   negative, and `outputPadding` is in `0..<stride` on each axis (PyTorch's rule).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0),
                outputPadding: (height: Int, width: Int) = (0, 0), bias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, using generator: inout SeededGenerator) {
        require(inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0
                && stride.height > 0 && stride.width > 0 && padding.height >= 0 && padding.width >= 0,
                "ConvTranspose2D: channels, kernel size and stride must be positive and padding non-negative, "
                + "got \(inChannels) → \(outChannels), kernel \(kernelSize), stride \(stride), "
                + "padding \(padding)")
        require((0..<stride.height).contains(outputPadding.height)
                && (0..<stride.width).contains(outputPadding.width),
                "ConvTranspose2D: output padding \(outputPadding) must be non-negative and smaller than "
                + "the stride \(stride)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        weight = Parameter(name: "weight", value: weightInitializer.makeTensor(
            [inChannels, outChannels, kernelSize.height, kernelSize.width], using: &generator))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(zeros: [outChannels])) : nil
    }

    /// Creates a transposed convolution with a square kernel and the same stride and paddings on both axes.
    ///
    /// The parameters are those of the `(height, width)` initializer, each pair given as one number;
    /// `ConvTranspose2D(128, 64, kernelSize: 4, stride: 2, padding: 1, using: &rng)` doubles 7×7 to 14×14.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, outputPadding: Int = 0, bias: Bool = true,
                            weightInitializer: Initializer = .pytorchDefault, using generator: inout SeededGenerator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), outputPadding: (outputPadding, outputPadding), bias: bias,
                  weightInitializer: weightInitializer, using: &generator)
    }

    /// `weight`, then `bias` if present.
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }
    /// None.
    public var buffers: [Buffer] { [] }

    /// `ConvTranspose2D(128 → 64, kernel 4, stride 2, padding 1)`: the constructor, as used in messages.
    private var name: String {
        let extra = outputPadding == (0, 0) ? "" : ", output padding \(formattedPair(outputPadding))"
        return "ConvTranspose2D(\(inChannels) → \(outChannels), kernel \(formattedPair(kernelSize)), "
            + "stride \(formattedPair(stride)), padding \(formattedPair(padding))\(extra))"
    }

    /// The output shape `[N, outChannels, Hout, Wout]` for an input of `inputShape`.
    /// - Precondition: `inputShape` is `[N, inChannels, H, W]` giving a positive output size.
    public func outputShape(for inputShape: TensorShape) -> TensorShape {
        let g = geometry(for: inputShape)
        return imageShape(batch: inputShape[0], channels: outChannels, height: g.height, width: g.width)
    }

    /// Why `forward` would reject `shape`: not `[N, inChannels, H, W]`, or an
    /// empty image or output.
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank == 4 && shape[1] == inChannels else {
            return inputShapeError(layer: name, expected: "[N, \(inChannels), H, W]", got: shape)
        }
        let (height, width) = outputSize(for: shape)
        guard shape[2] >= 1 && shape[3] >= 1 && height >= 1 && width >= 1 else {
            return inputShapeError(layer: name, expected: "[N, \(inChannels), H, W] with a positive output size "
                                   + "(here \(height) × \(width))", got: shape)
        }
        return nil
    }

    /// The output height and width for an input `[N, C, H, W]`: `(H − 1)·stride − 2·padding + kernel + outputPadding`.
    private func outputSize(for shape: TensorShape) -> (height: Int, width: Int) {
        func size(_ size: Int, _ k: Int, _ s: Int, _ p: Int, _ op: Int) -> Int { (size - 1) * s - 2 * p + k + op }
        return (size(shape[2], kernelSize.height, stride.height, padding.height, outputPadding.height),
                size(shape[3], kernelSize.width, stride.width, padding.width, outputPadding.width))
    }

    /// Validates `shape` and describes the *adjoint convolution*: its image is this layer's output
    /// `[outChannels, Hout, Wout]`, its output positions this layer's input `H × W`.
    private func geometry(for shape: TensorShape) -> ConvolutionGeometry {
        requireValidInput(shape)
        let (height, width) = outputSize(for: shape)
        let g = ConvolutionGeometry(
            channels: outChannels, height: height, width: width,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
            strideHeight: stride.height, strideWidth: stride.width,
            paddingHeight: padding.height, paddingWidth: padding.width,
            outputHeight: shape[2], outputWidth: shape[3])
        assert(ConvolutionGeometry.convolutionOutputSize(height, kernel: g.kernelHeight, stride: g.strideHeight,
                                                         padding: g.paddingHeight) == shape[2]
               && ConvolutionGeometry.convolutionOutputSize(width, kernel: g.kernelWidth, stride: g.strideWidth,
                                                            padding: g.paddingWidth) == shape[3],
               "ConvTranspose2D: output size \(height) × \(width) is not the adjoint of input \(shape)")
        return g
    }

    // MARK: - Forward

    /// `[N, inChannels, H, W]` → `[N, outChannels, Hout, Wout]`.
    public func forward(_ input: Tensor) -> Tensor {
        let g = geometry(for: input.shape)
        cachedInput = input
        let batch = input.shape[0], inChannels = self.inChannels
        let chunks = imageChunkCount(batch: batch)
        let scratch = ChunkScratch(columnScratch, g, channels: inChannels, batch: batch, chunks: chunks)
        let shape = imageShape(batch: batch, channels: outChannels, height: g.height, width: g.width)
        return outputBuffer.fill(shape: shape) { y in
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    withPointer(to: bias?.value) { b in
                        let (x, w, y) = (SendablePointer(x.baseAddress!), SendablePointer(w.baseAddress!),
                                         SendablePointer(y.baseAddress!))
                        let b = b.map { SendablePointer($0) }
                        forEachImageChunk(batch: batch, chunks: chunks, ConvTranspose2DForwardChunk(
                            g: g, scratch: scratch, inChannels: inChannels, x: x, weight: w, bias: b, output: y))
                    }
                }
            }
        }
    }

    // MARK: - Backward

    /// dy `[N, outChannels, Hout, Wout]` → dx `[N, inChannels, H, W]`;
    /// dW += Σ_n x_n·im2col(dy_n)ᵀ and db += Σ dy over N, Hout, Wout (both skipped with `.skip`).
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        let g = geometry(for: cachedInput.shape)
        let batch = cachedInput.shape[0], inChannels = self.inChannels
        let expected = imageShape(batch: batch, channels: outChannels, height: g.height, width: g.width)
        require(outputGradient.shape == expected,
                "\(name).backward: expected output gradient \(expected), got \(outputGradient.shape)")
        let accumulate = parameterGradients == .accumulate
        let chunks = imageChunkCount(batch: batch)
        let scratch = ChunkScratch(columnScratch, g, channels: inChannels, batch: batch, chunks: chunks,
                                   patchRows: true)
        let input = cachedInput
        let inputGradient = inputGradientBuffer.fill(shape: input.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                input.withUnsafeBufferPointer { x in
                    weight.value.withUnsafeBufferPointer { w in
                        accumulatingChunkedGradient(of: weight, if: accumulate, chunks: chunks,
                                                    partialMemory: partialScratch) { dw in
                            let (dy, x, w, dx) = (SendablePointer(dy.baseAddress!), SendablePointer(x.baseAddress!),
                                                  SendablePointer(w.baseAddress!), SendablePointer(dx.baseAddress!))
                            forEachImageChunk(batch: batch, chunks: chunks, ConvTranspose2DBackwardChunk(
                                g: g, scratch: scratch, inChannels: inChannels, x: x, weight: w, outputGradient: dy,
                                weightGradient: dw, inputGradient: dx))
                        }
                    }
                }
            }
        }
        if accumulate, let bias {
            outputGradient.withUnsafeBufferPointer { dy in
                bias.gradient.withUnsafeMutableBufferPointer { db in
                    addChannelSums(dy.baseAddress!, batch: batch, channels: outChannels, positions: g.height * g.width,
                                   into: db.baseAddress!)
                }
            }
        }
        return inputGradient
    }

    /// `ConvTranspose2D(128 → 64, kernel 4, stride 2, padding 1)  // 131,136 parameters`.
    public var description: String {
        "\(name)\(bias == nil ? " no bias" : "")  // \(formattedCount(parameterCount)) parameters"
    }
}

// MARK: - Kernels

/// Forward of `count` consecutive images as one product: `y_j = col2im(Wᵀ·x_j) + b`.
///
/// `g` is the adjoint convolution's geometry (image = this layer's output). With
/// L = H·W (this layer's input positions) and G = count·L:
/// - `input`:   x, `count` × `[inChannels, L]`, consecutive
/// - `weight`:  `[inChannels, outChannels·kH·kW]`
/// - `bias`:    `[outChannels]` or nil
/// - `columns`: scratch `[outChannels·kH·kW, G]`
/// - `staging`: scratch `[inChannels, G]`: x of the group side by side (unused when count == 1)
/// - `output`:  y, `count` × `[outChannels, Hout, Wout]`, overwritten
private func convTranspose2DForwardGroup(_ input: UnsafePointer<Float>, count: Int, weight: UnsafePointer<Float>,
                                         bias: UnsafePointer<Float>?, _ g: ConvolutionGeometry, inChannels: Int,
                                         columns: UnsafeMutablePointer<Float>, staging: UnsafeMutablePointer<Float>,
                                         output: UnsafeMutablePointer<Float>) {
    let (k, l) = (g.patchSize, g.positions)
    let width = count * l
    var grouped = input
    if count > 1 {
        regroupImages(staging, UnsafeMutablePointer(mutating: input), count: count, channels: inChannels, positions: l,
                      imageStride: inChannels * l, gather: true)
        grouped = UnsafePointer(staging)
    }
    convolutionProduct(transposeA: true, m: k, n: width, k: inChannels, a: weight, lda: k, b: grouped, ldb: width,
                       c: columns, ldc: width)
    for j in 0..<count {
        let image = output + j * g.imageSize
        col2im(columns + j * l, g, image: image, rowStride: width)
        if let bias { addChannelBias(bias, to: image, channels: g.channels, positions: g.height * g.width) }
    }
}

/// Backward of `count` consecutive images as one product per gradient.
///
/// With L = H·W and G = count·L:
/// - `input`:          x, `count` × `[inChannels, L]`, the forward inputs
/// - `weight`:         `[inChannels, outChannels·kH·kW]`
/// - `outputGradient`: dy, `count` × `[outChannels, Hout, Wout]`
/// - `columns`:        scratch `[outChannels·kH·kW, G]` = im2col of each dy
/// - `staging`:        scratch `[inChannels, G]`: x of the group, then W·cols (unused when count == 1)
/// - `patchRows`:      scratch `G·outChannels·kH·kW` floats for the weight gradient's patches as rows
///                     (used when its product asks for them)
/// - `weightGradient`: `[inChannels, outChannels·kH·kW]`, `+= x·colsᵀ` (or `=` when
///                     `overwriteWeightGradient`); nil skips the product (`.skip`)
/// - `inputGradient`:  dx, `count` × `[inChannels, L]` = W·cols, overwritten
private func convTranspose2DBackwardGroup(_ input: UnsafePointer<Float>, count: Int, weight: UnsafePointer<Float>,
                                          outputGradient dy: UnsafePointer<Float>, _ g: ConvolutionGeometry,
                                          inChannels: Int, columns: UnsafeMutablePointer<Float>,
                                          staging: UnsafeMutablePointer<Float>, patchRows: UnsafeMutablePointer<Float>,
                                          weightGradient: UnsafeMutablePointer<Float>?, overwriteWeightGradient: Bool,
                                          inputGradient: UnsafeMutablePointer<Float>) {
    let (k, l) = (g.patchSize, g.positions)
    let width = count * l
    for j in 0..<count { im2col(dy + j * g.imageSize, g, columns: columns + j * l, rowStride: width) }
    if let weightGradient {
        var grouped = input
        if count > 1 {
            regroupImages(staging, UnsafeMutablePointer(mutating: input), count: count, channels: inChannels,
                          positions: l, imageStride: inChannels * l, gather: true)
            grouped = UnsafePointer(staging)
        }
        convolutionWeightGradient(outputs: inChannels, patchSize: k, width: width, gradient: grouped,
                                  beta: overwriteWeightGradient ? 0 : 1, into: weightGradient) { layout in
            guard layout == .rows else { return UnsafePointer(columns) }
            for j in 0..<count { im2row(dy + j * g.imageSize, g, rows: patchRows + j * l * k) }
            return UnsafePointer(patchRows)
        }
    }
    let product = count == 1 ? inputGradient : staging
    convolutionProduct(transposeA: false, m: inChannels, n: width, k: k, a: weight, lda: k, b: columns, ldb: width,
                       c: product, ldc: width)
    if count > 1 {
        regroupImages(staging, inputGradient, count: count, channels: inChannels, positions: l,
                      imageStride: inChannels * l, gather: false)
    }
}

/// One chunk of images of `ConvTranspose2D.forward`: GEMM + col2im per group of images.
private struct ConvTranspose2DForwardChunk: ImageChunkKernel {
    let g: ConvolutionGeometry
    let scratch: ChunkScratch
    let inChannels: Int
    let x: SendablePointer<Float>, weight: SendablePointer<Float>, bias: SendablePointer<Float>?
    let output: SendablePointer<Float>

    func run(chunk: Int, images: Range<Int>) {
        scratch.forEachGroup(of: images) { n, count in
            convTranspose2DForwardGroup(
                x.pointer + n * inChannels * g.positions, count: count, weight: weight.pointer, bias: bias?.pointer, g,
                inChannels: inChannels, columns: scratch.columns(chunk: chunk), staging: scratch.staging(chunk: chunk),
                output: output.pointer + n * g.imageSize)
        }
    }
}

/// One chunk of images of `ConvTranspose2D.backward` (weight gradient through ``ChunkedWeightGradient``).
private struct ConvTranspose2DBackwardChunk: ImageChunkKernel {
    let g: ConvolutionGeometry
    let scratch: ChunkScratch
    let inChannels: Int
    let x: SendablePointer<Float>, weight: SendablePointer<Float>, outputGradient: SendablePointer<Float>
    let weightGradient: ChunkedWeightGradient?
    let inputGradient: SendablePointer<Float>

    func run(chunk: Int, images: Range<Int>) {
        scratch.forEachGroup(of: images) { n, count in
            let imageOffset = n * inChannels * g.positions
            convTranspose2DBackwardGroup(
                x.pointer + imageOffset, count: count, weight: weight.pointer,
                outputGradient: outputGradient.pointer + n * g.imageSize, g, inChannels: inChannels,
                columns: scratch.columns(chunk: chunk), staging: scratch.staging(chunk: chunk),
                patchRows: scratch.patchRows(chunk: chunk),
                weightGradient: weightGradient?.target(chunk: chunk),
                overwriteWeightGradient: weightGradient?.overwrites(chunk: chunk, firstGroup: n == images.lowerBound) ?? false,
                inputGradient: inputGradient.pointer + imageOffset)
        }
    }
}
