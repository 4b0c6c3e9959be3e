import Testing
@testable import GANKit

/// One optimizer configuration exercised by the shared tests (reference steps,
/// state round trips, the quadratic), with a matching Double reference rule.
enum OptimizerCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sgd, sgdWeightDecay, sgdMomentum, sgdNesterov, sgdMomentumWeightDecay
    case adam, adamL2, adamDecoupled, adamW
    case rmsProp, rmsPropCentered, rmsPropMomentum, rmsPropCenteredMomentumWeightDecay

    var testDescription: String { rawValue }

    /// The optimizer under test over `parameters`.
    func makeOptimizer(_ parameters: [Parameter], learningRate: Float? = nil) -> any Optimizer {
        switch self {
        case .sgd: SGD(parameters: parameters, learningRate: learningRate ?? 0.1)
        case .sgdWeightDecay: SGD(parameters: parameters, learningRate: learningRate ?? 0.1, weightDecay: 0.05)
        case .sgdMomentum: SGD(parameters: parameters, learningRate: learningRate ?? 0.1, momentum: 0.9)
        case .sgdNesterov: SGD(parameters: parameters, learningRate: learningRate ?? 0.1, momentum: 0.9, nesterov: true)
        case .sgdMomentumWeightDecay:
            SGD(parameters: parameters, learningRate: learningRate ?? 0.1, momentum: 0.5, weightDecay: 0.05)
        case .adam: Adam(parameters: parameters, learningRate: learningRate ?? 0.01)
        case .adamL2: Adam(parameters: parameters, learningRate: learningRate ?? 0.01, beta1: 0.5, weightDecay: 0.1)
        case .adamDecoupled:
            Adam(parameters: parameters, learningRate: learningRate ?? 0.01, beta1: 0.5, weightDecay: 0.1,
                 decoupledWeightDecay: true)
        case .adamW: AdamW(parameters: parameters, learningRate: learningRate ?? 0.01)
        case .rmsProp: RMSProp(parameters: parameters, learningRate: learningRate ?? 0.01)
        case .rmsPropCentered: RMSProp(parameters: parameters, learningRate: learningRate ?? 0.01, centered: true)
        case .rmsPropMomentum: RMSProp(parameters: parameters, learningRate: learningRate ?? 0.01, momentum: 0.9)
        case .rmsPropCenteredMomentumWeightDecay:
            RMSProp(parameters: parameters, learningRate: learningRate ?? 0.01, alpha: 0.9, momentum: 0.5,
                    centered: true, weightDecay: 0.1)
        }
    }

    /// A learning rate that lets the rule cross the quadratic test's distance (≈ 3) in 300 steps:
    /// Adam moves each weight by at most about lr per step.
    var quadraticLearningRate: Float? {
        switch self {
        case .adam, .adamL2, .adamDecoupled, .adamW: 0.1
        default: nil
        }
    }

    /// The textbook rule with the same hyper-parameters, in Double (defined beside each optimizer's tests).
    func makeReference() -> any ReferenceRule {
        switch self {
        case .sgd: ReferenceSGD(learningRate: 0.1)
        case .sgdWeightDecay: ReferenceSGD(learningRate: 0.1, weightDecay: 0.05)
        case .sgdMomentum: ReferenceSGD(learningRate: 0.1, momentum: 0.9)
        case .sgdNesterov: ReferenceSGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        case .sgdMomentumWeightDecay: ReferenceSGD(learningRate: 0.1, momentum: 0.5, weightDecay: 0.05)
        case .adam: ReferenceAdam(learningRate: 0.01)
        case .adamL2: ReferenceAdam(learningRate: 0.01, beta1: 0.5, weightDecay: 0.1)
        case .adamDecoupled: ReferenceAdam(learningRate: 0.01, beta1: 0.5, weightDecay: 0.1, decoupled: true)
        case .adamW: ReferenceAdam(learningRate: 0.01, weightDecay: 0.01, decoupled: true)
        case .rmsProp: ReferenceRMSProp(learningRate: 0.01)
        case .rmsPropCentered: ReferenceRMSProp(learningRate: 0.01, centered: true)
        case .rmsPropMomentum: ReferenceRMSProp(learningRate: 0.01, momentum: 0.9)
        case .rmsPropCenteredMomentumWeightDecay:
            ReferenceRMSProp(learningRate: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1)
        }
    }
}

/// An element-wise update rule written from its formula, in Double, over a flat array of all parameters.
protocol ReferenceRule {
    /// Applies one step to `p` given the gradient `g` (same count).
    mutating func update(_ p: inout [Double], _ g: [Double])
}

/// Hyper-parameters exactly as the Float optimizer sees them.
func exact(_ value: Float) -> Double { Double(value) }

/// Two parameters (shapes [3] and [2, 2]) and a gradient schedule, flattened for reference rules.
enum OptimizerFixture {
    static let shapes: [TensorShape] = [[3], [2, 2]]
    static let initialValues: [[Float]] = [[0.5, -1, 2], [0.1, -0.3, 0.7, 1.2]]
    /// Gradients per step (cycled); a zero and sign changes exercise the moment estimates.
    static let gradients: [[[Float]]] = [
        [[0.1, -0.2, 0.3], [0, 1.5, -0.4, 0.05]],
        [[-0.3, -0.1, 0.2], [0.2, 0.5, 0.4, -0.25]],
        [[0.05, 0.4, -0.2], [-0.1, 0.8, 0.3, 0.15]],
    ]

    static func makeParameters(values: [[Float]] = initialValues) -> [Parameter] {
        zip(["weight", "bias"], zip(shapes, values)).map { name, pair in
            Parameter(name: name, value: Tensor(shape: pair.0, values: pair.1))
        }
    }

    /// Sets the gradients for step `step` (0-based) on `parameters`.
    static func setGradients(_ parameters: [Parameter], step: Int) {
        for (parameter, values) in zip(parameters, gradients[step % gradients.count]) {
            parameter.gradient = Tensor(shape: parameter.shape, values: values)
        }
    }

    /// Runs steps `range` (0-based step numbers pick the gradients) on `optimizer`.
    static func run(_ optimizer: any Optimizer, steps range: Range<Int>) {
        for step in range {
            setGradients(optimizer.parameters, step: step)
            optimizer.step()
        }
    }

    static func flatValues(_ parameters: [Parameter]) -> [Float] { parameters.flatMap(\.value.scalars) }
    static var flatInitial: [Double] { initialValues.flatMap { $0.map(exact) } }
    static func flatGradient(step: Int) -> [Double] { gradients[step % gradients.count].flatMap { $0.map(exact) } }

    /// The reference rule's values after `count` steps from the initial values.
    static func referenceValues(_ rule: any ReferenceRule, steps count: Int) -> [Double] {
        var rule = rule
        var p = flatInitial
        for step in 0..<count { rule.update(&p, flatGradient(step: step)) }
        return p
    }
}
