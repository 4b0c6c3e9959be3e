extension Trainer: CustomStringConvertible {
    /// The training setup in a few lines: objective, D steps per G step, penalty,
    /// real label, clipping, generator average, and each network's optimizer, e.g.
    /// ```
    /// Trainer(NonSaturatingGAN, 1 D step per G step, R1 γ 1, real label 0.9, EMA 0.999 of G's weights)
    ///   generator: Adam(learning rate 0.0006, β1 0.5, β2 0.999, ε 1e-08)  // 1,493,520 parameters
    ///   discriminator: Adam(learning rate 0.0006, β1 0.5, β2 0.999, ε 1e-08)  // 533,505 parameters
    /// ```
    public var description: String {
        let objectiveName = (objective as? any CustomStringConvertible)?.description ?? "\(type(of: objective))"
        var parts = [objectiveName, "\(discriminatorSteps) D step\(discriminatorSteps == 1 ? "" : "s") per G step"]
        if let gradientPenalty {
            switch gradientPenalty.kind {
            case .interpolates: parts.append(String(format: "gradient penalty λ %g", Double(gradientPenalty.weight)))
            case .realData: parts.append(String(format: "R1 γ %g", 2 * Double(gradientPenalty.weight)))
            }
            if gradientPenalty.interval > 1 { parts[parts.count - 1] += " every \(gradientPenalty.interval) D updates" }
        }
        parts.append(String(format: "real label %g", Double(realLabel)))
        if let gradientClipNorm { parts.append(String(format: "gradient norm clipped to %g", Double(gradientClipNorm))) }
        if let generatorAverage { parts.append(String(format: "EMA %g of G's weights", Double(generatorAverage.decay))) }
        if isConditional { parts.append("conditioned on \(classCount.map(String.init) ?? "the") classes") }
        return "Trainer(\(parts.joined(separator: ", ")))\n  generator: \(generatorOptimizer)\n  discriminator: \(discriminatorOptimizer)"
    }
}
