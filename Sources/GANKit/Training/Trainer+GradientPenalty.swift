/// A due R1 penalty probed at the real batch, whose forward difference the real pass shares.
struct SharedPenaltyPass {
    /// The penalty at its interval's weight.
    var penalty: GradientPenalty
    var probe: GradientPenaltyProbe
}

extension GradientPenalty {
    /// This penalty with its weight multiplied by its ``interval`` (what a due lazy update adds).
    var weightedForItsInterval: GradientPenalty {
        var weighted = self
        weighted.weight *= Float(interval)
        return weighted
    }
}

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
        let value = penalty.weightedForItsInterval.accumulateGradients(of: discriminator, at: points,
                                                                       scratch: &penaltyScratch)
        return recordPenaltyValue(value, of: penalty)
    }

    /// Keeps a due update's penalty value at `penalty`'s own weight (the lazy one is computed
    /// at `interval` times it) as ``lastGradientPenalty``, and returns it.
    private func recordPenaltyValue(_ value: Float, of penalty: GradientPenalty) -> Float {
        penaltyScratch.lastValue = value / Float(penalty.interval)
        return penaltyScratch.lastValue
    }

    /// When the ``gradientPenalty`` is due and is R1 by ``GradientPenalty/FiniteDifference/forward``
    /// difference on a discriminator without Dropout: probes it at `real` (D's input gradient,
    /// D's buffers left as they were) for the real pass to share. Nil otherwise.
    func beginPenaltySharingRealPass(real: Tensor) -> SharedPenaltyPass? {
        guard let penalty = gradientPenalty, penalty.kind == .realData, penalty.difference == .forward,
              !discriminatorIsRandomized, discriminatorUpdates % penalty.interval == 0 else { return nil }
        let weighted = penalty.weightedForItsInterval
        penaltyScratch.before.capture(discriminator)
        let probe = weighted.probe(discriminator, at: real, scratch: &penaltyScratch)
        penaltyScratch.before!.restoreBuffers()
        return SharedPenaltyPass(penalty: weighted, probe: probe)
    }

    /// The real batch's loss gradient plus the shared penalty's `−1/δₙ` term (`gradient` itself without one).
    func withPenaltyTerm(_ shared: SharedPenaltyPass?, addedTo gradient: Tensor) -> Tensor {
        guard let shared, shared.probe.hasDirection else { return gradient }
        return shared.penalty.differenceWeights(shared.probe, scale: -1, shape: gradient.shape, adding: gradient,
                                                into: &penaltyScratch.foldedRealGradient)
    }

    /// The shared penalty's other pass, at `real + δu` (D's buffers left as they were);
    /// returns its value at its own weight, as ``accumulateGradientPenalty(_:real:fake:)`` does.
    func finishPenalty(_ shared: SharedPenaltyPass, real: Tensor) -> Float {
        if shared.probe.hasDirection {
            penaltyScratch.before.capture(discriminator)
            shared.penalty.accumulatePass(of: discriminator, at: real, probe: shared.probe, shift: 1, scale: 1,
                                          scratch: &penaltyScratch)
            penaltyScratch.before!.restoreBuffers()
        }
        return recordPenaltyValue(shared.probe.value, of: shared.penalty)
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
