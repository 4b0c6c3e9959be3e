import GANKit

/// Reference sample sets that give the metrics a scale, each 10 000 images in [−1, 1]:
/// real ones (the floor), degraded ones, and the failure modes of a GAN (the ceilings).
///
/// Drawn from the *training* set, so against the default test reference they
/// measure what a perfect generator of training digits would score.
func makeBaselines(train: ImageDataset) -> [(name: String, images: Tensor)] {
    let count = 10_000
    let labels = train.labels ?? []
    var rng = SeededGenerator(seed: 2024)
    let real = train.images.slice(0..<count)

    func noisy(_ standardDeviation: Float) -> Tensor {
        var noise = Tensor.randomNormal(real.shape, standardDeviation: standardDeviation, using: &rng)
        noise += real
        return noise.map { min(1, max(-1, $0)) }
    }
    func firstImages(where keep: (Int) -> Bool) -> Tensor {
        let indices = labels.indices.filter { keep(labels[$0]) }.prefix(count)
        return Tensor(concatenating: indices.map { train.images.slice($0..<($0 + 1)) })
    }
    let digitShape = Array(real.shape.dropFirst())
    let oneDigit = train.images.slice(0..<1)  // the first training image (a 5)

    return [
        ("real-train", real),
        ("noisy-real-0.25", noisy(0.25)),
        ("noisy-real-0.5", noisy(0.5)),
        ("half-classes-0-4", firstImages { $0 < 5 }),
        ("one-class-1", firstImages { $0 == 1 }),
        ("single-digit", Tensor(concatenating: Array(repeating: oneDigit, count: count))),
        ("constant-gray", Tensor(repeating: 0, shape: TensorShape([count] + digitShape))),
        ("uniform-noise", Tensor.randomUniform(TensorShape([count] + digitShape), lowerBound: -1, upperBound: 1,
                                               using: &rng)),
    ]
}
