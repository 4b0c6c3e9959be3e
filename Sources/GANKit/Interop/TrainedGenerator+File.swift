import Foundation

/// Reading and writing ``TrainedGenerator`` files (safetensors), and making one from a training checkpoint.
extension TrainedGenerator {
    /// The `gankit.format` this build writes and reads.
    static let fileFormat = "generator 1"

    /// The file: weights under PyTorch's names plus metadata — `format` `pt` (as
    /// `safetensors.torch` writes), `gankit.format`, `gankit.architecture` (JSON),
    /// `gankit.latent_dimension`, `gankit.output_shape` (JSON list), `gankit.pixel_range`
    /// (`[-1, 1]` or `[0, 1]`), `gankit.class_count` (conditional only) and ``provenance`` as `gankit.<key>`.
    /// - Throws: ``LayerArchitectureError`` when a layer cannot describe itself.
    public func safetensors() throws -> SafetensorsFile {
        var metadata = ["format": "pt", "gankit.format": Self.fileFormat,
                        "gankit.architecture": try network.architecture().json,
                        "gankit.latent_dimension": String(latentDimension),
                        "gankit.output_shape": Self.listText(outputShape),
                        "gankit.pixel_range": pixelRange.description]
        if let classCount { metadata["gankit.class_count"] = String(classCount) }
        for (key, value) in provenance { metadata["gankit." + key] = value }
        return network.safetensors(metadata: metadata)
    }

    /// Writes the file atomically (see ``safetensors()``).
    /// - Throws: ``LayerArchitectureError`` or ``FileWriteError``.
    public func write(to url: URL) throws {
        try safetensors().write(to: url)
    }

