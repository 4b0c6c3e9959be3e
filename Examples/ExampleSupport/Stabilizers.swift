import GANKit

/// Stabilizer options of the GAN examples: spectral normalisation and minibatch
/// standard deviation in the discriminator, and a learning-rate schedule for both
/// optimizers (see Docs/SpectralNorm.md, Docs/MinibatchStdDev.md, Docs/Schedules.md).
public let stabilizerOptions: [Option] = [
    Option("--spectral-norm", kind: .flag,
           help: "wrap every Dense/Conv2D of D in SpectralNorm (the DCGAN's D then has no BatchNorm)"),
    Option("--minibatch-stddev", kind: .flag,
           help: "give D the minibatch standard deviation (groups of 4) before its last Dense"),
    Option("--lr-schedule", "S",
           kind: .validated(expected: learningRateScheduleSyntax,
                            accepts: { parseLearningRateSchedule($0, totalSteps: 1) != nil }),
           default: "constant",
           help: "constant | step:K:GAMMA | exp:GAMMA | cosine[:T] | warmup:W[+S], counted in optimizer steps "
               + "(cosine without T: over the whole run)"),
]

/// The accepted `--lr-schedule` values, for the error message.
let learningRateScheduleSyntax =
    "constant, step:K:GAMMA, exp:GAMMA, cosine, cosine:T or warmup:W[+SCHEDULE] (K, T, W whole numbers ≥ 1, GAMMA ≥ 0)"

/// Reads an `--lr-schedule` value; nil when it does not follow the syntax.
///
/// `constant`; `step:K:GAMMA` (× GAMMA every K steps); `exp:GAMMA` (× GAMMA per step);
/// `cosine` (to 0 over `totalSteps`) or `cosine:T`; `warmup:W` or `warmup:W+S` (linear
/// warm-up over W steps, then schedule S, whose own count starts after the warm-up;
/// a bare `cosine` then spans the remaining `totalSteps − W`).
public func parseLearningRateSchedule(_ text: String, totalSteps: Int) -> LearningRateSchedule? {
    func count(_ part: Substring) -> Int? { Int(part).flatMap { $0 >= 1 ? $0 : nil } }
    func factor(_ part: Substring) -> Double? { Double(part).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
    if text.hasPrefix("warmup:") {
        let body = text.dropFirst("warmup:".count)
        let parts = body.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        guard let steps = count(parts[0]) else { return nil }
        guard parts.count == 2 else { return .warmup(steps: steps) }
        guard let then = parseLearningRateSchedule(String(parts[1]), totalSteps: max(totalSteps - steps, 1)) else {
            return nil
        }
        return .warmup(steps: steps, then: then)
    }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    switch (parts[0], parts.count) {
    case ("constant", 1):
        return .constant
    case ("step", 3):
        guard let every = count(parts[1]), let gamma = factor(parts[2]) else { return nil }
        return .stepDecay(every: every, gamma: gamma)
    case ("exp", 2):
        guard let gamma = factor(parts[1]) else { return nil }
        return .exponential(gamma: gamma)
    case ("cosine", 1):
        return .cosine(steps: max(totalSteps, 1))
    case ("cosine", 2):
        guard let steps = count(parts[1]) else { return nil }
        return .cosine(steps: steps)
    default:
        return nil
    }
}

extension GANExampleRun {
    /// Sets `spectralNorm` and `minibatchStdDev` from `--spectral-norm` and `--minibatch-stddev`.
    public func applyStabilizers(to configuration: inout MLPGAN.Configuration) {
        configuration.spectralNorm = arguments.flag("--spectral-norm")
        configuration.minibatchStdDev = minibatchStdDevRequested()
    }

    /// Sets `spectralNorm` and `minibatchStdDev` from `--spectral-norm` and `--minibatch-stddev`.
    public func applyStabilizers(to configuration: inout DCGAN.Configuration) {
        configuration.spectralNorm = arguments.flag("--spectral-norm")
        configuration.minibatchStdDev = minibatchStdDevRequested()
    }

    /// Whether `--minibatch-stddev` was given; stops before training when the batch
    /// size cannot be split into groups of 4 (the layer would stop at the first step).
    private func minibatchStdDevRequested() -> Bool {
        guard arguments.flag("--minibatch-stddev") else { return false }
        let batchSize = arguments.integer("--batch-size")
        if batchSize % min(4, batchSize) != 0 {
            fail("--minibatch-stddev needs a --batch-size divisible by 4 (or below 4), got \(batchSize)")
        }
        return true
    }

    /// `optimizer` itself for `--lr-schedule constant` (so checkpoints keep their
    /// keys), otherwise a ``ScheduledOptimizer`` around it. A bare `cosine` spans
    /// the whole run: `--epochs` × the batches per epoch of `images`.
    public func scheduled(_ optimizer: any Optimizer, images: Tensor) -> any Optimizer {
        let text = arguments.string("--lr-schedule")!
        guard text != "constant" else { return optimizer }
        let batchSize = min(arguments.integer("--batch-size"), images.shape[0])
        let totalSteps = arguments.integer("--epochs") * (images.shape[0] / batchSize)
        guard let schedule = parseLearningRateSchedule(text, totalSteps: totalSteps) else {
            fail("--lr-schedule expects \(learningRateScheduleSyntax), got '\(text)'")
        }
        print("lr schedule: \(schedule)")
        return ScheduledOptimizer(base: optimizer, schedule: schedule)
    }
}
