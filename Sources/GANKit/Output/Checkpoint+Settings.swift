import Foundation

/// What a checkpoint records about the trainer that made it, so that a resume with
/// other settings says what differs instead of failing on a tensor name, and a
/// sampler can rebuild the generator (``TrainedGenerator/init(checkpoint:layers:pixelRange:)``).
extension Trainer {
    /// The texts ``makeCheckpoint()`` stores: each network's layer list and architecture
    /// (when every layer can describe itself), the latent size, the objective, each optimizer's
    /// type and the generator average.
    func settingsRecord() -> [String: String] {
        var record = [
            "trainer/generator": generator.description,
            "trainer/discriminator": discriminator.description,
            "trainer/generatorOptimizer": "\(type(of: generatorOptimizer))",
            "trainer/discriminatorOptimizer": "\(type(of: discriminatorOptimizer))",
            "trainer/generatorAverage": averageSetting,
            "trainer/latentDimension": String(latentDimension),
            "trainer/objective": (objective as? any CustomStringConvertible)?.description ?? "\(type(of: objective))",
        ]
        if let architecture = try? generator.architecture() { record["trainer/generatorArchitecture"] = architecture.json }
        return record
    }

    /// `"decay 0.999"` or `"none"`.
    private var averageSetting: String {
        generatorAverage.map { "decay \($0.decay)" } ?? "none"
    }

    /// Throws ``CheckpointError/settingsMismatch(setting:checkpoint:current:)`` for the first
    /// recorded setting that differs: the generator average, networks, optimizer types, objective. A
    /// checkpoint from before settings were recorded is checked for the average only.
    func requireMatchingSettings(_ checkpoint: Checkpoint) throws {
        let hasAverage = checkpoint.tensors.keys.contains { $0.hasPrefix("generatorAverage/") }
        if hasAverage != (generatorAverage != nil) {
            throw CheckpointError.settingsMismatch(
                setting: "generator average (EMA)",
                checkpoint: checkpoint.strings["trainer/generatorAverage"] ?? (hasAverage ? "one" : "none"),
                current: averageSetting)
        }
        let current = settingsRecord()
        let checked = [("trainer/generator", "generator"), ("trainer/discriminator", "discriminator"),
                       ("trainer/generatorOptimizer", "generator optimizer"),
                       ("trainer/discriminatorOptimizer", "discriminator optimizer"), ("trainer/objective", "objective")]
        for (key, setting) in checked {
            guard let recorded = checkpoint.strings[key], let now = current[key], recorded != now else { continue }
            let (old, new) = firstDifferingLines(recorded, now)
            throw CheckpointError.settingsMismatch(setting: setting, checkpoint: old, current: new)
        }
    }
}

/// The first line where two multi-line texts differ (trimmed), or the whole texts when they are one line.
private func firstDifferingLines(_ a: String, _ b: String) -> (String, String) {
    let left = a.split(separator: "\n", omittingEmptySubsequences: false)
    let right = b.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(left.count, right.count) {
        let l = index < left.count ? String(left[index]) : "(no more layers)"
        let r = index < right.count ? String(right[index]) : "(no more layers)"
        if l != r { return (l.trimmingCharacters(in: .whitespaces), r.trimmingCharacters(in: .whitespaces)) }
    }
    return (a, b)
}
