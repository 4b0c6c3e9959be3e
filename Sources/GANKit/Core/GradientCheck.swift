/// Finite-difference verification of a layer's `backward`, for the library's tests and for custom layers.
///
/// With a seeded input `x` and a seeded projection `r` shaped like the output,
/// the scalar `L = Σ forward(x)·r` (accumulated in `Double`) has analytic
/// gradients `backward(r)` (for `x`) and the accumulated parameter gradients.
/// Each is compared with the central difference `(L(v + h) − L(v − h)) / 2h`
/// at up to `samplesPerTensor` seeded positions of the input and of every
/// parameter.
///
/// The error at a position is `|analytic − numeric| / max(|analytic|, |numeric|, floor)`,
/// where `floor` is 10 % of the tensor's root-mean-square analytic gradient,
/// so entries near zero are judged on the tensor's own scale rather than
/// blowing up. In `Float` with `h ≈ 1e-2`, a correct layer stays well below 1e-2.
///
/// Stateful layers are handled: buffers (e.g. BatchNorm running statistics)
/// and the generators of ``RandomizedLayer``s (e.g. Dropout masks) are restored
/// before every forward, so each evaluation sees the same state.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let layer = Dense(5, 3, using: &rng)
/// let report = GradientCheck.run(layer, inputShape: [4, 5])
/// assert(report.worstError < 1e-2, "\(report)")
/// ```
public enum GradientCheck {
    /// Checks `layer` on a seeded N(0, 1) input of `inputShape`.
    public static func run(_ layer: any Layer, inputShape: TensorShape, stepSize: Float = 1e-2,
                           samplesPerTensor: Int = 64, seed: UInt64 = 0) -> GradientCheckReport {
        var generator = SeededGenerator(seed: seed ^ 0x5EED)
        let input = Tensor.randomNormal(inputShape, using: &generator)
        return run(layer, input: input, stepSize: stepSize, samplesPerTensor: samplesPerTensor, seed: seed)
    }

    /// Checks `layer` at `input`. Keep inputs away from kinks (ReLU at 0) by more than `stepSize`.
    /// - Parameter checkInput: `false` for a discrete input, such as ``Embedding``'s class
    ///   indices, which cannot be perturbed: only the parameters are then checked.
    public static func run(_ layer: any Layer, input: Tensor, stepSize: Float = 1e-2,
                           samplesPerTensor: Int = 64, seed: UInt64 = 0, checkInput: Bool = true) -> GradientCheckReport {
        let state = LayerState(capturing: layer)
        var generator = SeededGenerator(seed: seed)

        state.restore()
        let output = layer.forward(input)
        let projection = Tensor.randomNormal(output.shape, using: &generator)
        layer.zeroGradients()
        let inputGradient = layer.backward(projection, parameterGradients: .accumulate)
        let analyticParameters = layer.parameters.map(\.gradient)

        func loss(_ x: Tensor) -> Double {
            state.restore()
            let y = layer.forward(x)
            return y.withUnsafeBufferPointer { yv in
                projection.withUnsafeBufferPointer { rv in
                    var sum = 0.0
                    for i in 0..<yv.count { sum += Double(yv[i]) * Double(rv[i]) }
                    return sum
                }
            }
        }

        var entries: [GradientCheckReport.Entry] = []
        var perturbed = input
        if checkInput { entries.append(compare(name: "input", analytic: inputGradient, samples: samplesPerTensor,
                               generator: &generator) { index in
            let original = perturbed[flat: index]
            perturbed[flat: index] = original + stepSize
            let plus = loss(perturbed)
            perturbed[flat: index] = original - stepSize
            let minus = loss(perturbed)
            perturbed[flat: index] = original
            return (plus - minus) / (2 * Double(stepSize))
        }) }
        for (path, parameter) in layer.namedParameters {
            let index = layer.parameters.firstIndex { $0 === parameter }!
            entries.append(compare(name: path, analytic: analyticParameters[index], samples: samplesPerTensor,
                                   generator: &generator) { i in
                let original = parameter.value[flat: i]
                parameter.value[flat: i] = original + stepSize
                let plus = loss(input)
                parameter.value[flat: i] = original - stepSize
                let minus = loss(input)
                parameter.value[flat: i] = original
                return (plus - minus) / (2 * Double(stepSize))
            })
        }
        state.restore()
        return GradientCheckReport(entries: entries)
    }

