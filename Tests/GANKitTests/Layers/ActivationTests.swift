import Foundation
import Testing
@testable import GANKit

/// Activations on tensors large enough to be split over the threads
/// (`parallelFor` chunks of at least 16 Ki elements) against their formulas,
/// element by element, so every chunk's offset is checked, at every kernel level
/// the CPU has.
@Suite struct ActivationTests {
    /// (layer, f(x), f′(x)·dy from x, dy and f(x)), tolerances in units of the value.
    static let cases: [(name: String, make: @Sendable () -> any Layer,
                        value: @Sendable (Float) -> Double, slope: @Sendable (Float, Float) -> Double)] = [
        ("ReLU", { ReLU() }, { Double(max($0, 0)) }, { x, _ in x > 0 ? 1 : 0 }),
        ("LeakyReLU 0.2", { LeakyReLU(alpha: 0.2) }, { Double($0 > 0 ? $0 : 0.2 * $0) }, { x, _ in x > 0 ? 1 : 0.2 }),
        ("Tanh", { Tanh() }, { tanh(Double($0)) }, { _, y in 1 - Double(y) * Double(y) }),
        ("Sigmoid", { Sigmoid() }, { 1 / (1 + exp(-Double($0))) }, { _, y in Double(y) * (1 - Double(y)) }),
    ]

    @Test(arguments: cases.indices, KernelLevel.supported)
    func largeTensorsMatchTheFormula(_ index: Int, level: KernelLevel) {
        let testCase = Self.cases[index]
        let layer = testCase.make()
        let count = 3 * (1 << 14) + 77  // several chunks, the last one uneven
        let x = seededInput([1, count], seed: 21)
        let dy = seededInput([1, count], seed: 22)
        let (y, dx) = KernelLevel.withCap(level) { (layer.forward(x), layer.backward(dy)) }
        let (xs, ys, dys, dxs) = (x.scalars, y.scalars, dy.scalars, dx.scalars)
        var wrongValues = 0, wrongGradients = 0
        for i in 0..<count {
            let value = testCase.value(xs[i])
            if abs(Double(ys[i]) - value) > 1e-6 * max(1, abs(value)) { wrongValues += 1 }
            let gradient = testCase.slope(xs[i], ys[i]) * Double(dys[i])
            if abs(Double(dxs[i]) - gradient) > 1e-6 * max(1, abs(gradient)) { wrongGradients += 1 }
        }
        #expect(wrongValues == 0 && wrongGradients == 0,
                "\(testCase.name): \(wrongValues) wrong values, \(wrongGradients) wrong gradients of \(count)")
    }

    /// ReLU and LeakyReLU round once per element (a select, or one product), so
    /// every level gives the baseline's bits, forward and backward.
    @Test(arguments: [0, 1])
    func reluFamilyIsBitIdenticalAtEveryLevel(_ index: Int) {
        let x = seededInput([1, 3 * (1 << 14) + 77], seed: 23)
        let dy = seededInput(x.shape, seed: 24)
        func run(_ level: KernelLevel) -> [UInt32] {
            let layer = Self.cases[index].make()
            let (y, dx) = KernelLevel.withCap(level) { (layer.forward(x), layer.backward(dy)) }
            return (y.scalars + dx.scalars).map(\.bitPattern)
        }
        let baseline = run(.baseline)
        for level in KernelLevel.supported.dropFirst() {
            #expect(run(level) == baseline, "\(Self.cases[index].name) at \(level)")
        }
    }
}
