/// Reusable storage of ``Trainer``'s gradient-penalty passes.
struct GradientPenaltyScratch {
    var points = TensorBuffer()
    var direction = TensorBuffer()
    var perturbed = TensorBuffer()
    var outputWeights = TensorBuffer()
    /// The real batch's loss gradient with the forward difference's `−1/δ` term folded in.
    var foldedRealGradient = TensorBuffer()
    /// Each sample's `δ` (one value for all when BatchNorm couples the batch).
    var sampleSteps = TensorBuffer()
    /// The value of the last penalty computed.
    var lastValue: Float = 0
    /// D's buffers and generators before the penalty's first pass, and after it.
    var before: LayerState?
    var afterOneForward: LayerState?
    /// D's ReLU-family layers, whose slopes the probe records and the difference passes replay.
    var slopeLayers: [any SlopeReplaying]?

    /// Sets the slope mode of `discriminator`'s ReLU-family layers (found on first use).
    mutating func setSlopes(_ mode: SlopeMode, of discriminator: any Layer) {
        if slopeLayers == nil { slopeLayers = slopeReplayingLayers(discriminator) }
        for layer in slopeLayers! { layer.slopeMode = mode }
    }
}

/// What the first pass of a penalty found at its points: the value, the direction
/// `u` of the finite difference and each sample's step `δₙ` along it.
struct GradientPenaltyProbe {
    /// The penalty's value (mean over the batch, times the weight).
    var value: Float
    /// `u = dPenalty/d(input gradient)`, shaped like the points.
    var direction: Tensor
    /// `δₙ`, `[N]`: `δₙ·‖uₙ‖` = the step for samples treated independently (0 where
    /// `uₙ` is 0), one `δ` with `δ·‖u‖` = step·√N for a batch that BatchNorm couples.
    var sampleSteps: Tensor
    /// False when `u` is 0 everywhere: the penalty then has no gradient.
    var hasDirection: Bool
}

extension GradientPenalty {
    /// Evaluates the penalty of `discriminator` at `points` `[N, …]` (interpolates
    /// or real samples, already chosen) and *adds* its gradient with respect to
    /// the discriminator's parameters into their `gradient`s.
    ///
    /// Three forward/backward passes of the discriminator (see the type's
    /// documentation; here the ``FiniteDifference/forward`` scheme evaluates its
    /// `∇θD(x)` term in a pass of its own); its buffers are left as they were, and its
    /// layer-owned generators (Dropout) as after one forward. Use it in custom loops;
    /// the ``Trainer`` calls it when ``Trainer/gradientPenalty`` is set.
    /// - Returns: the penalty's value (mean over the batch, times ``weight``).
    public func accumulateGradients(of discriminator: any Layer, at points: Tensor) -> Float {
        var scratch = GradientPenaltyScratch()
        return accumulateGradients(of: discriminator, at: points, scratch: &scratch)
    }

    func accumulateGradients(of discriminator: any Layer, at points: Tensor,
                             scratch: inout GradientPenaltyScratch) -> Float {
        scratch.before.capture(discriminator)
        let probe = self.probe(discriminator, at: points, scratch: &scratch)
        scratch.afterOneForward.capture(discriminator)
        if probe.hasDirection {
            // Central: x + δu weighted +1/2δ, then x − δu weighted −1/2δ; forward: x + δu weighted
            // +1/δ, then x weighted −1/δ. Every pass sees the buffers and Dropout masks the probe saw.
            let (secondShift, scale): (Float, Float) = difference == .central ? (-1, 0.5) : (0, 1)
            scratch.before!.restore()
            accumulatePass(of: discriminator, at: points, probe: probe, shift: 1, scale: scale, scratch: &scratch)
            scratch.before!.restore()
            accumulatePass(of: discriminator, at: points, probe: probe, shift: secondShift, scale: -scale,
                           scratch: &scratch)
        }
        scratch.before!.restoreBuffers()
        scratch.afterOneForward!.restoreGenerators()
        return probe.value
    }