    private static func compare(name: String, analytic: Tensor, samples: Int, generator: inout SeededGenerator,
                                numeric: (Int) -> Double) -> GradientCheckReport.Entry {
        let values = analytic.scalars.map(Double.init)
        let rms = (values.reduce(0) { $0 + $1 * $1 } / Double(max(values.count, 1))).squareRoot()
        let floor = max(0.1 * rms, 1e-6)
        var indices = Array(values.indices)
        if indices.count > samples {
            for i in 0..<samples { indices.swapAt(i, i + Int(generator.next() % UInt64(indices.count - i))) }
            indices = Array(indices.prefix(samples)).sorted()
        }
        var worst = GradientCheckReport.Entry(name: name, worstError: 0, index: -1, analytic: 0, numeric: 0,
                                              checked: indices.count)
        for index in indices {
            let n = numeric(index), a = values[index]
            let error = abs(a - n) / max(abs(a), abs(n), floor)
            if error > worst.worstError || worst.index < 0 {
                worst = .init(name: name, worstError: error, index: index, analytic: a, numeric: n,
                              checked: indices.count)
            }
        }
        return worst
    }
}

/// The outcome of a ``GradientCheck``: the worst error per checked tensor.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
    /// The worst position found in one tensor (the input or a parameter).
    public struct Entry: Sendable {
        /// `"input"` or the parameter's path, e.g. `"0.weight"`.
        public let name: String
        /// The largest relative error among the checked positions.
        public let worstError: Double
        /// Flat index of that position.
        public let index: Int
        /// The analytic gradient there.
        public let analytic: Double
        /// The finite-difference gradient there.
        public let numeric: Double
        /// How many positions were checked.
        public let checked: Int
    }

    /// One entry for the input and one per parameter.
    public let entries: [Entry]

    /// The largest error over every tensor.
    public var worstError: Double { entries.map(\.worstError).max() ?? 0 }

    /// Whether every error is at most `tolerance`.
    public func passes(tolerance: Double = 1e-2) -> Bool { worstError <= tolerance }

    /// One line per tensor: name, worst error, where, and both values.
    public var description: String {
        entries.map { e in
            "\(e.name): worst relative error \(e.worstError) at [\(e.index)] "
                + "(analytic \(e.analytic), numeric \(e.numeric); \(e.checked) checked)"
        }.joined(separator: "\n")
    }
}

/// A snapshot of a layer tree's buffers and layer-owned generators, restorable many
/// times. The snapshot owns copies of the buffers, so ``recapture()`` and the restores
/// copy values in place and allocate nothing (the gradient penalty runs them every step).
struct LayerState {
    private let buffers: [Buffer]
    private var values: [Tensor]
    private let randomizedLayers: [any RandomizedLayer]
    private var generators: [SeededGenerator]

    init(capturing layer: any Layer) {
        buffers = layer.namedBuffers.map(\.buffer)
        values = buffers.map { buffer in
            var copy = Tensor(zeros: buffer.value.shape)
            copy.assign(from: buffer.value)
            return copy
        }
        randomizedLayers = namedRandomizedLayers(layer).map(\.layer)
        generators = randomizedLayers.map(\.generator)
    }

    /// Takes the layer tree's current state, into this snapshot's storage.
    mutating func recapture() {
        for index in buffers.indices { values[index].assign(from: buffers[index].value) }
        for index in randomizedLayers.indices { generators[index] = randomizedLayers[index].generator }
    }

    func restore() {
        restoreBuffers()
        restoreGenerators()
    }

    func restoreBuffers() {
        for (buffer, value) in zip(buffers, values) { buffer.value.assign(from: value) }
    }

    func restoreGenerators() {
        for (layer, generator) in zip(randomizedLayers, generators) { layer.generator = generator }
    }
}

extension Optional where Wrapped == LayerState {
    /// Captures `layer`'s state: into the existing snapshot (no allocation), or a new one the first time.
    mutating func capture(_ layer: any Layer) {
        if self == nil { self = LayerState(capturing: layer) } else { self!.recapture() }
    }
}

extension Tensor {
    /// The element at flat (row-major) position `index`.
    public subscript(flat index: Int) -> Float {
        get {
            require(index >= 0 && index < count, "Tensor[flat: \(index)] out of range for \(count) elements")
            return storage.base[offset + index]
        }
        set {
            require(index >= 0 && index < count, "Tensor[flat: \(index)] out of range for \(count) elements")
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }
}
