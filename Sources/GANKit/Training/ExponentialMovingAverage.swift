import Foundation

/// An exponential moving average of a network's parameters, for sampling from
/// a smoother generator than the one being trained.
///
/// GAN generators oscillate around good solutions; averaging their weights
/// over the last few hundred steps gives visibly cleaner samples at no
/// training cost (Yazıcı et al., "The Unusual Effectiveness of Averaging in
/// GAN Training", ICLR 2019, <https://arxiv.org/abs/1806.04498>; used by
/// ProGAN, StyleGAN and BigGAN). After every optimizer step:
///
///     shadowᵢ ← decay · shadowᵢ + (1 − decay) · valueᵢ
///
/// with the decay warmed up as `min(decay, (1 + t) / (10 + t))` at update `t`
/// (TensorFlow's `num_updates` form), so early averages are not dominated by
/// the random initial weights. Only parameters are averaged; buffers such as
/// BatchNorm running statistics stay those of the live network.
///
/// ```swift
/// let average = ExponentialMovingAverage(parameters: generator.parameters, decay: 0.999)
/// trainer.onBatchEnd = { _ in average.update(); return .continue }
/// let samples = average.withAveragedParameters { trainer.sample(noise: noise) }
/// ```
///
/// Not `Sendable`: like the network it shadows, it belongs to the training task.
public final class ExponentialMovingAverage {
    /// The parameters being averaged, captured at `init`.
    public let parameters: [Parameter]
    /// The largest weight of the old average per update, in [0, 1).
    public let decay: Float
    /// Updates applied so far.
    public private(set) var updateCount = 0
    /// The averages, one per parameter, same shapes.
    public private(set) var averages: [Tensor]

    /// Starts the averages at the parameters' current values.
    /// - Precondition: `0 ≤ decay < 1`.
    public init(parameters: [Parameter], decay: Float = 0.999) {
        require(decay >= 0 && decay < 1, "ExponentialMovingAverage: decay must lie in [0, 1), got \(decay)")
        self.parameters = parameters
        self.decay = decay
        averages = parameters.map { independentCopy($0.value) }
    }

    /// The decay used by the next update: `min(decay, (1 + t) / (10 + t))`.
    public var currentDecay: Float { min(decay, Float(1 + updateCount) / Float(10 + updateCount)) }

    /// Moves every average towards its parameter's current value.
    public func update() {
        let d = currentDecay, keep = 1 - d
        updateCount += 1
        for index in parameters.indices {
            parameters[index].value.withUnsafeBufferPointer { value in
                averages[index].withUnsafeMutableBufferPointer { average in
                    for i in 0..<average.count { average[i] = d * average[i] + keep * value[i] }
                }
            }
        }
    }

    /// Runs `body` with the averaged values in the parameters, then puts the trained values back.
    public func withAveragedParameters<R>(_ body: () throws -> R) rethrows -> R {
        let trained = parameters.map(\.value)
        for (parameter, average) in zip(parameters, averages) { parameter.value = average }
        defer { for (parameter, value) in zip(parameters, trained) { parameter.value = value } }
        return try body()
    }

    /// The averages as named tensors `"average.i"` plus `"updates"` (the update count
    /// as two floats, like an optimizer's `"step"`; an integer in a checkpoint).
    public func stateDictionary() -> [String: Tensor] {
        var state = ["updates": encodeStepCount(updateCount)]
        for (index, average) in averages.enumerated() { state["average.\(index)"] = independentCopy(average) }
        return state
    }

    /// Restores what ``stateDictionary()`` saved for parameters of the same shapes.
    /// - Throws: ``OptimizerStateError`` naming the key; nothing changes then.
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        var shapes: [String: TensorShape] = ["updates": [2]]
        addPerParameterShapes(&shapes, prefix: "average", parameters: parameters)
        _ = try validateOptimizerState(state, expected: shapes, optimizer: "ExponentialMovingAverage")
        guard let updates = decodeStepCount(state["updates"]!) else {
            throw OptimizerStateError.invalidValue(optimizer: "ExponentialMovingAverage", key: "updates",
                                                   value: state["updates"]!.scalars)
        }
        updateCount = updates
        for index in averages.indices { averages[index] = independentCopy(state["average.\(index)"]!) }
    }
}

extension ExponentialMovingAverage: StepCountedState {
    /// `"updates"`, stored as an integer in checkpoints.
    var stepCountKeys: [String] { ["updates"] }
}
