import Foundation
import Testing
@testable import GANKit

/// The gradient penalty's weight gradients (central differences of backward passes)
/// against the closed form of a two-layer critic D(x) = w₂·φ(W₁x + b₁) + b₂, in Double.
///
/// With g_i = ∇ₓD(x_i) = W₁ᵀ(w₂ ⊙ φ′(z_i)), u_i = dPenalty/dg_i and a_i = W₁u_i,
/// the penalty's gradient is Σ_i ∇θ(u_iᵀg_i) with u_i held fixed:
///     ∂/∂w₂ₖ  = Σ_i a_ik φ′(z_ik)
///     ∂/∂b₁ₖ  = Σ_i a_ik w₂ₖ φ″(z_ik)
///     ∂/∂W₁ₖⱼ = Σ_i [w₂ₖ φ′(z_ik) u_ij + a_ik w₂ₖ φ″(z_ik) x_ij]
///     ∂/∂b₂   = 0
@Suite struct GradientPenaltyTests {
    enum Activation: String, CaseIterable, Sendable { case tanh, leakyReLU }

    struct Exact {
        var value: Double
        var gradients: [[Double]]  // W₁, b₁, w₂, b₂ in the layers' parameter order
    }

    static func exactPenalty(_ penalty: GradientPenalty, dense1: Dense, dense2: Dense,
                             activation: Activation, points: Tensor) -> Exact {
        let (hidden, inputs, batch) = (dense1.outFeatures, dense1.inFeatures, points.shape[0])
        let w1 = dense1.weight.value.scalars.map(Double.init), b1 = dense1.bias!.value.scalars.map(Double.init)
        let w2 = dense2.weight.value.scalars.map(Double.init)
        let x = points.scalars.map(Double.init)
        var value = 0.0
        var dW1 = [Double](repeating: 0, count: hidden * inputs), db1 = [Double](repeating: 0, count: hidden)
        var dw2 = [Double](repeating: 0, count: hidden)
        for i in 0..<batch {
            var d1 = [Double](repeating: 0, count: hidden), d2 = d1
            for k in 0..<hidden {
                var z = b1[k]
                for j in 0..<inputs { z += w1[k * inputs + j] * x[i * inputs + j] }
                switch activation {
                case .tanh: let t = Foundation.tanh(z); d1[k] = 1 - t * t; d2[k] = -2 * t * (1 - t * t)
                case .leakyReLU: d1[k] = z > 0 ? 1 : 0.2; d2[k] = 0
                }
            }
            var g = [Double](repeating: 0, count: inputs)
            for j in 0..<inputs { for k in 0..<hidden { g[j] += w1[k * inputs + j] * w2[k] * d1[k] } }
            let squaredNorm = g.reduce(0) { $0 + $1 * $1 }
            let term = penalty.term(squaredNorm: squaredNorm)
            value += term.value / Double(batch)
            let u = g.map { $0 * term.gradientScale / Double(batch) }
            for k in 0..<hidden {
                var a = 0.0
                for j in 0..<inputs { a += w1[k * inputs + j] * u[j] }
                dw2[k] += a * d1[k]
                db1[k] += a * w2[k] * d2[k]
                for j in 0..<inputs {
                    dW1[k * inputs + j] += w2[k] * d1[k] * u[j] + a * w2[k] * d2[k] * x[i * inputs + j]
                }
            }
        }
        return Exact(value: value, gradients: [dW1, db1, dw2, [0]])
    }

    /// max |computed − exact| / max |exact| over all parameters, and the penalty values.
    static func measure(_ penalty: GradientPenalty, activation: Activation, seed: UInt64)
        -> (relativeError: Double, value: Float, exactValue: Double) {
        var g = SeededGenerator(seed: seed)
        let dense1 = Dense(6, 8, weightInitializer: .normal(mean: 0, standardDeviation: 0.7), using: &g)
        let dense2 = Dense(8, 1, weightInitializer: .normal(mean: 0, standardDeviation: 0.7), using: &g)
        dense1.bias!.value = Tensor.randomNormal([8], using: &g)
        let critic = Sequential {
            dense1
            if activation == .tanh { Tanh() } else { LeakyReLU(alpha: 0.2) }
            dense2
        }
        let points = Tensor.randomNormal([5, 6], using: &g)
        critic.zeroGradients()
        let value = penalty.accumulateGradients(of: critic, at: points)
        let exact = exactPenalty(penalty, dense1: dense1, dense2: dense2, activation: activation, points: points)
        let computed = critic.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
        let expected = exact.gradients.flatMap { $0 }
        let scale = expected.map(abs).max()!
        let worst = zip(computed, expected).map { abs($0 - $1) }.max()!
        return (worst / scale, value, exact.value)
    }

