extension Trainer {
    /// When this discriminator update is one the penalty is due at (every
    /// ``GradientPenalty/interval``-th), adds the parameter gradient of the penalty
    /// weighted `interval` times into the discriminator's gradients (after its real
    /// and fake passes). Returns the penalty's value at its own weight, from this
    /// update or the last one that computed it.
    func accumulateGradientPenalty(_ penalty: GradientPenalty, real: Tensor, fake: Tensor) -> Float {
        guard discriminatorUpdates % penalty.interval == 0 else { return penaltyScratch.lastValue }
        let points: Tensor
        switch penalty.kind {
        case .interpolates: points = interpolates(between: real, and: fake)
        case .realData: points = real
        }
        var scaled = penalty
        scaled.weight *= Float(penalty.interval)
        let value = scaled.accumulateGradients(of: discriminator, at: points, scratch: &penaltyScratch)
        penaltyScratch.lastValue = value / Float(penalty.interval)
        return penaltyScratch.lastValue
    }

    /// The value of the ``gradientPenalty`` (at its own weight, not the lazy
    /// `interval` times it) at the last discriminator update that computed it
    /// (included in the losses reported until the next one), or 0 before the
    /// first; for logging it apart from the adversarial loss.
    public var lastGradientPenalty: Float { penaltyScratch.lastValue }

    /// `ε_i·real_i + (1 − ε_i)·fake_i` with one `ε_i ~ U[0, 1)` per sample from ``noiseGenerator``.
    private func interpolates(between real: Tensor, and fake: Tensor) -> Tensor {
        require(real.shape == fake.shape,
                     "Trainer: gradient penalty needs real and fake batches of one shape, got \(real.shape) and \(fake.shape)")
        let batch = real.shape[0], row = real.shape.elementsPerItem
        var rng = noiseGenerator
        let mixed = penaltyScratch.points.fill(shape: real.shape) { x in
            real.withUnsafeBufferPointer { r in
                fake.withUnsafeBufferPointer { f in
                    for n in 0..<batch {
                        let epsilon = rng.nextUnitFloat()
                        for j in n * row..<(n + 1) * row { x[j] = epsilon * r[j] + (1 - epsilon) * f[j] }
                    }
                }
            }
        }
        noiseGenerator = rng
        return mixed
    }
}