    /// The first pass: D's input gradient at `points`, and from it the penalty's value,
    /// `u` and the steps. Leaves D's generators as after one forward and its buffers as
    /// that forward left them (the caller restores them); its ReLU-family layers keep
    /// their slopes at `points` for ``accumulatePass(of:at:probe:shift:scale:scratch:)``.
    func probe(_ discriminator: any Layer, at points: Tensor, scratch: inout GradientPenaltyScratch)
        -> GradientPenaltyProbe {
        let batch = points.shape[0], row = points.shape.elementsPerItem
        scratch.setSlopes(.record, of: discriminator)
        let output = discriminator.forward(points)
        scratch.setSlopes(.live, of: discriminator)
        let ones = scratch.outputWeights.fill(shape: output.shape) { $0.update(repeating: 1) }
        let inputGradient = discriminator.backward(ones, parameterGradients: .skip)
        require(inputGradient.shape == points.shape,
                     "GradientPenalty: the discriminator's input gradient is \(inputGradient.shape), its input \(points.shape)")

        // Penalty value, and u = dPenalty/d(input gradient), whose direction the difference follows.
        var total = 0.0, directionNormSquared = 0.0
        let direction = scratch.direction.fill(shape: points.shape) { u in
            inputGradient.withUnsafeBufferPointer { g in
                for n in 0..<batch {
                    let sample = g.baseAddress! + n * row
                    var squaredNorm = 0.0
                    for j in 0..<row { squaredNorm += Double(sample[j]) * Double(sample[j]) }
                    let (value, scale) = term(squaredNorm: squaredNorm)
                    total += value
                    let c = scale / Double(batch)
                    directionNormSquared += c * c * squaredNorm
                    for j in 0..<row { u[n * row + j] = Float(c) * sample[j] }
                }
            }
        }
        // δₙ·‖uₙ‖ = step, or one δ with δ·‖u‖ = step·√N for a batch that BatchNorm couples.
        let step = Double(finiteDifferenceStep)
        let perSample = discriminator.treatsSamplesIndependently
        let batchDelta = Float(step * Double(batch).squareRoot() / directionNormSquared.squareRoot())
        let sampleSteps = scratch.sampleSteps.fill(shape: TensorShape(CollectionOfOne(batch))) { steps in  // no array literal: no heap
            direction.withUnsafeBufferPointer { u in
                for n in 0..<batch {
                    guard perSample else { steps[n] = batchDelta; continue }
                    var squaredNorm = 0.0
                    for j in (n * row)..<((n + 1) * row) { squaredNorm += Double(u[j]) * Double(u[j]) }
                    steps[n] = squaredNorm > 0 ? Float(step / squaredNorm.squareRoot()) : 0
                }
            }
        }
        return GradientPenaltyProbe(value: Float(total / Double(batch)), direction: direction,
                                    sampleSteps: sampleSteps, hasDirection: directionNormSquared > 0)
    }

    /// One pass of the difference: D at `x + shift·δu` with the slopes of the probe's
    /// ReLU-family units, backpropagated with output weights `scale/δₙ` into the
    /// parameter gradients.
    func accumulatePass(of discriminator: any Layer, at points: Tensor, probe: GradientPenaltyProbe,
                        shift: Float, scale: Float, scratch: inout GradientPenaltyScratch) {
        let batch = points.shape[0], row = points.shape.elementsPerItem
        let perturbed = scratch.perturbed.fill(shape: points.shape) { x in
            points.withUnsafeBufferPointer { p in
                probe.direction.withUnsafeBufferPointer { u in
                    probe.sampleSteps.withUnsafeBufferPointer { steps in
                        for n in 0..<batch {
                            let offset = shift * steps[n]
                            for i in (n * row)..<((n + 1) * row) { x[i] = p[i] + offset * u[i] }
                        }
                    }
                }
            }
        }
        scratch.setSlopes(.replay, of: discriminator)
        let output = discriminator.forward(perturbed)
        scratch.setSlopes(.live, of: discriminator)
        discriminator.backwardParametersOnly(differenceWeights(probe, scale: scale, shape: output.shape,
                                                               into: &scratch.outputWeights))
    }

    /// D's output weights `scale/δₙ` on every output of sample n (0 where `δₙ` is 0),
    /// plus `gradient` (an output gradient of D at the same points) when given.
    func differenceWeights(_ probe: GradientPenaltyProbe, scale: Float, shape: TensorShape,
                           adding gradient: Tensor? = nil, into buffer: inout TensorBuffer) -> Tensor {
        require(gradient == nil || gradient!.shape == shape,
                "GradientPenalty: an output gradient of \(gradient!.shape) for an output of \(shape)")
        let batch = probe.sampleSteps.count
        return buffer.fill(shape: shape) { weights in
            probe.sampleSteps.withUnsafeBufferPointer { steps in
                let perOutput = weights.count / batch
                for n in 0..<batch {
                    let weight = steps[n] > 0 ? scale / steps[n] : 0
                    for i in (n * perOutput)..<((n + 1) * perOutput) { weights[i] = weight }
                }
            }
            gradient?.withUnsafeBufferPointer { g in
                for i in 0..<weights.count { weights[i] += g[i] }
            }
        }
    }
}
