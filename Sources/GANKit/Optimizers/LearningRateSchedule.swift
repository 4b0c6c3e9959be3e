import Foundation

/// A learning-rate multiplier as a function of the optimizer step, for ``ScheduledOptimizer``.
///
/// `factor(atStep: t)` is the multiplier of the base learning rate for the
/// update that follows `t` earlier updates (the first update has `t = 0`), so
/// step decay and the others match PyTorch's `StepLR`, `ExponentialLR` and
/// `CosineAnnealingLR` stepped once per optimizer step. Schedules are per
/// step; for a per-epoch schedule multiply by the steps per epoch
/// (`.stepDecay(every: 937 * 10, gamma: 0.5)` halves the rate every 10 epochs
/// of 937 batches).
public indirect enum LearningRateSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Always 1.
    case constant
    /// `gamma^⌊t / every⌋`: multiply by `gamma` every `every` steps (PyTorch `StepLR`).
    case stepDecay(every: Int, gamma: Double)
    /// `gamma^t` (PyTorch `ExponentialLR`).
    case exponential(gamma: Double)
    /// `m + (1 − m)·(1 + cos(π·t/steps))/2` for `t < steps`, then `m` (`m = minimumFactor`):
    /// cosine annealing from the base rate to `minimumFactor ×` it over `steps` steps
    /// (PyTorch `CosineAnnealingLR` with `eta_min = m·lr`, without restarts).
    case cosine(steps: Int, minimumFactor: Double = 0)
    /// `(t + 1) / steps` for `t < steps` (linear warm-up), then `then` evaluated at `t − steps`.
    case warmup(steps: Int, then: LearningRateSchedule = .constant)

    /// The multiplier of the base learning rate for the update after `step` earlier updates.
    public func factor(atStep step: Int) -> Double {
        require(step >= 0, "LearningRateSchedule: step must be ≥ 0, got \(step)")
        switch self {
        case .constant:
            return 1
        case let .stepDecay(every, gamma):
            return pow(gamma, Double(step / every))
        case let .exponential(gamma):
            return pow(gamma, Double(step))
        case let .cosine(steps, minimumFactor):
            guard step < steps else { return minimumFactor }
            return minimumFactor + (1 - minimumFactor) * (1 + cos(Double.pi * Double(step) / Double(steps))) / 2
        case let .warmup(steps, then):
            return step < steps ? Double(step + 1) / Double(steps) : then.factor(atStep: step - steps)
        }
    }

    /// Stops with a message naming the bad value (non-positive step counts, negative or non-finite factors).
    public func validate() {
        switch self {
        case .constant:
            break
        case let .stepDecay(every, gamma):
            require(every >= 1 && gamma.isFinite && gamma >= 0,
                    "LearningRateSchedule.stepDecay: every must be ≥ 1 and gamma finite and ≥ 0, got \(every), \(gamma)")
        case let .exponential(gamma):
            require(gamma.isFinite && gamma >= 0,
                    "LearningRateSchedule.exponential: gamma must be finite and ≥ 0, got \(gamma)")
        case let .cosine(steps, minimumFactor):
            require(steps >= 1 && minimumFactor.isFinite && minimumFactor >= 0,
                    "LearningRateSchedule.cosine: steps must be ≥ 1 and minimumFactor finite and ≥ 0, got \(steps), \(minimumFactor)")
        case let .warmup(steps, then):
            require(steps >= 1, "LearningRateSchedule.warmup: steps must be ≥ 1, got \(steps)")
            then.validate()
        }
    }

    /// Reads like the constructor, e.g. `warmup(500) then cosine(9370, min 0)`.
    public var description: String {
        switch self {
        case .constant: "constant"
        case let .stepDecay(every, gamma): "step decay ×\(gamma) every \(every) steps"
        case let .exponential(gamma): "exponential ×\(gamma) per step"
        case let .cosine(steps, minimumFactor): "cosine over \(steps) steps to ×\(minimumFactor)"
        case let .warmup(steps, then): "linear warm-up over \(steps) steps, then \(then)"
        }
    }
}
