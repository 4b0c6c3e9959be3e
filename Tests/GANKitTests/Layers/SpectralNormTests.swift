import Testing
@testable import GANKit

/// The largest singular value of `matrix` (`rows × columns`, row-major), from the
/// Jacobi eigendecomposition of MᵀM in Double: independent of SpectralNorm's power iteration.
func largestSingularValue(_ matrix: [Double], rows: Int, columns: Int) -> Double {
    var gram = [Double](repeating: 0, count: columns * columns)
    for i in 0..<columns {
        for j in 0..<columns {
            var sum = 0.0
            for r in 0..<rows { sum += matrix[r * columns + i] * matrix[r * columns + j] }
            gram[i * columns + j] = sum
        }
    }
    return SymmetricEigendecomposition(gram, dimension: columns).eigenvalues.max()!.squareRoot()
}

/// A weight `[out, in, …]` as the matrix `[out, rest]` in Double.
func weightMatrix(_ weight: Tensor) -> (values: [Double], rows: Int, columns: Int) {
    (weight.scalars.map(Double.init), weight.shape[0], weight.count / weight.shape[0])
}

/// ConvTranspose2D's weight `[in, out, kH, kW]` as PyTorch's `dim=1` matrix `[out, in·kH·kW]`.
func transposedWeightMatrix(_ weight: Tensor) -> (values: [Double], rows: Int, columns: Int) {
    let (a, b) = (weight.shape[0], weight.shape[1])
    let k = weight.count / (a * b)
    let w = weight.scalars
    var values = [Double](repeating: 0, count: weight.count)
    for i in 0..<a { for o in 0..<b { for j in 0..<k { values[o * a * k + i * k + j] = Double(w[(i * b + o) * k + j]) } } }
    return (values, b, a * k)
}

/// Runs `count` training-mode forwards so that `u` and `v` converge.
func converge(_ layer: any Layer, input: Tensor, forwards count: Int) {
    layer.isTraining = true
    for _ in 0..<count { _ = layer.forward(input) }
}

struct SpectralNormCase: CustomTestStringConvertible, Sendable {
    let name: String
    let inputShape: TensorShape
    let make: @Sendable () -> any Layer
    var testDescription: String { name }
}

let spectralNormCases: [SpectralNormCase] = [
    SpectralNormCase(name: "Dense 5→3", inputShape: [4, 5]) {
        var g = SeededGenerator(seed: 1); return SpectralNorm(Dense(5, 3, using: &g), using: &g)
    },
    SpectralNormCase(name: "Dense 6→4 no bias, 2 iterations", inputShape: [3, 6]) {
        var g = SeededGenerator(seed: 2); return SpectralNorm(Dense(6, 4, bias: false, using: &g), powerIterations: 2, using: &g)
    },
    SpectralNormCase(name: "Conv2D 2→3 k3 s2 p1", inputShape: [2, 2, 5, 5]) {
        var g = SeededGenerator(seed: 3)
        return SpectralNorm(Conv2D(2, 3, kernelSize: 3, stride: 2, padding: 1, using: &g), using: &g)
    },
    SpectralNormCase(name: "ConvTranspose2D 3→2 k4 s2 p1", inputShape: [2, 3, 3, 3]) {
        var g = SeededGenerator(seed: 4)
        return SpectralNorm(ConvTranspose2D(3, 2, kernelSize: 4, stride: 2, padding: 1, using: &g), using: &g)
    },
]

@Suite struct SpectralNormTests {
    @Test(arguments: spectralNormCases)
    func gradientsMatchFiniteDifferencesInInferenceMode(_ testCase: SpectralNormCase) {
        // In inference mode σ = uᵀWv with u, v constant, so the gradient is exact even
        // though u, v are far from converged. Three training forwards first: at the
        // random start uᵀWv can be near 0, which makes W/σ huge and the check ill-conditioned.
        let layer = testCase.make()
        let input = seededInput(testCase.inputShape, seed: 11)
        converge(layer, input: input, forwards: 3)
        layer.isTraining = false
        let report = GradientCheck.run(layer, input: input)
        #expect(report.passes(tolerance: 1e-2), "\(testCase.name):\n\(report)")
        #expect(report.entries.count == 1 + layer.parameters.count)
    }

