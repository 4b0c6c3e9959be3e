// custom-layer: write your own GANKit layer, verify its backward pass with
// GradientCheck, and train a small network that uses it.
//
// Run:      swift run -c release custom-layer
// Takes:    about a second.
// Prints:   the backend, the gradient-check report (worst relative error per
//           tensor, well below 1e-2), and the loss of a regression falling.
import Foundation
import GANKit

// No options: answer --help, reject anything else (as every example does).
if let argument = CommandLine.arguments.dropFirst().first {
    guard argument == "--help" || argument == "-h" else {
        FileHandle.standardError.write(Data("custom-layer: error: unexpected argument '\(argument)'; this example takes no options (see --help)\n".utf8))
        exit(2)
    }
    print("usage: custom-layer\n\nWrite a layer, check its gradients with GradientCheck, train a small model with it.\n\noptions:\n  --help                    show this help and exit")
    exit(0)
}

print("GANKit backend: \(GANKit.backend)")

/// Swish with a learnable slope: y = x · σ(β·x), one β per feature.
///
/// Input `[N, F]` → output `[N, F]`; parameter `beta` `[F]`, initialised to 1.
final class LearnableSwish: Layer {
    var isTraining = true
    let features: Int
    let beta: Parameter
    var parameters: [Parameter] { [beta] }
    var buffers: [Buffer] { [] }
    /// Cached for backward: the input and σ(β·x).
    private var input = Tensor.empty
    private var gate = Tensor.empty

    init(features: Int) {
        self.features = features
        beta = Parameter(name: "beta", value: .ones([features]))
    }

    func forward(_ x: Tensor) -> Tensor {
        checkInputShape(x.rank == 2 && x.shape[1] == features, description, expected: "[N, \(features)]", got: x.shape)
        input = x
        var sigma = Tensor(zeros: x.shape)
        var y = Tensor(zeros: x.shape)
        let betaValues = self.beta.value.scalars
        x.withUnsafeBufferPointer { xs in
            sigma.withUnsafeMutableBufferPointer { s in
                y.withUnsafeMutableBufferPointer { ys in
                    for i in 0..<xs.count {
                        let b = betaValues[i % features]
                        s[i] = 1 / (1 + (-b * xs[i]).exp)
                        ys[i] = xs[i] * s[i]
                    }
                }
            }
        }
        gate = sigma
        return y
    }

    func backward(_ dy: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        var dx = Tensor(zeros: input.shape)
        var dBeta = [Float](repeating: 0, count: features)
        let betaValues = self.beta.value.scalars
        input.withUnsafeBufferPointer { xs in
            gate.withUnsafeBufferPointer { s in
                dy.withUnsafeBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer { d in
                        for i in 0..<xs.count {
                            let f = i % features, ds = s[i] * (1 - s[i])
                            // dy/dx = σ + x·σ'·β ; dy/dβ = x·σ'·x
                            d[i] = g[i] * (s[i] + xs[i] * ds * betaValues[f])
                            dBeta[f] += g[i] * xs[i] * ds * xs[i]
                        }
                    }
                }
            }
        }
        if parameterGradients == .accumulate { self.beta.gradient += Tensor(dBeta) }
        return dx
    }

    var description: String { "LearnableSwish(\(features))" }
}

// Each output row depends only on its input row (no batch statistics), so the
// layer may declare it: a Trainer then runs a discriminator built from such
// layers once on the real and fake samples together instead of twice.
extension LearnableSwish: SampleIndependentLayer {}

extension Float {
    fileprivate var exp: Float { Float(Foundation.exp(Double(self))) }
}

// 1. Verify the backward pass against finite differences.
let report = GradientCheck.run(LearnableSwish(features: 6), inputShape: [4, 6])
print(report)
precondition(report.passes(tolerance: 1e-2), "LearnableSwish's backward pass is wrong")

// 2. Use it like any built-in layer: fit y = sin(x0) + x1² with a small network.
var rng = SeededGenerator(seed: 3)
let model = Sequential {
    Dense(2, 16, using: &rng)
    LearnableSwish(features: 16)
    Dense(16, 1, using: &rng)
}
let optimizer = Adam(parameters: model.parameters, learningRate: 0.01)
let x = Tensor.randomUniform([256, 2], lowerBound: -2, upperBound: 2, using: &rng)
let target = Tensor(shape: [256, 1], element: { i in
    let a = x[i, 0], b = x[i, 1]
    return Float(Foundation.sin(Double(a))) + b * b
})
let loss = MeanSquaredError()
for step in 0...300 {
    optimizer.zeroGradients()
    let prediction = model(x)
    let (value, gradient) = loss(prediction, target)
    _ = model.backward(gradient)
    optimizer.step()
    if step % 100 == 0 { print("step \(step): mean squared error \(value)") }
}
