/// Wraps any optimizer and sets its learning rate from a ``LearningRateSchedule`` before every step.
///
/// `learningRate` is the *base* rate: before update `t` (counting from 0) the
/// wrapped optimizer's rate becomes `learningRate × schedule.factor(atStep: t)`,
/// then `base.step()` runs. Nothing else changes, so a `Trainer` takes a
/// `ScheduledOptimizer` wherever it takes an `Adam`:
///
/// ```swift
/// let optimizer = ScheduledOptimizer(
///     base: Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
///     schedule: .warmup(steps: 500, then: .cosine(steps: 937 * 30 - 500)))
/// ```
///
/// State dictionary: the wrapped optimizer's entries unchanged, plus
/// `"schedule.step"` (its own step count, two floats as described in
/// ``Optimizer/stateDictionary()``; an integer in a checkpoint) and
/// `"schedule.learningRate"` (the base rate), so a resumed run continues the
/// schedule exactly.
public final class ScheduledOptimizer: Optimizer {
    /// The optimizer whose learning rate is scheduled.
    public let base: any Optimizer
    /// The multiplier as a function of the step.
    public let schedule: LearningRateSchedule
    /// The base learning rate that the schedule multiplies (the wrapped optimizer's rate at creation).
    public var learningRate: Float
    /// Updates applied so far.
    public private(set) var stepCount = 0

    /// Wraps `base`; the base learning rate is `base.learningRate` now.
    public init(base: any Optimizer, schedule: LearningRateSchedule) {
        schedule.validate()
        self.base = base
        self.schedule = schedule
        self.learningRate = base.learningRate
    }

    /// The wrapped optimizer's parameters.
    public var parameters: [Parameter] { base.parameters }

    /// The rate the next `step()` will use: `learningRate × schedule.factor(atStep: stepCount)`.
    public var currentLearningRate: Float { Float(Double(learningRate) * schedule.factor(atStep: stepCount)) }

    /// Sets the wrapped optimizer's rate from the schedule, steps it, and counts the step.
    public func step() {
        base.learningRate = currentLearningRate
        base.step()
        stepCount += 1
    }

    /// The wrapped optimizer's state plus `"schedule.step"` and `"schedule.learningRate"`.
    public func stateDictionary() -> [String: Tensor] {
        var state = base.stateDictionary()
        state[Self.stepKey] = encodeStepCount(stepCount)
        state[Self.learningRateKey] = Tensor([learningRate])
        return state
    }

    /// Restores the wrapped optimizer's state and the schedule position; validates
    /// everything first, so on error nothing changes.
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        let name = "ScheduledOptimizer"
        let own = state.filter { $0.key == Self.stepKey || $0.key == Self.learningRateKey }
        // The shared validator reads "step" and "learningRate"; hand it our two under those names.
        var renamed: [String: Tensor] = [:]
        if let step = own[Self.stepKey] { renamed["step"] = step }
        if let rate = own[Self.learningRateKey] { renamed["learningRate"] = rate }
        let step: Int
        let rate: Float
        do {
            step = try validateOptimizerState(renamed, expected: commonStateShapes, optimizer: name)
            rate = try savedLearningRate(from: renamed, optimizer: name)
        } catch let error as OptimizerStateError {
            throw error.renamingScheduleKeys()
        }
        try base.loadStateDictionary(state.filter { own[$0.key] == nil })
        stepCount = step
        learningRate = rate
    }

    private static let stepKey = "schedule.step"
    private static let learningRateKey = "schedule.learningRate"
}

extension ScheduledOptimizer: StepCountedState {
    /// `"schedule.step"` and the wrapped optimizer's step counts.
    var stepCountKeys: [String] { [Self.stepKey] + ((base as? StepCountedState)?.stepCountKeys ?? []) }
}

extension OptimizerStateError {
    /// The same error with `step` / `learningRate` named as the scheduler's keys.
    fileprivate func renamingScheduleKeys() -> OptimizerStateError {
        func renamed(_ key: String) -> String { "schedule." + key }
        switch self {
        case let .missingKey(optimizer, key): return .missingKey(optimizer: optimizer, key: renamed(key))
        case let .unexpectedKey(optimizer, key): return .unexpectedKey(optimizer: optimizer, key: renamed(key))
        case let .shapeMismatch(optimizer, key, expected, found):
            return .shapeMismatch(optimizer: optimizer, key: renamed(key), expected: expected, found: found)
        case let .invalidValue(optimizer, key, value):
            return .invalidValue(optimizer: optimizer, key: renamed(key), value: value)
        }
    }
}
