extension Trainer {
    // The labelled entry points again, for integer class indices such as
    // `ImageDataset.labels`: each converts with `Tensor(classIndices:)` (a small
    // allocation per call) and calls the `Tensor` form, which stays the one to use
    // where labels are already a tensor, e.g. batches from a `BatchSequence`.

    /// ``sample(noise:labels:inferenceMode:)`` for the classes `labels`, one
    /// integer class index per row of `noise` `[N, latentDimension]`; returns `[N, C, H, W]`.
    /// - Precondition: the generator is class-conditioned and every index is ≥ 0.
    public func sample(noise: Tensor, labels: [Int], inferenceMode: Bool = true) -> Tensor {
        sample(noise: noise, labels: Tensor(classIndices: labels), inferenceMode: inferenceMode)
    }

    /// ``trainStep(real:labels:)`` with integer class indices, one per real sample (`N` of them).
    public func trainStep(real: Tensor, labels: [Int]) -> (discriminatorLoss: Float, generatorLoss: Float,
                                                         realScore: Float, fakeScore: Float) {
        trainStep(real: real, labels: Tensor(classIndices: labels))
    }

    /// ``discriminatorStep(real:labels:)`` with integer class indices, one per real sample (`N` of them).
    @discardableResult
    public func discriminatorStep(real: Tensor, labels: [Int]) -> (loss: Float, realScore: Float, fakeScore: Float) {
        discriminatorStep(real: real, labels: Tensor(classIndices: labels))
    }

    /// ``generatorStep(batchSize:labels:)`` with integer class indices, `batchSize` of them.
    @discardableResult
    public func generatorStep(batchSize: Int, labels: [Int]) -> Float {
        generatorStep(batchSize: batchSize, labels: Tensor(classIndices: labels))
    }
}
