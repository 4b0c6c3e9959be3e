import Foundation

/// Trains a generator against a discriminator, one mini-batch at a time.
///
/// A training step, in order (``trainStep(real:labels:)``):
/// 1. ``discriminatorSteps`` discriminator updates. Each draws fresh noise, generates a
///    fake batch, runs D on the real and the fake samples (as one stacked batch when
///    ``discriminatesJointly``, else as two passes), backpropagates the objective's
///    losses, adds the ``gradientPenalty`` when one is set, and applies the gradients.
/// 2. One generator update on the fake batch of the last discriminator update (as the
///    PyTorch DCGAN tutorial does): D's output on it, the objective's generator loss,
///    backward through D with `.skip` (D's gradients are untouched), then through G.
///    The ``generatorAverage`` follows the new weights.
///
/// Every update ends in the same place, ``applyGradients(of:)``: the network's
/// gradients are complete there and not yet applied; a data-parallel trainer
/// (``distribute(over:)``) averages them across its ranks, ``onGradientsComputed``
/// sees them, then clipping and the optimizer step run.
///
/// Callbacks are plain closures called synchronously on the training thread; reusable
/// run components (progress, grids, checkpoints, …) attach with ``add(_:)``:
/// ```swift
/// let trainer = Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(),
///                       generatorOptimizer: Adam(parameters: g.parameters, learningRate: 2e-4, beta1: 0.5),
///                       discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 2e-4, beta1: 0.5),
///                       latentDimension: 100, seed: 1)
/// trainer.onBatchEnd = { report in print(report.discriminatorLoss); return .continue }
/// trainer.onEpochEnd = { report in report.epoch == 9 ? .stop : .continue }
/// let history = try trainer.train(epochs: 20, batchesPerEpoch: batches.count) { epoch in batches.epoch(epoch) }
/// ```
public final class Trainer {
    /// Maps noise `[N, latentDimension]` to samples.
    public let generator: any Layer
    /// Maps samples to one raw output (logit or critic score) per sample, `[N, 1]`.
    public let discriminator: any Layer
    /// The adversarial losses.
    public var objective: any GANObjective
    /// Updates the generator's parameters.
    public let generatorOptimizer: any Optimizer
    /// Updates the discriminator's parameters.
    public let discriminatorOptimizer: any Optimizer
    /// Length of the noise vector.
    public let latentDimension: Int
    /// Discriminator updates per generator update (WGAN's critic uses 5).
    public var discriminatorSteps: Int = 1 {
        didSet { require(discriminatorSteps >= 1, "Trainer: discriminatorSteps must be at least 1, got \(discriminatorSteps)") }
    }
    /// A penalty on the discriminator's input gradient added to its loss at
    /// every discriminator update (or every ``GradientPenalty/interval``-th, lazily):
    /// ``GradientPenalty/wassersteinGP(weight:)`` (WGAN-GP) or
    /// ``GradientPenalty/r1(gamma:)``. Nil (the default) for none.
    public var gradientPenalty: GradientPenalty?
    /// Whether either network holds a ``ClassConditionedLayer``: then every step
    /// needs the real batch's class labels, and fakes are generated for those same classes.
    public var isConditional: Bool { labels.isConditional }
    /// Whether each discriminator update runs D once on the real and fake samples
    /// stacked into one batch `[2N, …]` rather than twice on N: the same losses and
    /// gradients up to rounding, from fewer and larger matrix products (an MLP
    /// GAN step 2–7 % faster, measured). Defaults to true when every layer of the
    /// discriminator is a ``SampleIndependentLayer`` (no BatchNorm) and the model
    /// is not class-conditioned; set it to false for two separate passes.
    /// - Precondition: set to true only when that holds.
    public var discriminatesJointly: Bool {
        didSet {
            require(!discriminatesJointly || canDiscriminateJointly,
                    "Trainer: discriminatesJointly needs a discriminator whose layers are all "
                        + "SampleIndependentLayer (no BatchNorm) and an unconditional model")
        }
    }
    /// Whether ``discriminatesJointly`` may be true for these networks (decided once, at init).
    private let canDiscriminateJointly: Bool
    /// Whether the discriminator draws random numbers (Dropout), decided at init.
    let discriminatorIsRandomized: Bool
    /// Target for real samples in the discriminator loss; 0.9 gives one-sided label smoothing.
    public var realLabel: Float = 1
    /// When set, each network's gradients are scaled before every optimizer step so
    /// that their global L2 norm is at most this value (see ``clipGradientNorm(of:to:)``).
    public var gradientClipNorm: Float? {
        didSet {
            require(gradientClipNorm.map { $0 > 0 && $0.isFinite } ?? true,
                    "Trainer: gradientClipNorm must be positive and finite, got \(gradientClipNorm!)")
        }
    }
    /// An average of the generator's parameters, updated after every generator
    /// step; when set, ``sample(noise:labels:inferenceMode:)`` samples with the averaged
    /// weights, and checkpoints save it (under `generatorAverage/`). Nil (the
    /// default) for the plain tutorial setup.
    public var generatorAverage: ExponentialMovingAverage?
    /// Draws the noise; saved in checkpoints so a resumed run continues the same stream.
    public var noiseGenerator: SeededGenerator
    /// Steps completed so far (across epochs and resumes).
    public internal(set) var step = 0
    /// Discriminator updates completed so far (``discriminatorSteps`` per step, plus those
    /// of custom loops); a lazy ``gradientPenalty`` is due when it is a multiple of its interval.
    public internal(set) var discriminatorUpdates = 0
    /// The next epoch to run (counted from 0).
    public internal(set) var epoch = 0
    /// Batches of `epoch` already done (non-zero after resuming mid-epoch).
    public internal(set) var batchInEpoch = 0
    /// The losses of the last step of ``train(epochs:batchesPerEpoch:batches:)`` whose
    /// losses were finite (reported when training diverges).
    public internal(set) var lastFiniteLosses: (step: Int, discriminator: Float, generator: Float)?