    /// R1 by the central difference (``GradientPenalty/r1(gamma:)`` takes the forward one).
    static let centralR1 = GradientPenalty(kind: .realData, weight: 5, difference: .central)
    /// R1 by the forward difference with a 10× smaller step, where its O(δ) error on the
    /// smooth critic is comparable to the central one's O(δ²) at the default step.
    static let forwardR1 = GradientPenalty(kind: .realData, weight: 5, finiteDifferenceStep: 1e-3, difference: .forward)
    /// The tolerance of each scheme.
    static func tolerance(_ penalty: GradientPenalty) -> Double { penalty.difference == .central ? 2e-3 : 6e-3 }

    @Test(arguments: [("WGAN-GP", GradientPenalty.wassersteinGP(weight: 10)), ("R1 central", centralR1),
                      ("R1 forward", forwardR1)],
          Activation.allCases)
    func gradientMatchesClosedForm(_ penalty: (name: String, value: GradientPenalty), activation: Activation) {
        for seed: UInt64 in 1...3 {
            let result = Self.measure(penalty.value, activation: activation, seed: seed)
            #expect(abs(Double(result.value) - result.exactValue) <= 1e-4 * max(1, result.exactValue))
            #expect(result.relativeError < Self.tolerance(penalty.value),
                    "\(penalty.name), \(activation), seed \(seed): relative error \(result.relativeError)")
        }
    }

    @Test func largerStepsLoseAccuracyOnlyForSmoothCritics() {
        // The tolerance above is meaningful: with a 100× larger step the O(δ²) error of the
        // smooth critic shows, while the piecewise-linear one stays exact up to kinks it crosses.
        var coarse = GradientPenalty.wassersteinGP(weight: 10)
        coarse.finiteDifferenceStep = 1
        let smooth = Self.measure(coarse, activation: .tanh, seed: 1)
        #expect(smooth.relativeError > 2e-3, "tanh with step 1: \(smooth.relativeError)")
        // The LeakyReLU critic keeps its slopes at x in the other passes, so even a step that
        // flips many units' signs leaves one linear piece, whose difference is exact.
        for var penalty in [coarse, Self.centralR1, GradientPenalty.r1(gamma: 10)] {
            penalty.finiteDifferenceStep = 1
            for seed: UInt64 in 1...3 {
                let piecewiseLinear = Self.measure(penalty, activation: .leakyReLU, seed: seed).relativeError
                #expect(piecewiseLinear < 2e-3, "LeakyReLU with step 1, \(penalty.difference), seed \(seed): \(piecewiseLinear)")
            }
        }
    }

    @Test func theForwardDifferenceIsFirstOrderOnSmoothCriticsAndExactOnPiecewiseLinearOnes() {
        // At the default step (what r1(gamma:) uses) the forward difference errs by O(δ) on tanh:
        // 10× the step, about 10× the error (a second-order scheme would give 100×).
        let atDefault = Self.measure(.r1(gamma: 10), activation: .tanh, seed: 2).relativeError
        let atTenth = Self.measure(Self.forwardR1, activation: .tanh, seed: 2).relativeError
        #expect(atDefault > 4 * atTenth && atDefault < 25 * atTenth, "tanh: \(atDefault) at 1e-2, \(atTenth) at 1e-3")
        for seed: UInt64 in 1...3 {
            let piecewiseLinear = Self.measure(.r1(gamma: 10), activation: .leakyReLU, seed: seed).relativeError
            #expect(piecewiseLinear < 2e-3, "LeakyReLU, seed \(seed): \(piecewiseLinear)")
        }
    }
}
