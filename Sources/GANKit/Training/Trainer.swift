import Foundation

/// Trains a generator against a discriminator, one mini-batch at a time.
///
/// Each step runs `discriminatorSteps` discriminator updates (real batch, then
/// a fake batch from fresh noise; gradients of both passes are summed; see
/// ``discriminatesJointly`` for when both run as one batch), then
/// one generator update that backpropagates the objective through the
/// discriminator with `.skip`, so the discriminator's gradients are untouched.
/// The generator update reuses the fake batch of the last discriminator update
/// (as the PyTorch DCGAN tutorial does), saving one generator forward pass.
///
/// Callbacks are plain closures called synchronously on the training thread:
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
        didSet {
            precondition(discriminatorSteps >= 1, "Trainer: discriminatorSteps must be at least 1, got \(discriminatorSteps)")
        }
    }
    /// A penalty on the discriminator's input gradient added to its loss at
    /// every discriminator update: ``GradientPenalty/wassersteinGP(weight:)``
    /// (WGAN-GP) or ``GradientPenalty/r1(gamma:)``. Nil (the default) for none.
    public var gradientPenalty: GradientPenalty?
    /// Whether either network holds a ``ClassConditionedLayer``: then every step
    /// needs the real batch's class labels, and fakes are generated for those same classes.
    public let isConditional: Bool
    /// Whether each discriminator update runs D once on the real and fake samples
    /// stacked into one batch `[2N, …]` rather than twice on N: the same losses and
    /// gradients up to rounding, from fewer and larger matrix products (an MLP
    /// GAN step 2–7 % faster, measured). Defaults to true when every layer of the
    /// discriminator is a ``SampleIndependentLayer`` (no BatchNorm) and the model
    /// is not class-conditioned; set it to false for two separate passes.
    /// - Precondition: set to true only when that holds.
    public var discriminatesJointly: Bool {
        didSet {
            precondition(!discriminatesJointly || canDiscriminateJointly,
                         "Trainer: discriminatesJointly needs a discriminator whose layers are all "
                            + "SampleIndependentLayer (no BatchNorm) and an unconditional model")
        }
    }
    /// Whether ``discriminatesJointly`` may be true for these networks (decided once, at init).
    private let canDiscriminateJointly: Bool
    /// Target for real samples in the discriminator loss; 0.9 gives one-sided label smoothing.
    public var realLabel: Float = 1
    /// When set, each network's gradients are scaled before every optimizer step so
    /// that their global L2 norm is at most this value (see ``clipGradientNorm(of:to:)``).
    public var gradientClipNorm: Float? {
        didSet {
            precondition(gradientClipNorm.map { $0 > 0 && $0.isFinite } ?? true,
                         "Trainer: gradientClipNorm must be positive and finite, got \(gradientClipNorm!)")
        }
    }
    /// An average of the generator's parameters, updated after every generator
    /// step; when set, ``sample(noise:inferenceMode:)`` samples with the averaged
    /// weights, and checkpoints save it (under `generatorAverage/`). Nil (the
    /// default) for the plain tutorial setup.
    public var generatorAverage: ExponentialMovingAverage?
    /// Draws the noise; saved in checkpoints so a resumed run continues the same stream.
    public var noiseGenerator: SeededGenerator
    /// Steps completed so far (across epochs and resumes).
    public internal(set) var step = 0
    /// The next epoch to run (counted from 0).
    public internal(set) var epoch = 0
    /// Batches of `epoch` already done (non-zero after resuming mid-epoch).
    public internal(set) var batchInEpoch = 0
    /// The losses of the last step of ``train(epochs:batchesPerEpoch:batches:)`` whose
    /// losses were finite (reported when training diverges).
    public internal(set) var lastFiniteLosses: (step: Int, discriminator: Float, generator: Float)?

    /// Called after every step; return `.stop` to end training.
    public var onBatchEnd: (BatchReport) -> TrainingDecision = { _ in .continue }
    /// Called after every epoch; return `.stop` to end training.
    public var onEpochEnd: (EpochReport) -> TrainingDecision = { _ in .continue }

    private var noiseBuffer = TensorBuffer()
    private var lossGradient = TensorBuffer()
    /// The stacked batch, fake-loss gradient and stacked gradient of a joint discriminator pass.
    private var jointBatch = TensorBuffer()
    private var fakeLossGradient = TensorBuffer()
    private var jointGradient = TensorBuffer()
    private var lastFake = Tensor.empty
    /// The class labels `lastFake` was generated for (conditional models only).
    private var lastFakeLabels = Tensor.empty
    /// Scratch of the gradient penalty.
    var penaltyScratch = GradientPenaltyScratch()
    /// BatchNorm statistics of the averaged generator, and the step they were computed at.
    private var standingStatistics: (step: Int, values: [Tensor])?

    /// Creates a trainer. Both networks are switched to training mode.
    /// - Parameter seed: seeds the noise generator.
    public init(generator: any Layer, discriminator: any Layer, objective: any GANObjective,
                generatorOptimizer: any Optimizer, discriminatorOptimizer: any Optimizer,
                latentDimension: Int, seed: UInt64) {
        precondition(latentDimension > 0, "Trainer: latentDimension must be positive, got \(latentDimension)")
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.latentDimension = latentDimension
        noiseGenerator = SeededGenerator(seed: seed)
        isConditional = generator.isClassConditioned || discriminator.isClassConditioned
        canDiscriminateJointly = discriminator.treatsSamplesIndependently && !isConditional
        discriminatesJointly = canDiscriminateJointly
        generator.isTraining = true
        discriminator.isTraining = true
    }

    // MARK: - Steps

    /// Fresh noise `[batchSize, latentDimension]` from ``noiseGenerator``.
    public func makeNoise(batchSize: Int) -> Tensor {
        var rng = noiseGenerator
        let noise = noiseBuffer.fill(shape: [batchSize, latentDimension]) { rng.fillNormal($0) }
        noiseGenerator = rng
        return noise
    }

    /// One discriminator update on `real` and a fake batch of the same size
    /// (plus ``gradientPenalty`` when set).
    /// - Parameter labels: the class of each real sample, `[N]`; required exactly when
    ///   ``isConditional``. The fake batch is generated for the same classes.
    /// - Returns: the loss (real + fake part + penalty) and mean D(x), D(G(z)) as ``GANObjective/realness(_:)``.
    @discardableResult
    public func discriminatorStep(real: Tensor, labels: Tensor? = nil) -> (loss: Float, realScore: Float, fakeScore: Float) {
        setLabels(labels, batchSize: real.shape[0])
        discriminatorOptimizer.zeroGradients()
        if discriminatesJointly { return jointDiscriminatorStep(real: real) }
        let realOutput = discriminator.forward(real)
        let realScore = meanRealness(realOutput)
        let realLoss = objective.discriminatorRealLoss(realOutput, realLabel: realLabel, gradient: &lossGradient)
        discriminator.backwardParametersOnly(realLoss.gradient)

        lastFake = generator.forward(makeNoise(batchSize: real.shape[0]))
        let fakeOutput = discriminator.forward(lastFake)
        let fakeScore = meanRealness(fakeOutput)
        let fakeLoss = objective.discriminatorFakeLoss(fakeOutput, gradient: &lossGradient)
        discriminator.backwardParametersOnly(fakeLoss.gradient)
        let penalty = gradientPenalty.map { accumulateGradientPenalty($0, real: real, fake: lastFake) } ?? 0
        clipGradientsIfNeeded(discriminatorOptimizer)
        discriminatorOptimizer.step()
        return (realLoss.value + fakeLoss.value + penalty, realScore, fakeScore)
    }

    /// ``discriminatorStep(real:labels:)`` as one pass of D over `[real; fake]` (see ``discriminatesJointly``).
    private func jointDiscriminatorStep(real: Tensor) -> (loss: Float, realScore: Float, fakeScore: Float) {
        let batch = real.shape[0]
        lastFake = generator.forward(makeNoise(batchSize: batch))
        precondition(lastFake.shape == real.shape,
                     "Trainer: the generator made \(lastFake.shape) for a real batch of \(real.shape)")
        let output = discriminator.forward(jointBatch.stacking(real, lastFake))
        let realOutput = output.slice(0..<batch), fakeOutput = output.slice(batch..<2 * batch)
        let realLoss = objective.discriminatorRealLoss(realOutput, realLabel: realLabel, gradient: &lossGradient)
        let fakeLoss = objective.discriminatorFakeLoss(fakeOutput, gradient: &fakeLossGradient)
        discriminator.backwardParametersOnly(jointGradient.stacking(realLoss.gradient, fakeLoss.gradient))
        let penalty = gradientPenalty.map { accumulateGradientPenalty($0, real: real, fake: lastFake) } ?? 0
        clipGradientsIfNeeded(discriminatorOptimizer)
        discriminatorOptimizer.step()
        return (realLoss.value + fakeLoss.value + penalty, meanRealness(realOutput), meanRealness(fakeOutput))
    }

    /// Hands `labels` to both networks (conditional models), checking they are given exactly when needed.
    private func setLabels(_ labels: Tensor?, batchSize: Int) {
        guard isConditional else {
            precondition(labels == nil, "Trainer: class labels given, but neither network is class-conditioned")
            return
        }
        guard let labels else {
            preconditionFailure("Trainer: the model is class-conditioned; pass the batch's labels [\(batchSize)]")
        }
        precondition(labels.shape == [batchSize],
                     "Trainer: expected class labels [\(batchSize)] for the batch, got \(labels.shape)")
        lastFakeLabels = labels
        generator.setClassLabels(labels)
        discriminator.setClassLabels(labels)
    }

    /// One generator update on fresh noise (for custom loops).
    /// - Parameter labels: the classes to generate, `[batchSize]`; required exactly when ``isConditional``.
    /// - Returns: the generator loss.
    @discardableResult
    public func generatorStep(batchSize: Int, labels: Tensor? = nil) -> Float {
        setLabels(labels, batchSize: batchSize)
        lastFake = generator.forward(makeNoise(batchSize: batchSize))
        return generatorUpdateOnLastFake()
    }

    /// Backpropagates the generator loss on `lastFake` (whose forward is still cached in the generator).
    private func generatorUpdateOnLastFake() -> Float {
        generatorOptimizer.zeroGradients()
        if isConditional { discriminator.setClassLabels(lastFakeLabels) }
        let output = discriminator.forward(lastFake)
        let loss = objective.generatorLoss(output, gradient: &lossGradient)
        let sampleGradient = discriminator.backward(loss.gradient, parameterGradients: .skip)
        generator.backwardParametersOnly(sampleGradient)
        clipGradientsIfNeeded(generatorOptimizer)
        generatorOptimizer.step()
        generatorAverage?.update()
        lastFake = .empty
        return loss.value
    }

    /// One full training step on a real batch: ``discriminatorSteps`` discriminator
    /// updates, then a generator update on the last fake batch.
    /// - Parameter labels: the class of each real sample, `[N]`; required exactly when ``isConditional``.
    public func trainStep(real: Tensor, labels: Tensor? = nil) -> (discriminatorLoss: Float, generatorLoss: Float,
                                                                  realScore: Float, fakeScore: Float) {
        var d: (loss: Float, realScore: Float, fakeScore: Float) = (0, 0, 0)
        for _ in 0..<discriminatorSteps { d = discriminatorStep(real: real, labels: labels) }
        let g = generatorUpdateOnLastFake()
        step += 1
        return (d.loss, g, d.realScore, d.fakeScore)
    }

    private func meanRealness(_ output: Tensor) -> Float {
        output.withUnsafeBufferPointer { values in
            var sum: Double = 0
            for value in values { sum += Double(objective.realness(value)) }
            return Float(sum / Double(max(values.count, 1)))
        }
    }

    // MARK: - Loop

    /// Trains until `epochs` epochs are complete (counting epochs already done
    /// before a resume) or a callback returns `.stop`.
    ///
    /// Every step's losses are checked: a NaN or infinite loss stops training
    /// before the callbacks see that step, and so does a non-finite parameter or
    /// buffer found at the end of an epoch. Checkpoints written by callbacks are
    /// therefore always from finite states.
    ///
    /// - Parameters:
    ///   - epochs: the total number of epochs the run should reach.
    ///   - batchesPerEpoch: used for reports and progress.
    ///   - batches: the real mini-batches of an epoch, e.g. a shuffled `BatchSequence`
    ///     for that epoch. When resuming mid-epoch, the first ``batchInEpoch`` are skipped.
    /// - Returns: the reports of the steps and epochs run by this call.
    /// - Throws: ``TrainingError/diverged(_:)`` naming the step, what was not finite and
    ///   the last finite losses; its ``TrainingDivergence/history`` holds the steps before.
    @discardableResult
    public func train<Batches: Sequence<Tensor>>(epochs: Int, batchesPerEpoch: Int,
                                                 batches: (_ epoch: Int) -> Batches) throws(TrainingError) -> History {
        try runEpochs(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
            batches(epoch).lazy.map { (images: $0, labels: Tensor?.none) }
        }
    }

    /// Trains a class-conditional model (see ``isConditional``) like
    /// ``train(epochs:batchesPerEpoch:batches:)``, on batches of images with their labels `[N]`.
    ///
    /// ```swift
    /// let history = try trainer.train(epochs: 30, batchesPerEpoch: count, labeledBatches: { epoch in
    ///     zip(BatchSequence(images, batchSize: 64, seed: 7, epoch: epoch),
    ///         BatchSequence(labels, batchSize: 64, seed: 7, epoch: epoch))   // same seed: same order
    /// })
    /// ```
    @discardableResult
    public func train<Batches: Sequence<(Tensor, Tensor)>>(
        epochs: Int, batchesPerEpoch: Int, labeledBatches batches: (_ epoch: Int) -> Batches
    ) throws(TrainingError) -> History {
        try runEpochs(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
            batches(epoch).lazy.map { (images: $0.0, labels: Optional($0.1)) }
        }
    }

    private func runEpochs<Batches: Sequence<(images: Tensor, labels: Tensor?)>>(
        epochs: Int, batchesPerEpoch: Int, batches: (_ epoch: Int) -> Batches
    ) throws(TrainingError) -> History {
        var history = History()
        while epoch < epochs {
            let epochStart = Date()
            var dSum = 0.0, gSum = 0.0, count = 0
            var stopped = false
            let alreadyDone = batchInEpoch
            for (index, batch) in batches(epoch).enumerated() where index >= alreadyDone {
                let start = Date()
                let result = trainStep(real: batch.images, labels: batch.labels)
                if let divergence = divergence(after: (result.discriminatorLoss, result.generatorLoss),
                                               batch: index, history: history) {
                    throw .diverged(divergence)
                }
                lastFiniteLosses = (step, result.discriminatorLoss, result.generatorLoss)
                batchInEpoch = index + 1
                let report = BatchReport(epoch: epoch, batch: index, batchesPerEpoch: batchesPerEpoch, step: step,
                                         discriminatorLoss: result.discriminatorLoss,
                                         generatorLoss: result.generatorLoss, realScore: result.realScore,
                                         fakeScore: result.fakeScore, seconds: Date().timeIntervalSince(start))
                history.batches.append(report)
                dSum += Double(result.discriminatorLoss)
                gSum += Double(result.generatorLoss)
                count += 1
                if onBatchEnd(report) == .stop { stopped = true; break }
            }
            if stopped { break }
            if let divergence = parameterDivergence(history: history) { throw .diverged(divergence) }
            let report = EpochReport(epoch: epoch, step: step, meanDiscriminatorLoss: Float(dSum / Double(max(count, 1))),
                                     meanGeneratorLoss: Float(gSum / Double(max(count, 1))),
                                     seconds: Date().timeIntervalSince(epochStart))
            epoch += 1
            batchInEpoch = 0
            history.epochs.append(report)
            if onEpochEnd(report) == .stop { break }
        }
        return history
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
        precondition((labels != nil) == generator.isClassConditioned,
                     generator.isClassConditioned ? "Trainer.sample: the generator is class-conditioned; pass labels [\(noise.shape[0])]"
                                                  : "Trainer.sample: labels given, but the generator is not class-conditioned")
        guard let generatorAverage else {
            if let labels { generator.setClassLabels(labels) }
            if inferenceMode { generator.isTraining = false }
            defer { generator.isTraining = true }
            return generator.forward(noise)
        }
        return generatorAverage.withAveragedParameters {
            let live = LayerState(capturing: generator)
            defer { live.restore() }
            if inferenceMode { applyStandingStatistics() }
            if let labels { generator.setClassLabels(labels) }
            if inferenceMode { generator.isTraining = false }
            defer { generator.isTraining = true }
            return generator.forward(noise)
        }
    }

    /// Gives the generator's BatchNorm layers running statistics that belong to the
    /// averaged weights now in place (``recalibrateBatchNormStatistics(of:inputs:)`` over
    /// 8 batches of 512 from a fixed noise seed), computed once per training step.
    /// The statistics the live weights collected would not match them.
    private func applyStandingStatistics() {
        let buffers = generator.buffers
        guard !buffers.isEmpty else { return }
        if let cached = standingStatistics, cached.step == step {
            for (buffer, value) in zip(buffers, cached.values) { buffer.value = value }
            return
        }
        var noiseStream = SeededGenerator(seed: 0x57A4D1)
        let inputs = (0..<8).map { _ in Tensor.randomNormal([512, latentDimension], using: &noiseStream) }
        if let classes = classCount { generator.setClassLabels(Tensor((0..<512).map { Float($0 % classes) })) }
        recalibrateBatchNormStatistics(of: generator, inputs: inputs)
        standingStatistics = (step, buffers.map(\.value))
    }
}
