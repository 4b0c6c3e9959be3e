import Foundation

/// A trained generator, ready to sample: its network in inference mode, latent size,
/// output shape and pixel range, and class count for a conditional one.
///
/// Its file is a **safetensors** file (see ``SafetensorsFile``): the weights under
/// PyTorch's `state_dict` names of the equivalent `nn.Sequential` (`0.weight`,
/// `1.running_mean`, …), so `safetensors.numpy.load_file` and PyTorch's
/// `load_state_dict` read it, and GANKit's own fields in `__metadata__`
/// (`gankit.architecture`, `gankit.latent_dimension`, …; Docs/UsingAModel.md lists them).
///
/// ```swift
/// try TrainedGenerator(trainer: trainer).write(to: out.appendingPathComponent("generator.safetensors"))
/// // … later, in an app:
/// let generator = try TrainedGenerator(contentsOf: url)
/// let images = generator.sample(count: 16, seed: 7)   // [16] + generator.outputShape, in generator.pixelRange
/// ```
/// Not `Sendable`: the network caches its activations, so use one instance per thread.
public final class TrainedGenerator {
    /// The network, in inference mode (BatchNorm uses its running statistics, dropout is off).
    public let network: any Layer
    /// Length of the noise vector z: inputs are `[N, latentDimension]`.
    public let latentDimension: Int
    /// Shape of one output sample, e.g. `[1, 28, 28]`.
    public let outputShape: [Int]
    /// The range of the output values.
    public let pixelRange: PixelRange
    /// Where the weights come from, as stored in the file (`gankit.weights`, `gankit.step`, …).
    public let provenance: [String: String]

    /// The number of classes of a conditional generator (samples need labels), or nil.
    public var classCount: Int? { network.conditioningClassCount }

    /// Wraps `network` (switched to inference mode). The output shape is found by running one sample.
    /// - Parameters:
    ///   - pixelRange: the output range; by default [0, 1] when the last activation is a
    ///     `Sigmoid`, [−1, 1] otherwise.
    ///   - provenance: free-form notes stored in the file's metadata under `gankit.`.
    public convenience init(network: any Layer, latentDimension: Int, pixelRange: PixelRange? = nil,
                            provenance: [String: String] = [:]) {
        require(latentDimension >= 1, "TrainedGenerator: latentDimension must be ≥ 1, got \(latentDimension)")
        network.isTraining = false
        if network.isClassConditioned { network.setClassLabels([0]) }
        let outputShape = Array(network.forward(Tensor(zeros: [1, latentDimension])).shape.dropFirst())
        self.init(network: network, latentDimension: latentDimension, outputShape: outputShape,
                  pixelRange: pixelRange, provenance: provenance)
    }

    /// Wraps `network`, whose output shape the caller has found (see the public initializer).
    init(network: any Layer, latentDimension: Int, outputShape: [Int], pixelRange: PixelRange?,
         provenance: [String: String]) {
        self.network = network
        self.latentDimension = latentDimension
        self.outputShape = outputShape
        self.provenance = provenance
        network.isTraining = false
        let last = network.namedLeafLayers().last?.layer
        self.pixelRange = pixelRange ?? (last is Sigmoid ? .zeroToOne : .minusOneToOne)
    }

    /// A copy of `trainer`'s generator with the weights to sample with: the averaged
    /// weights and BatchNorm statistics recomputed for them when the trainer keeps a
    /// ``Trainer/generatorAverage``, the trained ones otherwise. The trainer is not changed.
    /// - Throws: ``LayerArchitectureError`` when a layer cannot describe itself (register custom layers in `layers`).
    public convenience init(trainer: Trainer, pixelRange: PixelRange? = nil, layers: LayerRegistry = .builtIn) throws {
        let copy = try layers.makeLayer(trainer.generator.architecture())
        let state = trainer.samplingState()
        for (parameter, value) in zip(copy.parameters, state.parameters) { parameter.value = value }
        for (buffer, value) in zip(copy.buffers, state.buffers) { buffer.value = value }
        var provenance = ["step": String(trainer.step), "epoch": String(trainer.epoch)]
        provenance["weights"] = trainer.generatorAverage.map {
            "exponential moving average (decay \($0.decay), \($0.updateCount) updates)"
                + (copy.buffers.isEmpty ? "" : ", BatchNorm statistics recomputed for it")
        } ?? "trained weights"
        self.init(network: copy, latentDimension: trainer.latentDimension, pixelRange: pixelRange, provenance: provenance)
    }

    // MARK: - Sampling

    /// Runs the network on `noise` `[N, latentDimension]`, 256 samples at a time, with
    /// `labels` `[N]` (class indices) for a conditional generator.
    /// - Returns: `[N] + outputShape`, values in ``pixelRange``.
    public func generate(noise: Tensor, labels: [Int]? = nil) -> Tensor {
        require(noise.rank == 2 && noise.shape[1] == latentDimension,
                "TrainedGenerator: expected noise [N, \(latentDimension)], got \(noise.shape)")
        let count = noise.shape[0]
        if let classCount {
            guard let labels else { requirementFailed("TrainedGenerator: the generator is conditional; pass labels") }
            require(labels.count == count && labels.allSatisfy { (0..<classCount).contains($0) },
                    "TrainedGenerator: expected \(count) labels in 0..<\(classCount), got \(labels.prefix(8))…")
        }
        return Tensor(concatenating: stride(from: 0, to: count, by: 256).map { start in
            let range = start..<min(start + 256, count)
            if let labels, classCount != nil { network.setClassLabels(Array(labels[range])) }
            return network.forward(noise.slice(range))
        })
    }

    /// `count` samples from the noise stream seeded by `seed`: the same noise, and so the
    /// same images, as ``Trainer/generateSamples(count:seed:chunkSize:)`` draws.
    /// - Parameter classes: one class per sample for a conditional generator; by default
    ///   `0, 1, …, classCount − 1, 0, 1, …`.
    /// - Returns: `[count] + outputShape`.
    public func sample(count: Int, seed: UInt64, classes: [Int]? = nil) -> Tensor {
        require(count >= 1, "TrainedGenerator.sample: count must be ≥ 1, got \(count)")
        var noiseStream = SeededGenerator(seed: seed)
        return generate(noise: Tensor.randomNormal([count, latentDimension], using: &noiseStream),
                        labels: classCount.map { k in classes ?? (0..<count).map { $0 % k } })
    }
}
