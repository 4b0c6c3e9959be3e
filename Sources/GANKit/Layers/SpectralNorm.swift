/// A layer whose `weight` ``SpectralNorm`` can normalise: `Dense`, `Conv2D`, `ConvTranspose2D`.
///
/// The weight is viewed as a matrix with one row per output unit: dimension
/// `spectralNormOutputDimension` of the weight gives the rows, all other
/// dimensions (in order) the columns, as in PyTorch's `spectral_norm(dim:)`.
public protocol SpectralNormalizable: Layer {
    /// The weight the wrapper replaces by `W / σ(W)`.
    var weight: Parameter { get }
    /// The weight dimension that indexes output units: 0 for `[out, in, …]`
    /// (Dense, Conv2D), 1 for ConvTranspose2D's `[in, out, kH, kW]`.
    var spectralNormOutputDimension: Int { get }
}

extension Dense: SpectralNormalizable {
    /// 0: the weight is `[out, in]`.
    public var spectralNormOutputDimension: Int { 0 }
}

extension Conv2D: SpectralNormalizable {
    /// 0: the weight is `[out, in, kH, kW]`, the matrix `[out, in·kH·kW]`.
    public var spectralNormOutputDimension: Int { 0 }
}

extension ConvTranspose2D: SpectralNormalizable {
    /// 1: the weight is `[in, out, kH, kW]`, the matrix `[out, in·kH·kW]` (PyTorch's `dim=1`).
    public var spectralNormOutputDimension: Int { 1 }
}

/// Spectral normalisation of a layer's weight (Miyato et al., "Spectral
/// Normalization for Generative Adversarial Networks", 2018,
/// <https://arxiv.org/abs/1802.05957>), with the semantics of PyTorch's
/// `torch.nn.utils.spectral_norm`.
///
/// The wrapped layer computes with `W / σ`, where `W` is the trainable
/// ``weight`` viewed as a matrix `[out, rest]` and `σ = uᵀ·W·v` estimates its
/// largest singular value from the vectors ``u`` `[out]` and ``v`` `[rest]`.
/// In training mode every `forward` first runs `powerIterations` steps of
///
///     v ← normalise(Wᵀ·u),   u ← normalise(W·v)      (normalise(x) = x / max(‖x‖, ε))
///
/// and in inference mode `u` and `v` stay as they are. `backward` treats `u`
/// and `v` as constants (as PyTorch does): with `G = dL/d(W/σ)` from the
/// wrapped layer and `Ŵ = W/σ`,
///
///     dL/dW = (G − ⟨G, Ŵ⟩ · u·vᵀ) / σ
///
/// Input and output shapes are those of the wrapped layer. `parameters` are
/// `weight` (W) followed by the wrapped layer's other parameters (its bias);
/// `buffers` are the wrapped layer's buffers, then `u` and `v`. Inside a
/// `Sequential` at index 0 a checkpoint stores `0.weight`, `0.bias`, `0.u`, `0.v`.
/// The wrapped layer's own `weight` holds `W / σ` of the last forward and is
/// overwritten on every forward; train and save ``weight`` instead.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let layer = SpectralNorm(Dense(784, 256, using: &rng), using: &rng)
/// ```
public final class SpectralNorm<Wrapped: SpectralNormalizable>: InputShapeValidating {
    /// The wrapped layer; its `weight.value` holds `W / σ` after each forward.
    public let layer: Wrapped
    /// The trainable, unnormalised weight `W`, shaped like the wrapped layer's weight.
    public let weight: Parameter
    /// Left singular-vector estimate `[out]`, unit length (saved in checkpoints).
    public let u: Buffer
    /// Right singular-vector estimate `[rest]`, unit length (saved in checkpoints).
    public let v: Buffer
    /// Power-iteration steps per training-mode forward (PyTorch's default: 1).
    public let powerIterations: Int
    /// Lower bound on the norm by which `u` and `v` are divided (PyTorch: 1e-12).
    public let epsilon: Float
    /// σ = uᵀ·W·v of the last forward (or of the initial `u`, `v` before any forward).
    public private(set) var sigma: Float = 0

    /// The weight viewed as `[outer, rows, inner]`: element `(a, b, k)` sits at
    /// `(a·rows + b)·inner + k`, is in matrix row `b` and column `a·inner + k`.
    private let outer: Int, rows: Int, inner: Int
    /// `W·v`, `[rows]`.
    private var rowScratch: [Float]
    /// `Wᵀ·u`, `[columns]`.
    private var columnScratch: [Float]