    /// Reads a generator file — or a training checkpoint, recognised by its first bytes
    /// (see ``init(checkpoint:layers:pixelRange:)``): rebuilds the network from
    /// `gankit.architecture` with `layers` (add your custom layers to it), then loads and
    /// checks every weight.
    /// - Throws: ``SafetensorsError`` with one line naming the file and what is wrong
    ///   (damaged file, missing GANKit metadata, unknown layer, wrong tensor names,
    ///   shapes or dtypes), or ``CheckpointError`` for a checkpoint; nothing is half-loaded.
    public convenience init(contentsOf url: URL, layers: LayerRegistry = .builtIn, pixelRange: PixelRange? = nil) throws {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(url) } catch {
            throw SafetensorsError(path: url.path, reason: "cannot read: \(error.reason)")
        }
        if bytes.starts(with: Checkpoint.magic) {
            try self.init(checkpoint: Checkpoint.decode(bytes, path: url.path), layers: layers, pixelRange: pixelRange)
        } else {
            try self.init(safetensors: SafetensorsFile(decoding: bytes, source: url.path), source: url.path,
                          layers: layers, pixelRange: pixelRange)
        }
    }

    /// Makes the generator a generator file holds (see ``init(contentsOf:layers:pixelRange:)``),
    /// e.g. from ``SafetensorsFile/init(decoding:source:)``.
    /// - Parameter source: names the file in error messages.
    /// - Throws: ``SafetensorsError`` naming `source` and what is wrong.
    public convenience init(safetensors file: SafetensorsFile, source: String, layers: LayerRegistry = .builtIn,
                            pixelRange: PixelRange? = nil) throws {
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(path: source, reason: reason) }
        guard let format = file.metadata["gankit.format"], let architecture = file.metadata["gankit.architecture"] else {
            throw fail("no GANKit metadata (gankit.format, gankit.architecture): a plain state dict, e.g. from PyTorch; "
                       + "build the matching network and call loadSafetensors(from:), or give gan-sample --model")
        }
        guard format == Self.fileFormat else {
            throw fail("gankit.format is \"\(format)\", this build reads \"\(Self.fileFormat)\"")
        }
        guard let latentText = file.metadata["gankit.latent_dimension"], let latent = Int(latentText), latent >= 1 else {
            throw fail("gankit.latent_dimension must be a whole number ≥ 1, found \(file.metadata["gankit.latent_dimension"] ?? "none")")
        }
        let network: any Layer
        do {
            network = try Self.rebuild(architecture, storedWeights: file.tensors.reduce(0) { $0 + $1.value.count },
                                       layers: layers)
        } catch { throw fail("gankit.architecture: \(error.text)") }
        try network.loadSafetensors(file, source: source)
        let outputShape: [Int]
        do { outputShape = try Self.outputShape(of: network, latentDimension: latent, named: "gankit.latent_dimension") } catch {
            throw fail(error.text)
        }
        if let stored = file.metadata["gankit.output_shape"], stored != Self.listText(outputShape) {
            throw fail("gankit.output_shape is \(stored), the network makes \(Self.listText(outputShape))")
        }
        var range = pixelRange
        if range == nil, let stored = file.metadata["gankit.pixel_range"] {
            guard let parsed = [PixelRange.minusOneToOne, .zeroToOne].first(where: { $0.description == stored }) else {
                throw fail("gankit.pixel_range must be \"[-1, 1]\" or \"[0, 1]\", found \"\(stored)\"")
            }
            range = parsed
        }
        var provenance: [String: String] = [:]
        for (key, value) in file.metadata where key.hasPrefix("gankit.") {
            let name = String(key.dropFirst("gankit.".count))
            if !["format", "architecture", "latent_dimension", "output_shape", "pixel_range", "class_count"].contains(name) {
                provenance[name] = value
            }
        }
        self.init(network: network, latentDimension: latent, outputShape: outputShape, pixelRange: range, provenance: provenance)
    }

    /// The generator of a training checkpoint (``Trainer/makeCheckpoint()``), with the weights to
    /// sample with: the averaged ones when the run kept a generator average (BatchNorm
    /// statistics recomputed for them, as the trainer samples), the trained ones otherwise.
    /// - Throws: ``CheckpointError`` when the checkpoint records no architecture (made before
    ///   GANKit recorded it, or with custom layers not in `layers`) or does not fit it.
    public convenience init(checkpoint: Checkpoint, layers: LayerRegistry = .builtIn, pixelRange: PixelRange? = nil) throws {
        let architectureName = "trainer/generatorArchitecture"
        guard let architecture = checkpoint.strings[architectureName],
              let latentText = checkpoint.strings["trainer/latentDimension"], let latent = Int(latentText), latent >= 1
        else {
            throw CheckpointError.missingEntry(name: architectureName)
        }
        let stored = checkpoint.tensors.filter { $0.key.hasPrefix("generator/") }.reduce(0) { $0 + $1.value.count }
        let network: any Layer
        do { network = try Self.rebuild(architecture, storedWeights: stored, layers: layers) } catch {
            throw CheckpointError.invalidEntry(name: architectureName, reason: error.text)
        }
        try checkpoint.restore(network, from: "generator")
        var provenance = ["weights": "trained weights"]
        if let counters = checkpoint.integers["trainer/counters"], counters.count == 3 {
            provenance["step"] = String(counters[0])
            provenance["epoch"] = String(counters[1])
        }
        let averages = try checkpoint.storedState(under: "generatorAverage")
        if !averages.isEmpty {
            let average = ExponentialMovingAverage(parameters: network.parameters)
            try average.loadStateDictionary(averages)
            for (parameter, value) in zip(network.parameters, average.averages) { parameter.value = value }
            recalibrateStatisticsForAveragedWeights(of: network, latentDimension: latent)
            provenance["weights"] = "exponential moving average (\(average.updateCount) updates)"
                + (network.buffers.isEmpty ? "" : ", BatchNorm statistics recomputed for it")
        }
        let outputShape: [Int]
        do { outputShape = try Self.outputShape(of: network, latentDimension: latent, named: "trainer/latentDimension") } catch {
            throw CheckpointError.invalidEntry(name: architectureName, reason: error.text)
        }
        self.init(network: network, latentDimension: latent, outputShape: outputShape, pixelRange: pixelRange,
                  provenance: provenance)
    }

    // MARK: - Checking a stored architecture

    /// Why a stored architecture cannot be used (the caller names the file or entry).
    struct ArchitectureProblem: Error {
        let text: String
    }

    /// `[1,28,28]`: a shape as `gankit.output_shape` stores it.
    static func listText(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }

    /// Builds the network `architecture` (JSON) describes with `layers`, after checking that
    /// its built-in layers declare no more weights than the `storedWeights` the file holds, so
    /// that a damaged architecture cannot ask for terabytes.
    private static func rebuild(_ architecture: String, storedWeights: Int,
                                layers: LayerRegistry) throws(ArchitectureProblem) -> any Layer {
        do {
            let description = try LayerArchitecture(json: architecture)
            let declared = declaredWeightCount(description)
            guard declared <= storedWeights else {
                throw ArchitectureProblem(text: "declares \(declared) weights, the file holds \(storedWeights)")
            }
            return try layers.makeLayer(description)
        } catch let problem as ArchitectureProblem {
            throw problem
        } catch {
            throw ArchitectureProblem(text: "\(error)")
        }
    }

    /// The number of weights the built-in layers of `architecture` hold (saturating at `Int.max`).
    /// Custom layers count as none.
    private static func declaredWeightCount(_ architecture: LayerArchitecture) -> Int {
        func product(_ factors: [Int]) -> Int {
            factors.reduce(1) { total, factor in
                let (result, overflow) = total.multipliedReportingOverflow(by: max(factor, 0))
                return overflow ? Int.max : result
            }
        }
        let a = architecture
        let own: Int = switch a.type {
        case "Dense": product([(try? a.integer("in")) ?? 0, (try? a.integer("out")) ?? 0])
        case "Conv2D", "ConvTranspose2D":
            product([(try? a.integer("in")) ?? 0, (try? a.integer("out")) ?? 0] + ((try? a.integers("kernel")) ?? []))
        case "BatchNorm": product([(try? a.integer("features")) ?? 0, 2])
        case "Embedding": product([(try? a.integer("count")) ?? 0, (try? a.integer("dimension")) ?? 0])
        case "ConcatenateClassEmbedding": product([(try? a.integer("classes")) ?? 0, (try? a.integer("dimension")) ?? 0])
        default: 0
        }
        return (a.layers ?? []).reduce(own) { total, child in
            let (sum, overflow) = total.addingReportingOverflow(declaredWeightCount(child))
            return overflow ? Int.max : sum
        }
    }

    /// The shape of one output sample of `network` for noise `[1, latentDimension]`: runs the
    /// layers one by one in inference mode and asks each that can say so whether it accepts
    /// its input, so an architecture that does not fit together is an error, not a stop.
    /// - Parameter name: what set the latent size, for the message.
    private static func outputShape(of network: any Layer, latentDimension: Int,
                                    named name: String) throws(ArchitectureProblem) -> [Int] {
        network.isTraining = false
        if network.isClassConditioned { network.setClassLabels([0]) }
        var x = Tensor(zeros: [1, latentDimension])
        for leaf in network.namedLeafLayers() {
            if let validating = leaf.layer as? any InputShapeValidating,
               let problem = validating.inputShapeProblem(for: x.shape) {
                throw ArchitectureProblem(text: "layer \(leaf.path.dropLast()) does not fit the one before it "
                                          + "(\(name) \(latentDimension)): \(problem)")
            }
            x = leaf.layer.forward(x)
        }
        return Array(x.shape.dropFirst())
    }
}
