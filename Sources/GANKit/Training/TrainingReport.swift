/// What a training callback returns: keep going or stop after this batch/epoch.
public enum TrainingDecision: Sendable {
    /// Continue training.
    case `continue`
    /// Stop training; `train` returns the history so far.
    case stop
}

/// Statistics of one training step (one generator update and the discriminator updates before it).
public struct BatchReport: Sendable, Hashable {
    /// The epoch, counted from 0.
    public var epoch: Int
    /// The batch within the epoch, counted from 0.
    public var batch: Int
    /// The number of batches in the epoch.
    public var batchesPerEpoch: Int
    /// The global step number, counted from 1 (steps completed including this one).
    public var step: Int
    /// Discriminator loss (real part + fake part) of the last discriminator update.
    public var discriminatorLoss: Float
    /// Generator loss.
    public var generatorLoss: Float
    /// Mean D(x) over the real batch, as a probability for BCE objectives (raw score otherwise).
    public var realScore: Float
    /// Mean D(G(z)) over the fake batch during the discriminator update.
    public var fakeScore: Float
    /// Wall-clock duration of the step in seconds.
    public var seconds: Double

    /// Creates a report.
    public init(epoch: Int, batch: Int, batchesPerEpoch: Int, step: Int, discriminatorLoss: Float,
                generatorLoss: Float, realScore: Float, fakeScore: Float, seconds: Double) {
        self.epoch = epoch
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.step = step
        self.discriminatorLoss = discriminatorLoss
        self.generatorLoss = generatorLoss
        self.realScore = realScore
        self.fakeScore = fakeScore
        self.seconds = seconds
    }
}

/// Summary of one finished epoch.
public struct EpochReport: Sendable, Hashable {
    /// The epoch, counted from 0.
    public var epoch: Int
    /// The global step number at the end of the epoch.
    public var step: Int
    /// Mean discriminator loss over the epoch's steps.
    public var meanDiscriminatorLoss: Float
    /// Mean generator loss over the epoch's steps.
    public var meanGeneratorLoss: Float
    /// Wall-clock duration of the epoch in seconds.
    public var seconds: Double

    /// Creates a report.
    public init(epoch: Int, step: Int, meanDiscriminatorLoss: Float, meanGeneratorLoss: Float, seconds: Double) {
        self.epoch = epoch
        self.step = step
        self.meanDiscriminatorLoss = meanDiscriminatorLoss
        self.meanGeneratorLoss = meanGeneratorLoss
        self.seconds = seconds
    }
}