    /// Called after every step, before the run components; return `.stop` to end training.
    public var onBatchEnd: (BatchReport) -> TrainingDecision = { _ in .continue }
    /// Called after every epoch, before the run components; return `.stop` to end training.
    public var onEpochEnd: (EpochReport) -> TrainingDecision = { _ in .continue }
    /// Called at the one point of every update where a network's gradients are complete
    /// and not yet applied: after its backward pass (and the gradient penalty), before
    /// clipping and its optimizer step. Data-parallel training averages the gradients
    /// across processes here. Must not allocate if the warm step is to stay allocation-free.
    public var onGradientsComputed: (_ network: TrainedNetwork, _ optimizer: any Optimizer) -> Void = { _, _ in }
    /// The run components attached with ``add(_:)``, called in that order.
    public private(set) var components: [any TrainingComponent] = []

    /// The class labels of the current step, handed to conditional networks.
    var labels: ClassLabelFeed
    /// Averages gradients and agrees on decisions across the group of ``distribute(over:)``.
    var dataParallel: DataParallelSynchronizer?
    /// Scratch of the gradient penalty.
    var penaltyScratch = GradientPenaltyScratch()
    /// BatchNorm statistics of the averaged generator, and the step they were computed at.
    var standingStatistics: (step: Int, values: [Tensor])?
    private var noiseBuffer = TensorBuffer()
    /// dLoss/dOutput of the real samples and of the generator loss; the fakes' has its own (a joint pass needs both).
    private var lossGradient = TensorBuffer()
    private var fakeLossGradient = TensorBuffer()
    /// The stacked samples and gradient of a joint discriminator pass.
    private var jointBatch = TensorBuffer()
    private var jointGradient = TensorBuffer()
    /// The fake batch of the last discriminator update, whose forward is still cached in G.
    private var lastFake = Tensor.empty

