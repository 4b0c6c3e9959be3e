import Testing
@testable import GANKit

@Suite struct MinibatchStdDevTests {
    @Test(arguments: [(TensorShape([8, 3, 2, 2]), 4), ([6, 5], 2), ([3, 2, 3, 1], 4), ([4, 2, 3], 1)] as [(TensorShape, Int)])
    func gradientsMatchFiniteDifferencesInBothModes(_ shape: TensorShape, groupSize: Int) {
        for training in [true, false] {
            let layer = MinibatchStdDev(groupSize: groupSize)
            layer.isTraining = training
            let report = GradientCheck.run(layer, input: seededInput(shape, seed: 12), stepSize: 1e-2)
            #expect(report.passes(tolerance: 1e-2), "\(shape) group \(groupSize) training \(training):\n\(report)")
            #expect(report.entries.count == 1)
        }
    }

    @Test func matchesAHandComputedExample() {
        // N = 4, F = 2, groupSize 2 → G = 2, groups of samples {0, 2} and {1, 3}.
        let x = Tensor(shape: [4, 2], values: [1, 10,   0, 0,   3, 14,   0, 2])
        let y = MinibatchStdDev(groupSize: 2).forward(x)
        // Group {0, 2}: per-feature sd √(1 + 1e-8) ≈ 1 and √(4 + 1e-8) ≈ 2 → mean 1.5.
        // Group {1, 3}: sd √(0 + 1e-8) = 1e-4 and √(1 + 1e-8) ≈ 1 → mean 0.50005.
        #expect(y.shape == [4, 3])
        let expected: [Float] = [1, 10, 1.5,   0, 0, 0.50005,   3, 14, 1.5,   0, 2, 0.50005]
        #expect(approximationReport(y.scalars.map(Double.init), expected.map(Double.init),
                                    absolute: 1e-6, relative: 1e-6).failures == 0, "\(y.scalars)")
    }

    @Test func imageInputGetsOneConstantChannelPerGroup() {
        let x = seededInput([8, 3, 4, 4], seed: 3)
        let y = MinibatchStdDev().forward(x)
        #expect(y.shape == [8, 4, 4, 4])
        let values = y.scalars, input = x.scalars
        for n in 0..<8 {
            // The first 3 channels are the input, unchanged.
            #expect(Array(values[(n * 64)..<(n * 64 + 48)]) == Array(input[(n * 48)..<(n * 48 + 48)]))
            // The new channel is constant, and equal within a group (n mod 2).
            let channel = values[(n * 64 + 48)..<(n * 64 + 64)]
            #expect(Set(channel).count == 1)
            #expect(channel.first == values[((n + 2) % 8) * 64 + 48])
        }
        // Groups differ: {0, 2, 4, 6} and {1, 3, 5, 7}.
        #expect(values[48] != values[64 + 48])
    }

    @Test func independentReferenceInDouble() {
        let shape: TensorShape = [6, 2, 1, 3], group = 3, groups = 2, features = 6
        let x = seededInput(shape, seed: 4)
        let y = MinibatchStdDev(groupSize: group).forward(x).scalars
        let v = x.scalars.map(Double.init)
        for m in 0..<groups {
            var total = 0.0
            for f in 0..<features {
                let samples = (0..<group).map { v[($0 * groups + m) * features + f] }
                let mean = samples.reduce(0, +) / Double(group)
                let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(group)
                total += (variance + 1e-8).squareRoot()
            }
            let statistic = total / Double(features)
            for g in 0..<group {
                let n = g * groups + m
                for p in 0..<3 { #expect(abs(Double(y[n * 9 + 6 + p]) - statistic) < 1e-5) }
            }
        }
    }

    @Test func smallBatchesUseOneGroupAndIndivisibleBatchesAreRejected() {
        let layer = MinibatchStdDev(groupSize: 4)
        #expect(layer.inputShapeProblem(for: [3, 5]) == nil)       // G = min(4, 3) = 3
        #expect(layer.inputShapeProblem(for: [1, 5]) == nil)       // G = 1: deviation √1e-8
        #expect(layer.inputShapeProblem(for: [8, 5]) == nil)
        #expect(layer.inputShapeProblem(for: [6, 5])
            == "MinibatchStdDev(groupSize: 4): expected input [N, …] with N divisible by 4 (or N < 4), got [6, 5]")
        #expect(layer.inputShapeProblem(for: [6]) != nil)
        #expect(abs(layer.forward(Tensor(repeating: 2, shape: [1, 5])).scalars.last! - 1e-4) < 1e-9)
        #expect(layer.parameters.isEmpty && layer.buffers.isEmpty)
        #expect(layer.description == "MinibatchStdDev(groupSize: 4)")
    }
}