    @Test(arguments: spectralNormCases)
    func gradientsMatchFiniteDifferencesInTrainingMode(_ testCase: SpectralNormCase) {
        // Training mode runs the power iteration inside every finite-difference
        // forward (from the same restored u, v), so the numeric derivative also sees
        // u(W), v(W). The analytic gradient treats u, v as constants (PyTorch's
        // choice); the two agree once u, v are converged singular vectors, where σ is
        // stationary in them. So converge first, as training does after some steps.
        let layer = testCase.make()
        let input = seededInput(testCase.inputShape, seed: 11)
        converge(layer, input: input, forwards: 200)
        let before = layer.buffers.map(\.value)
        let report = GradientCheck.run(layer, input: input)
        #expect(report.passes(tolerance: 1e-2), "\(testCase.name):\n\(report)")
        // The check restores u and v, and is deterministic: a second run reports the same.
        #expect(layer.buffers.map(\.value) == before)
        #expect(GradientCheck.run(layer, input: input).description == report.description)
    }

    @Test func trainingModeGradientIsNotExactBeforeConvergence() {
        // The reason for converging above: from a random u, one power-iteration step
        // makes σ depend on W through v, which the PyTorch-style gradient ignores.
        var g = SeededGenerator(seed: 5)
        let layer = SpectralNorm(Dense(5, 3, using: &g), using: &g)
        let report = GradientCheck.run(layer, input: seededInput([4, 5], seed: 11))
        #expect(report.entries.first { $0.name == "weight" }!.worstError > 1e-2, "\(report)")
    }

    @Test func sigmaOfATwoByTwoMatchesTheClosedForm() throws {
        var g = SeededGenerator(seed: 6)
        let layer = SpectralNorm(Dense(2, 2, using: &g), using: &g)
        layer.weight.value = Tensor(shape: [2, 2], values: [3, 1, -2, 4])
        converge(layer, input: Tensor(zeros: [1, 2]), forwards: 50)
        // WᵀW = [[13, -5], [-5, 17]]: σ² = (30 + √(30² − 4·(13·17 − 25))) / 2 = 15 + √29.
        let expected = (15 + 29.0.squareRoot()).squareRoot()   // 4.4142…
        #expect(abs(Double(layer.sigma) - expected) < 1e-5, "σ \(layer.sigma), expected \(expected)")
    }

    @Test(arguments: spectralNormCases)
    func sigmaConvergesToTheLargestSingularValueAndNormalisedWeightHasNormOne(_ testCase: SpectralNormCase) throws {
        let layer = testCase.make()
        converge(layer, input: seededInput(testCase.inputShape, seed: 11), forwards: 300)
        let wrapped = try #require(layer as? any SpectralNormLayerForTesting)
        let isTransposed = wrapped.outputDimension == 1
        let view = isTransposed ? transposedWeightMatrix : weightMatrix
        let w = view(wrapped.trainableWeight)
        let expected = largestSingularValue(w.values, rows: w.rows, columns: w.columns)
        #expect(abs(Double(wrapped.sigmaValue) - expected) < 1e-4 * expected, "σ \(wrapped.sigmaValue), expected \(expected)")
        let normalized = view(wrapped.innerWeight)
        let norm = largestSingularValue(normalized.values, rows: normalized.rows, columns: normalized.columns)
        #expect(abs(norm - 1) < 1e-4, "spectral norm of W/σ: \(norm)")
    }

    @Test func inferenceModeLeavesUAndVAlone() {
        var g = SeededGenerator(seed: 7)
        let layer = SpectralNorm(Dense(4, 3, using: &g), using: &g)
        let (u, v) = (layer.u.value, layer.v.value)
        layer.isTraining = false
        _ = layer.forward(seededInput([2, 4], seed: 1))
        #expect(layer.u.value == u && layer.v.value == v)
        layer.isTraining = true
        _ = layer.forward(seededInput([2, 4], seed: 1))
        #expect(layer.u.value != u && layer.v.value != v)
        // Unit length after the update.
        let uNorm = layer.u.value.scalars.reduce(0) { $0 + Double($1) * Double($1) }
        #expect(abs(uNorm - 1) < 1e-5)
    }