    /// Creates a trainer. Both networks are switched to training mode.
    /// - Parameter seed: seeds the noise generator.
    public init(generator: any Layer, discriminator: any Layer, objective: any GANObjective,
                generatorOptimizer: any Optimizer, discriminatorOptimizer: any Optimizer,
                latentDimension: Int, seed: UInt64) {
        require(latentDimension > 0, "Trainer: latentDimension must be positive, got \(latentDimension)")
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.latentDimension = latentDimension
        noiseGenerator = SeededGenerator(seed: seed)
        labels = ClassLabelFeed(generator: generator, discriminator: discriminator)
        canDiscriminateJointly = discriminator.treatsSamplesIndependently && !labels.isConditional
        discriminatesJointly = canDiscriminateJointly
        discriminatorIsRandomized = !namedRandomizedLayers(discriminator).isEmpty
        generator.isTraining = true
        discriminator.isTraining = true
    }

    /// Attaches a run component; components are called after ``onBatchEnd`` / ``onEpochEnd``,
    /// in the order they were added.
    public func add(_ component: any TrainingComponent) {
        components.append(component)
    }

    // MARK: - Steps

    /// Fresh noise `[batchSize, latentDimension]` from ``noiseGenerator`` (in a buffer the next call reuses).
    ///
    /// In a data-parallel trainer (``distribute(over:)``) `batchSize` is this rank's
    /// part of the global batch, and the noise is that part of what one process would
    /// draw for the whole global batch: every rank skips the other ranks' samples.
    public func makeNoise(batchSize: Int) -> Tensor {
        var rng = noiseGenerator
        let shard = dataParallel?.group.shard ?? .whole, perSample = latentDimension
        rng.skipNormals(shard.index * batchSize * perSample)
        let noise = noiseBuffer.fill(shape: [batchSize, latentDimension]) { rng.fillNormal($0) }
        rng.skipNormals((shard.count - 1 - shard.index) * batchSize * perSample)
        noiseGenerator = rng
        return noise
    }

    /// One full training step on a real batch: ``discriminatorSteps`` discriminator
    /// updates, then a generator update on the last fake batch.
    /// - Parameter labels: the class of each real sample, `[N]`; required exactly when ``isConditional``.
    public func trainStep(real: Tensor, labels: Tensor? = nil) -> (discriminatorLoss: Float, generatorLoss: Float,
                                                                  realScore: Float, fakeScore: Float) {
        var d: (loss: Float, realScore: Float, fakeScore: Float) = (0, 0, 0)
        for _ in 0..<discriminatorSteps { d = discriminatorStep(real: real, labels: labels) }
        let g = generatorUpdate(on: lastFake)
        step += 1
        return (d.loss, g, d.realScore, d.fakeScore)
    }

