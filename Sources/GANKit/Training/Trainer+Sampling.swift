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
        require(count >= 1 && chunkSize >= 1, "Trainer.generateSamples: count and chunkSize must be positive")
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

    /// Generates samples from `noise` `[N, latentDimension]` (of the classes `labels` for a
    /// conditional generator) without advancing ``noiseGenerator``,
    /// with the averaged weights of ``generatorAverage`` when it is set. In inference
    /// mode those get BatchNorm statistics of their own ("standing statistics",
    /// recomputed once per training step); the live network's are left untouched.
    ///
    /// - Parameter inferenceMode: `true` (default) uses BatchNorm's running
    ///   statistics and disables dropout, then restores training mode; `false`
    ///   samples in training mode as the PyTorch DCGAN tutorial does (batch
    ///   statistics; also updates the running statistics, unless ``generatorAverage``
    ///   is set: the live network's statistics are never changed by averaged weights).
    /// - Parameter labels: the class of each sample, `[N]`; required exactly when the generator
    ///   is class-conditioned.
    public func sample(noise: Tensor, labels: Tensor? = nil, inferenceMode: Bool = true) -> Tensor {
        require((labels != nil) == generator.isClassConditioned,
                generator.isClassConditioned ? "Trainer.sample: the generator is class-conditioned; pass labels [\(noise.shape[0])]"
                                             : "Trainer.sample: labels given, but the generator is not class-conditioned")
        guard let generatorAverage else { return forwardGenerator(noise, labels: labels, inferenceMode: inferenceMode) }
        return generatorAverage.withAveragedParameters {
            let live = LayerState(capturing: generator)
            defer { live.restore() }
            if inferenceMode { applyStandingStatistics() }
            return forwardGenerator(noise, labels: labels, inferenceMode: inferenceMode)
        }
    }

    /// One generator forward with `labels`, in inference mode if asked; training mode afterwards.
    private func forwardGenerator(_ noise: Tensor, labels: Tensor?, inferenceMode: Bool) -> Tensor {
        if let labels { generator.setClassLabels(labels) }
        if inferenceMode { generator.isTraining = false }
        defer { generator.isTraining = true }
        return generator.forward(noise)
    }

    /// Gives the generator's BatchNorm layers running statistics that belong to the
    /// averaged weights now in place (``recalibrateBatchNormStatistics(of:inputs:)`` over
    /// 64 batches of 64 from a fixed noise seed), computed once per training step.
    /// The statistics the live weights collected would not match them.
    private func applyStandingStatistics() {
        let buffers = generator.buffers
        guard !buffers.isEmpty else { return }
        if let cached = standingStatistics, cached.step == step {
            for (buffer, value) in zip(buffers, cached.values) { buffer.value = value }
            return
        }
        recalibrateStatisticsForAveragedWeights(of: generator, latentDimension: latentDimension)
        standingStatistics = (step, buffers.map(\.value))
    }

    /// The generator's parameter and buffer values to sample with, in `parameters`/`buffers`
    /// order: the averaged weights with their own BatchNorm statistics when ``generatorAverage``
    /// is set, the live ones otherwise. The trainer's networks are left as they were.
    func samplingState() -> (parameters: [Tensor], buffers: [Tensor]) {
        guard let generatorAverage else {
            return (generator.parameters.map { independentCopy($0.value) }, generator.buffers.map { independentCopy($0.value) })
        }
        return generatorAverage.withAveragedParameters {
            let live = LayerState(capturing: generator)
            defer { live.restore() }
            applyStandingStatistics()
            return (generator.parameters.map { independentCopy($0.value) }, generator.buffers.map { independentCopy($0.value) })
        }
    }
}

/// Gives `generator`'s BatchNorm layers running statistics that belong to the weights
/// now in place: ``recalibrateBatchNormStatistics(of:inputs:)`` over 64 batches of 64
/// (4,096 noise vectors) from a fixed noise seed, classes `0, 1, …` for a conditional
/// generator. The trainer does this for its averaged weights, and ``TrainedGenerator``
/// for a checkpoint's. Batches of a training batch's size keep the layers' buffers at
/// that size: 8 batches of 512 grew a DCGAN generator's to 512 samples, about 230 MB
/// held for the rest of the run.
func recalibrateStatisticsForAveragedWeights(of generator: any Layer, latentDimension: Int) {
    guard !generator.buffers.isEmpty else { return }
    var noiseStream = SeededGenerator(seed: 0x57A4D1)
    let inputs = (0..<64).map { _ in Tensor.randomNormal([64, latentDimension], using: &noiseStream) }
    if let classes = generator.conditioningClassCount {
        generator.setClassLabels(Tensor((0..<64).map { Float($0 % classes) }))
    }
    recalibrateBatchNormStatistics(of: generator, inputs: inputs)
}