    /// Wraps `layer`; `u` and `v` start as normalised N(0, 1) vectors drawn from `generator`.
    /// - Parameters:
    ///   - layer: a `Dense`, `Conv2D` or `ConvTranspose2D` (anything ``SpectralNormalizable``).
    ///   - powerIterations: power-iteration steps per training-mode forward, ≥ 1 (default 1).
    ///   - epsilon: norm floor when normalising `u` and `v` (default 1e-12).
    public init(_ layer: Wrapped, powerIterations: Int = 1, epsilon: Float = 1e-12,
                using generator: inout SeededGenerator) {
        require(powerIterations >= 1, "SpectralNorm: powerIterations must be ≥ 1, got \(powerIterations)")
        require(epsilon > 0, "SpectralNorm: epsilon must be > 0, got \(epsilon)")
        let shape = layer.weight.shape
        let dimension = layer.spectralNormOutputDimension
        require(shape.rank >= 2 && (dimension == 0 || dimension == 1),
                "SpectralNorm: output dimension \(dimension) of a weight \(shape) must be 0 or 1")
        self.layer = layer
        self.powerIterations = powerIterations
        self.epsilon = epsilon
        outer = dimension == 0 ? 1 : shape[0]
        rows = shape[dimension]
        inner = shape.elementCount / (outer * rows)
        let columns = outer * inner
        rowScratch = [Float](repeating: 0, count: rows)
        columnScratch = [Float](repeating: 0, count: columns)
        weight = Parameter(name: "weight", value: layer.weight.value)
        var uValue = Tensor.randomNormal([rows], using: &generator)
        var vValue = Tensor.randomNormal([columns], using: &generator)
        uValue.withUnsafeMutableBufferPointer { normalize($0, epsilon: epsilon) }
        vValue.withUnsafeMutableBufferPointer { normalize($0, epsilon: epsilon) }
        u = Buffer(name: "u", value: uValue)
        v = Buffer(name: "v", value: vValue)
        updateNormalizedWeight(iterate: false)
    }

    /// Training mode (power iteration on each forward) or inference; also sets the wrapped layer's mode.
    public var isTraining: Bool {
        get { layer.isTraining }
        set { layer.isTraining = newValue }
    }

    /// `weight` (W), then the wrapped layer's other parameters.
    public var parameters: [Parameter] { [weight] + layer.parameters.filter { $0 !== layer.weight } }
    /// The wrapped layer's buffers, then `u` and `v`.
    public var buffers: [Buffer] { layer.buffers + [u, v] }

