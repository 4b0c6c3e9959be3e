extension Trainer {
    /// The number of classes of a conditional generator, or nil for an unconditional one.
    public var classCount: Int? { generator.conditioningClassCount }

    /// Generates `count` samples in inference mode (averaged weights when
    /// ``generatorAverage`` is set) from a noise stream seeded by `seed`,
    /// `chunkSize` at a time, without touching the training noise. A conditional
    /// generator is asked for the classes `0, 1, …, classCount − 1, 0, 1, …`
    /// (so every prefix is balanced: `count / classCount` per class when it divides).
    /// - Returns: images `[count, …]`, and the requested classes `[count]` (nil when unconditional).
    public func generateSamples(count: Int, seed: UInt64, chunkSize: Int = 256) -> (images: Tensor, labels: Tensor?) {
        precondition(count >= 1 && chunkSize >= 1, "Trainer.generateSamples: count and chunkSize must be positive")
        var noiseStream = SeededGenerator(seed: seed)
        let labels = classCount.map { classes in Tensor((0..<count).map { Float($0 % classes) }) }
        var chunks: [Tensor] = []
        var produced = 0
        while produced < count {
            let n = min(chunkSize, count - produced)
            let noise = Tensor.randomNormal([n, latentDimension], using: &noiseStream)
            chunks.append(sample(noise: noise, labels: labels?.slice(produced..<produced + n)))
            produced += n
        }
        return (Tensor(concatenating: chunks), labels)
    }
}
