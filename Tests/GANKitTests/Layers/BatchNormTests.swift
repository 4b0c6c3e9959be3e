import Testing
@testable import GANKit

/// Per-channel values of a `[N, C, S…]` tensor, in Double.
func channelValues(_ t: Tensor, channel c: Int) -> [Double] {
    let (n, channels, s) = (t.shape[0], t.shape[1], t.shape.elementsPerItem / t.shape[1])
    return (0..<n).flatMap { image in (0..<s).map { Double(t[flat: (image * channels + c) * s + $0]) } }
}

/// The tests of the `gk_bn_*` kernels run at every kernel level the CPU has.
@Suite struct BatchNormTests {
    @Test(arguments: [[16, 5], [4, 3, 5, 5]] as [TensorShape], KernelLevel.supported)
    func trainingOutputHasZeroMeanUnitVariancePerChannel(_ shape: TensorShape, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let norm = BatchNorm(shape[1])
            // Channel c is N(0, 1)·(c + 1)·3 + 10·c: very different scales and offsets.
            let x = seededInput(shape, seed: 4)
            let s = shape.elementsPerItem / shape[1]
            let shifted = Tensor(shape: shape) { i in
                let c = (i / s) % shape[1]
                return x[flat: i] * Float(c + 1) * 3 + 10 * Float(c)
            }
            let y = norm.forward(shifted)
            for c in 0..<shape[1] {
                let values = channelValues(y, channel: c)
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
                #expect(abs(mean) < 1e-5, "channel \(c) mean \(mean)")
                #expect(abs(variance - 1) < 1e-3, "channel \(c) variance \(variance)")
            }
        }
    }

    @Test(arguments: [[2, 2, 5, 3], [7, 3]] as [TensorShape], KernelLevel.supported)
    func trainingOutputMatchesFormulaWithAffine(_ shape: TensorShape, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let norm = BatchNorm(shape[1], epsilon: 1e-3)
            norm.weight!.value = seededInput([shape[1]], seed: 1)
            norm.bias!.value = seededInput([shape[1]], seed: 2)
            let x = seededInput(shape, seed: 3) * 2 + 1
            let y = norm.forward(x)
            for c in 0..<shape[1] {
                let values = channelValues(x, channel: c)
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
                let (gamma, beta) = (Double(norm.weight!.value[c]), Double(norm.bias!.value[c]))
                let expected = values.map { gamma * ($0 - mean) / (variance + 1e-3).squareRoot() + beta }
                #expect(maxRelativeDifference(channelValues(y, channel: c).map(Float.init), expected) < 1e-5)
            }
        }
    }

    /// Two training steps with momentum 0.1, running variance unbiased (PyTorch). By hand:
    /// step 1: channel 0 = [1, 2, 3, 4] (mean 2.5, unbiased var 5/3), channel 1 = [2, 4, 6, 8] (5, 20/3);
    ///   running mean = 0.9·0 + 0.1·[2.5, 5] = [0.25, 0.5];
    ///   running var  = 0.9·1 + 0.1·[5/3, 20/3] = [1.0666667, 1.5666667].
    /// step 2: channel 0 = [0, 0, 4, 4] (mean 2, var 16/3), channel 1 = [−1, 1, −1, 1] (0, 4/3);
    ///   running mean = 0.9·[0.25, 0.5] + 0.1·[2, 0] = [0.425, 0.45];
    ///   running var  = 0.9·[1.0666667, 1.5666667] + 0.1·[16/3, 4/3] = [1.4933333, 1.5433333].
    /// The same values are laid out as `[4, 2]` (per feature) and `[2, 2, 1, 2]` (per channel).
    @Test(arguments: KernelLevel.supported)
    func runningStatisticsAfterTwoStepsMatchHandComputedValues(level: KernelLevel) {
        KernelLevel.withCap(level) {
            let perFeature = [
                Tensor(shape: [4, 2], values: [1, 2, 2, 4, 3, 6, 4, 8]),
                Tensor(shape: [4, 2], values: [0, -1, 0, 1, 4, -1, 4, 1]),
            ]
            let perChannel = [
                Tensor(shape: [2, 2, 1, 2], values: [1, 2, 2, 4, 3, 4, 6, 8]),
                Tensor(shape: [2, 2, 1, 2], values: [0, 0, -1, 1, 4, 4, -1, 1]),
            ]
            for batches in [perFeature, perChannel] {
                let norm = BatchNorm(2)
                _ = norm.forward(batches[0])
                #expect(maxRelativeDifference(norm.runningMean.value.scalars, [0.25, 0.5]) < 1e-6)
                #expect(maxRelativeDifference(norm.runningVariance.value.scalars, [0.9 + 0.5 / 3, 0.9 + 2 / 3.0]) < 1e-6)
                _ = norm.forward(batches[1])
                #expect(maxRelativeDifference(norm.runningMean.value.scalars, [0.425, 0.45]) < 1e-6)
                #expect(maxRelativeDifference(norm.runningVariance.value.scalars,
                                              [0.96 + 1.6 / 3, 1.41 + 0.4 / 3]) < 1e-6)
            }
        }
    }

    @Test(arguments: [[5, 3], [3, 3, 2, 4]] as [TensorShape], KernelLevel.supported)
    func inferenceEqualsAffineFormulaWithRunningStatistics(_ shape: TensorShape, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let norm = BatchNorm(3, epsilon: 1e-5)
            norm.weight!.value = seededInput([3], seed: 1)
            norm.bias!.value = seededInput([3], seed: 2)
            norm.runningMean.value = seededInput([3], seed: 3)
            norm.runningVariance.value = seededInput([3], seed: 4).map { $0 * $0 + 0.1 }
            let (mean, variance) = (norm.runningMean.value, norm.runningVariance.value)
            norm.isTraining = false
            let x = seededInput(shape, seed: 5)
            let y = norm.forward(x)
            for c in 0..<3 {
                let (gamma, beta) = (Double(norm.weight!.value[c]), Double(norm.bias!.value[c]))
                let expected = channelValues(x, channel: c).map {
                    gamma * ($0 - Double(mean[c])) / (Double(variance[c]) + 1e-5).squareRoot() + beta
                }
                #expect(maxRelativeDifference(channelValues(y, channel: c).map(Float.init), expected) < 1e-5)
            }
            #expect(norm.runningMean.value == mean && norm.runningVariance.value == variance,
                    "inference must not update the running statistics")
            // Backward in inference is the affine map's: dx = γ/√(σ²_run + ε)·dy.
            let dy = seededInput(shape, seed: 6)
            let dx = norm.backward(dy)
            for c in 0..<3 {
                let k = Double(norm.weight!.value[c]) / (Double(variance[c]) + 1e-5).squareRoot()
                #expect(maxRelativeDifference(channelValues(dx, channel: c).map(Float.init),
                                              channelValues(dy, channel: c).map { k * $0 }) < 1e-5)
            }
        }
    }

    /// In training, dx is orthogonal to 1 and to x̂ per channel (the batch statistics absorb those directions).
    @Test(arguments: KernelLevel.supported)
    func trainingInputGradientIsOrthogonalToConstantsAndNormalizedInput(level: KernelLevel) {
        KernelLevel.withCap(level) {
            let norm = BatchNorm(4)
            norm.weight!.value = seededInput([4], seed: 1)
            let x = seededInput([3, 4, 3, 3], seed: 2)
            let y = norm.forward(x)
            let dx = norm.backward(seededInput(y.shape, seed: 3))
            for c in 0..<4 {
                let g = channelValues(dx, channel: c), values = channelValues(x, channel: c)
                let mean = values.reduce(0, +) / Double(values.count)
                let scale = g.map(abs).reduce(0, +)
                #expect(abs(g.reduce(0, +)) < 1e-5 * scale)
                #expect(abs(zip(g, values).reduce(0) { $0 + $1.0 * ($1.1 - mean) }) < 1e-5 * scale)
            }
        }
    }

    @Test func descriptionNamesAndLayout() {
        let norm = BatchNorm(128)
        #expect(norm.description == "BatchNorm(128, momentum 0.1, epsilon 1e-05)  // 256 parameters")
        #expect(norm.parameters.map(\.name) == ["weight", "bias"])
        #expect(norm.buffers.map(\.name) == ["runningMean", "runningVariance"])
        #expect(norm.weight!.value == Tensor.ones([128]) && norm.bias!.value == Tensor(zeros: [128]))
        #expect(norm.runningMean.value == Tensor(zeros: [128]) && norm.runningVariance.value == Tensor.ones([128]))
        let plain = BatchNorm(8, momentum: 0.01, epsilon: 1e-3, affine: false)
        #expect(plain.parameters.isEmpty && plain.weight == nil && plain.bias == nil)
        #expect(plain.description == "BatchNorm(8, momentum 0.01, epsilon 0.001, affine false)  // 0 parameters")
        #expect(inputShapeError(layer: "BatchNorm(128, momentum 0.1, epsilon 1e-05)",
                                expected: "[N, 128] or [N, 128, H, W]", got: [64, 64, 7, 7])
                == "BatchNorm(128, momentum 0.1, epsilon 1e-05): expected input [N, 128] or [N, 128, H, W], "
                + "got [64, 64, 7, 7]")
    }

    @Test func dcganWeightInitializer() {
        var g = SeededGenerator(seed: 3)
        let norm = BatchNorm(512, weightInitializer: .normal(mean: 1, standardDeviation: 0.02), using: &g)
        let gamma = norm.weight!.value
        #expect(abs(gamma.mean() - 1) < 0.005)
        #expect(abs(gamma.variance().squareRoot() - 0.02) < 0.005)
        #expect(norm.bias!.value == Tensor(zeros: [512]))
    }

    @Test(arguments: [true, false])
    func skipLeavesGradientsBitIdentical(training: Bool) {
        let norm = BatchNorm(3)
        norm.isTraining = training
        let x = seededInput([4, 3, 2, 2], seed: 1)
        _ = norm.forward(x)
        _ = norm.backward(seededInput(x.shape, seed: 2))
        let before = norm.parameters.map(\.gradient)
        _ = norm.forward(seededInput(x.shape, seed: 3))
        let dxSkip = norm.backward(seededInput(x.shape, seed: 4), parameterGradients: .skip)
        #expect(norm.parameters.map(\.gradient) == before)
        #expect(dxSkip.shape == x.shape)
    }

    @Test(arguments: KernelLevel.supported)
    func repeatsBitForBit(level: KernelLevel) {
        KernelLevel.withCap(level) {
            // Large enough that channels are split over threads; each channel's sums have one order.
            let x = seededInput([8, 16, 16, 16], seed: 1)
            let dy = seededInput(x.shape, seed: 2)
            func run() -> (Tensor, Tensor, Tensor) {
                let norm = BatchNorm(16)
                let y = norm.forward(x)
                let dx = norm.backward(dy)
                return (y, dx, norm.weight!.gradient)
            }
            let (a, b) = (run(), run())
            #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2)
        }
    }
}
