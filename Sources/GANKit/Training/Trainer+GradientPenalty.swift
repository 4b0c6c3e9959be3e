extension Trainer {
    /// Adds ``gradientPenalty``'s parameter gradient to the discriminator's gradients
    /// (after its real and fake passes) and returns the penalty's value.
    func accumulateGradientPenalty(_ penalty: GradientPenalty, real: Tensor, fake: Tensor) -> Float {
        let points: Tensor
        switch penalty.kind {
        case .interpolates: points = interpolates(between: real, and: fake)
        case .realData: points = real
        }
        penaltyScratch.lastValue = penalty.accumulateGradients(of: discriminator, at: points, scratch: &penaltyScratch)
        return penaltyScratch.lastValue
    }

    /// The value of the ``gradientPenalty`` at the last discriminator update (included in its
    /// loss), or 0 before the first; for logging it apart from the adversarial loss.
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