    /// One discriminator update on `real` and a fake batch of the same size
    /// (plus ``gradientPenalty`` when set and due).
    /// - Parameter labels: the class of each real sample, `[N]`; required exactly when
    ///   ``isConditional``. The fake batch is generated for the same classes.
    /// - Returns: the loss (real + fake part + penalty) and mean D(x), D(G(z)) as ``GANObjective/realness(_:)``.
    @discardableResult
    public func discriminatorStep(real: Tensor, labels: Tensor? = nil) -> (loss: Float, realScore: Float, fakeScore: Float) {
        self.labels.feed(labels, batchSize: real.shape[0])
        discriminatorOptimizer.zeroGradients()
        lastFake = generator.forward(makeNoise(batchSize: real.shape[0]))
        require(lastFake.shape == real.shape, "Trainer: the generator made \(lastFake.shape) for a real batch of \(real.shape)")

        // R1 by forward difference shares the real pass: its −∇θD(x)/δ term joins the real loss's gradient.
        let sharedPenalty = beginPenaltySharingRealPass(real: real)

        // The same losses either way; only how D's batch is formed differs.
        let realLoss: (value: Float, gradient: Tensor), fakeLoss: (value: Float, gradient: Tensor)
        let realScore: Float, fakeScore: Float
        if discriminatesJointly {
            let batch = real.shape[0]
            let output = discriminator.forward(jointBatch.stacking(real, lastFake))
            let realOutput = output.slice(0..<batch), fakeOutput = output.slice(batch..<2 * batch)
            (realLoss, realScore) = discriminatorLoss(onReal: realOutput)
            (fakeLoss, fakeScore) = discriminatorLoss(onFake: fakeOutput)
            let realGradient = withPenaltyTerm(sharedPenalty, addedTo: realLoss.gradient)
            discriminator.backwardParametersOnly(jointGradient.stacking(realGradient, fakeLoss.gradient))
        } else {
            (realLoss, realScore) = discriminatorLoss(onReal: discriminator.forward(real))
            discriminator.backwardParametersOnly(withPenaltyTerm(sharedPenalty, addedTo: realLoss.gradient))
            (fakeLoss, fakeScore) = discriminatorLoss(onFake: discriminator.forward(lastFake))
            discriminator.backwardParametersOnly(fakeLoss.gradient)
        }
        let penalty = if let sharedPenalty {
            finishPenalty(sharedPenalty, real: real)
        } else {
            gradientPenalty.map { accumulateGradientPenalty($0, real: real, fake: lastFake) } ?? 0
        }
        applyGradients(of: .discriminator)
        discriminatorUpdates += 1
        return (realLoss.value + fakeLoss.value + penalty, realScore, fakeScore)
    }

    /// One generator update on fresh noise (for custom loops).
    /// - Parameter labels: the classes to generate, `[batchSize]`; required exactly when ``isConditional``.
    /// - Returns: the generator loss.
    @discardableResult
    public func generatorStep(batchSize: Int, labels: Tensor? = nil) -> Float {
        self.labels.feed(labels, batchSize: batchSize)
        return generatorUpdate(on: generator.forward(makeNoise(batchSize: batchSize)))
    }

    /// Backpropagates the generator loss on `fake`, whose forward is still cached in the generator.
    private func generatorUpdate(on fake: Tensor) -> Float {
        generatorOptimizer.zeroGradients()
        labels.refeedDiscriminator()
        let loss = objective.generatorLoss(discriminator.forward(fake), gradient: &lossGradient)
        let sampleGradient = discriminator.backward(loss.gradient, parameterGradients: .skip)
        generator.backwardParametersOnly(sampleGradient)
        applyGradients(of: .generator)
        generatorAverage?.update()
        lastFake = .empty
        return loss.value
    }

    /// The point where `network`'s gradients are complete: the average across ranks
    /// (``distribute(over:)``), ``onGradientsComputed``, then ``gradientClipNorm``, then the optimizer step.
    private func applyGradients(of network: TrainedNetwork) {
        let optimizer = network == .generator ? generatorOptimizer : discriminatorOptimizer
        dataParallel?.averageGradients(of: optimizer.parameters)
        onGradientsComputed(network, optimizer)
        if let gradientClipNorm { Self.clipGradientNorm(of: optimizer.parameters, to: gradientClipNorm) }
        optimizer.step()
    }

    private func discriminatorLoss(onReal output: Tensor) -> (loss: (value: Float, gradient: Tensor), score: Float) {
        (objective.discriminatorRealLoss(output, realLabel: realLabel, gradient: &lossGradient), meanRealness(output))
    }
    private func discriminatorLoss(onFake output: Tensor) -> (loss: (value: Float, gradient: Tensor), score: Float) {
        (objective.discriminatorFakeLoss(output, gradient: &fakeLossGradient), meanRealness(output))
    }

    private func meanRealness(_ output: Tensor) -> Float {
        output.withUnsafeBufferPointer { values in
            var sum: Double = 0
            for value in values { sum += Double(objective.realness(value)) }
            return Float(sum / Double(max(values.count, 1)))
        }
    }
}