    /// The wrapped layer's verdict on `shape` (nil when it does not validate shapes).
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        (layer as? any InputShapeValidating)?.inputShapeProblem(for: shape)
    }

    /// Updates `u`, `v` (training mode), sets the wrapped weight to `W / σ` and runs the wrapped layer.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        updateNormalizedWeight(iterate: isTraining)
        return layer.forward(input)
    }

    /// The wrapped layer's backward, then dL/dW = (G − ⟨G, Ŵ⟩·u·vᵀ) / σ added into `weight.gradient`.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        guard parameterGradients == .accumulate else { return layer.backward(outputGradient, parameterGradients: .skip) }
        layer.weight.zeroGradient()
        let inputGradient = layer.backward(outputGradient, parameterGradients: .accumulate)
        accumulateWeightGradient()
        return inputGradient
    }

    /// Parameter gradients only (the wrapped layer skips its input-gradient product).
    public func backwardParametersOnly(_ outputGradient: Tensor) {
        layer.weight.zeroGradient()
        layer.backwardParametersOnly(outputGradient)
        accumulateWeightGradient()
    }

    /// `SpectralNorm(Dense(784 → 256))  // 200,960 parameters`.
    public var description: String {
        let wrapped = layer.description.components(separatedBy: "  //").first ?? layer.description
        return "SpectralNorm(\(wrapped))  // \(formattedCount(parameterCount)) parameters"
    }

    // MARK: - Power iteration and σ

    /// Optionally runs the power iteration, then computes σ = uᵀ·W·v and writes `W / σ` into the wrapped weight.
    private func updateNormalizedWeight(iterate: Bool) {
        let sigma = estimateSigma(iterate: iterate)
        self.sigma = sigma
        weight.value.withUnsafeBufferPointer { w in
            layer.weight.value.withUnsafeMutableBufferPointer { normalized in
                for i in 0..<w.count { normalized[i] = w[i] / sigma }
            }
        }
    }

    /// `W / σ` for the current `W`, `u` and `v`: the weight an inference-mode forward computes with,
    /// without changing the layer (for the ONNX exporter).
    func inferenceModeWeight() -> Tensor {
        let sigma = estimateSigma(iterate: false)
        var normalized = weight.value
        normalized.withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count { w[i] /= sigma }
        }
        return normalized
    }

    /// Optionally runs the power iteration (updating `u` and `v`), then returns σ = uᵀ·W·v.
    private func estimateSigma(iterate: Bool) -> Float {
        let (iterations, epsilon) = (powerIterations, self.epsilon)
        return weight.value.withUnsafeBufferPointer { w in
            u.value.withUnsafeMutableBufferPointer { u in
                v.value.withUnsafeMutableBufferPointer { v in
                    rowScratch.withUnsafeMutableBufferPointer { wv in
                        if iterate {
                            for _ in 0..<iterations {
                                columnScratch.withUnsafeMutableBufferPointer { wtu in
                                    multiplyTransposed(w, by: UnsafeBufferPointer(u), into: wtu)
                                    _ = v.update(fromContentsOf: wtu)
                                }
                                normalize(v, epsilon: epsilon)
                                multiply(w, by: UnsafeBufferPointer(v), into: wv)
                                _ = u.update(fromContentsOf: wv)
                                normalize(u, epsilon: epsilon)
                            }
                            // wv still holds W·v for the final v: σ = uᵀ·(W·v) needs no third product.
                        } else {
                            multiply(w, by: UnsafeBufferPointer(v), into: wv)
                        }
                        var dot: Float = 0
                        for i in 0..<wv.count { dot += u[i] * wv[i] }
                        return dot
                    }
                }
            }
        }
    }

    /// `result[rows] = W·x` for `x[columns]`.
    private func multiply(_ w: UnsafeBufferPointer<Float>, by x: UnsafeBufferPointer<Float>,
                          into result: UnsafeMutableBufferPointer<Float>) {
        let (outer, rows, inner) = (self.outer, self.rows, self.inner)
        if outer == 1 {
            Backend.current.gemm(transposeA: false, transposeB: false, m: rows, n: 1, k: inner, alpha: 1,
                                 a: w.baseAddress!, lda: inner, b: x.baseAddress!, ldb: 1,
                                 beta: 0, c: result.baseAddress!, ldc: 1)
            return
        }
        result.update(repeating: 0)
        for a in 0..<outer {
            for b in 0..<rows {
                let base = (a * rows + b) * inner
                var sum: Float = 0
                for k in 0..<inner { sum += w[base + k] * x[a * inner + k] }
                result[b] += sum
            }
        }
    }

    /// `result[columns] = Wᵀ·y` for `y[rows]`.
    private func multiplyTransposed(_ w: UnsafeBufferPointer<Float>, by y: UnsafeBufferPointer<Float>,
                                    into result: UnsafeMutableBufferPointer<Float>) {
        let (outer, rows, inner) = (self.outer, self.rows, self.inner)
        if outer == 1 {
            Backend.current.gemm(transposeA: true, transposeB: false, m: inner, n: 1, k: rows, alpha: 1,
                                 a: w.baseAddress!, lda: inner, b: y.baseAddress!, ldb: 1,
                                 beta: 0, c: result.baseAddress!, ldc: 1)
            return
        }
        result.update(repeating: 0)
        for a in 0..<outer {
            for b in 0..<rows {
                let base = (a * rows + b) * inner, scale = y[b]
                for k in 0..<inner { result[a * inner + k] += scale * w[base + k] }
            }
        }
    }

    // MARK: - Backward

    /// `weight.gradient += (G − ⟨G, Ŵ⟩·u·vᵀ) / σ`, with `G` the wrapped weight's gradient from the last backward.
    private func accumulateWeightGradient() {
        let (outer, rows, inner, sigma) = (self.outer, self.rows, self.inner, self.sigma)
        let g = layer.weight.gradient
        g.withUnsafeBufferPointer { g in
            layer.weight.value.withUnsafeBufferPointer { normalized in
                u.value.withUnsafeBufferPointer { u in
                    v.value.withUnsafeBufferPointer { v in
                        // ⟨G, Ŵ⟩ as a 1×count by count×1 product (a BLAS dot product: vectorised and
                        // blocked, where a scalar loop cost 1 ms per MLP-GAN step).
                        var projection: Float = 0
                        Backend.current.gemm(transposeA: false, transposeB: false, m: 1, n: 1, k: g.count, alpha: 1,
                                             a: g.baseAddress!, lda: g.count, b: normalized.baseAddress!, ldb: 1,
                                             beta: 0, c: &projection, ldc: 1)
                        weight.withGradientForAccumulation { dw, overwrite in
                            for a in 0..<outer {
                                for b in 0..<rows {
                                    let base = (a * rows + b) * inner, coefficient = projection * u[b]
                                    let column = a * inner
                                    if overwrite {
                                        for k in 0..<inner {
                                            dw[base + k] = (g[base + k] - coefficient * v[column + k]) / sigma
                                        }
                                    } else {
                                        for k in 0..<inner {
                                            dw[base + k] += (g[base + k] - coefficient * v[column + k]) / sigma
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Divides `x` by `max(‖x‖, epsilon)` in place (the norm accumulated in `Double`).
private func normalize(_ x: UnsafeMutableBufferPointer<Float>, epsilon: Float) {
    var squares = 0.0
    for value in x { squares += Double(value) * Double(value) }
    let norm = max(Float(squares.squareRoot()), epsilon)
    for i in 0..<x.count { x[i] /= norm }
}
