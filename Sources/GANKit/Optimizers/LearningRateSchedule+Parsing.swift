extension LearningRateSchedule {
    /// The accepted spellings of ``init(parsing:totalSteps:)``, for error messages.
    public static let syntax =
        "constant, step:K:GAMMA, exp:GAMMA, cosine, cosine:T or warmup:W[+SCHEDULE] (K, T, W whole numbers ≥ 1, GAMMA ≥ 0)"

    /// Reads a schedule from a command-line spelling; nil when `text` does not follow ``syntax``.
    ///
    /// `constant`; `step:K:GAMMA` (× GAMMA every K steps); `exp:GAMMA` (× GAMMA per step);
    /// `cosine` (to 0 over `totalSteps`) or `cosine:T`; `warmup:W` or `warmup:W+S` (linear
    /// warm-up over W steps, then schedule S, whose own count starts after the warm-up;
    /// a bare `cosine` then spans the remaining `totalSteps − W`). Steps are optimizer steps.
    public init?(parsing text: String, totalSteps: Int) {
        func count(_ part: Substring) -> Int? { Int(part).flatMap { $0 >= 1 ? $0 : nil } }
        func factor(_ part: Substring) -> Double? { Double(part).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
        if text.hasPrefix("warmup:") {
            let parts = text.dropFirst("warmup:".count).split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
            guard let steps = count(parts[0]) else { return nil }
            guard parts.count == 2 else { self = .warmup(steps: steps); return }
            guard let then = LearningRateSchedule(parsing: String(parts[1]), totalSteps: max(totalSteps - steps, 1)) else {
                return nil
            }
            self = .warmup(steps: steps, then: then)
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch (parts[0], parts.count) {
        case ("constant", 1):
            self = .constant
        case ("step", 3):
            guard let every = count(parts[1]), let gamma = factor(parts[2]) else { return nil }
            self = .stepDecay(every: every, gamma: gamma)
        case ("exp", 2):
            guard let gamma = factor(parts[1]) else { return nil }
            self = .exponential(gamma: gamma)
        case ("cosine", 1):
            self = .cosine(steps: max(totalSteps, 1))
        case ("cosine", 2):
            guard let steps = count(parts[1]) else { return nil }
            self = .cosine(steps: steps)
        default:
            return nil
        }
    }
}