    @Test func inferenceOutputEqualsTheWrappedLayerWithDividedWeight() {
        var g = SeededGenerator(seed: 8)
        let layer = SpectralNorm(Dense(4, 3, using: &g), using: &g)
        layer.isTraining = false
        let input = seededInput([2, 4], seed: 2)
        let output = layer.forward(input)
        var h = SeededGenerator(seed: 8)
        let plain = Dense(4, 3, using: &h)
        plain.weight.value = plain.weight.value.map { $0 / layer.sigma }
        #expect(output == plain.forward(input))
    }

    @Test func checkpointPathsAndRoundTrip() throws {
        var g = SeededGenerator(seed: 9)
        let model = Sequential {
            SpectralNorm(Dense(4, 3, using: &g), using: &g)
            LeakyReLU(alpha: 0.2)
            SpectralNorm(Dense(3, 1, bias: false, using: &g), using: &g)
        }
        #expect(model.namedParameters.map(\.path) == ["0.weight", "0.bias", "2.weight"])
        #expect(model.namedBuffers.map(\.path) == ["0.u", "0.v", "2.u", "2.v"])
        #expect(model.namedBuffers.map(\.buffer.value.shape) == [[3], [4], [1], [3]])
        let input = seededInput([2, 4], seed: 3)
        converge(model, input: input, forwards: 3)
        var checkpoint = Checkpoint()
        checkpoint.store(model, as: "d")

        var h = SeededGenerator(seed: 99)
        let restored = Sequential {
            SpectralNorm(Dense(4, 3, using: &h), using: &h)
            LeakyReLU(alpha: 0.2)
            SpectralNorm(Dense(3, 1, bias: false, using: &h), using: &h)
        }
        try Checkpoint.decode(checkpoint.encoded()).restore(restored, from: "d")
        #expect(restored.forward(input) == model.forward(input))   // training mode: same u, v update too
        model.isTraining = false
        restored.isTraining = false
        #expect(restored.forward(input) == model.forward(input))
    }

    @Test func skipLeavesGradientsAndParametersOnlyMatchesFullBackward() {
        var g = SeededGenerator(seed: 10)
        let layer = SpectralNorm(Conv2D(2, 3, kernelSize: 3, padding: 1, using: &g), using: &g)
        let input = seededInput([2, 2, 4, 4], seed: 4)
        let output = layer.forward(input)
        let dy = seededInput(output.shape, seed: 5)
        layer.zeroGradients()
        _ = layer.backward(dy, parameterGradients: .skip)
        #expect(layer.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } })
        _ = layer.backward(dy, parameterGradients: .accumulate)
        let full = layer.parameters.map(\.gradient)
        layer.zeroGradients()
        layer.backwardParametersOnly(dy)
        #expect(layer.parameters.map(\.gradient) == full)
        // Accumulates: a second backward doubles the gradient.
        layer.backwardParametersOnly(dy)
        for (twice, once) in zip(layer.parameters.map(\.gradient), full) {
            #expect(approximationReport(twice.scalars.map(Double.init), once.scalars.map { 2 * Double($0) },
                                        absolute: 1e-6, relative: 1e-5).failures == 0)
        }
    }

    @Test func descriptionAndShapeMessages() {
        var g = SeededGenerator(seed: 11)
        let layer = SpectralNorm(Dense(784, 256, using: &g), using: &g)
        #expect(layer.description == "SpectralNorm(Dense(784 → 256))  // 200,960 parameters")
        #expect(layer.inputShapeProblem(for: [64, 100]) == "Dense(784 → 256): expected input [N, 784], got [64, 100]")
        #expect(layer.inputShapeProblem(for: [64, 784]) == nil)
    }
}

/// Type-erased access to a `SpectralNorm<…>` for the parameterised tests.
protocol SpectralNormLayerForTesting {
    var trainableWeight: Tensor { get }
    var innerWeight: Tensor { get }
    var sigmaValue: Float { get }
    var outputDimension: Int { get }
}

extension SpectralNorm: SpectralNormLayerForTesting {
    var trainableWeight: Tensor { weight.value }
    var innerWeight: Tensor { layer.weight.value }
    var sigmaValue: Float { sigma }
    var outputDimension: Int { layer.spectralNormOutputDimension }
}
