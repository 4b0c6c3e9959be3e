/// ``ArchitectureDescribable`` for the built-in layers. Setting names follow the
/// constructors; rebuilt layers get throw-away weights (a file's weights replace them).

extension Sequential: ArchitectureDescribable {
    /// `"Sequential"`.
    public static var architectureType: String { "Sequential" }
    /// The sub-layers' descriptions, in order.
    public var architecture: LayerArchitecture {
        get throws {
            var children: [LayerArchitecture] = []
            for (index, layer) in layers.enumerated() {
                do { children.append(try layer.architecture()) } catch let error as LayerArchitectureError {
                    throw error.inside(index)
                }
            }
            return LayerArchitecture(type: Self.architectureType, layers: children)
        }
    }
    /// Rebuilds every sub-layer with `registry`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        var layers: [any Layer] = []
        for (index, child) in (architecture.layers ?? []).enumerated() {
            do { layers.append(try registry.makeLayer(child)) } catch let error as LayerArchitectureError {
                throw error.inside(index)
            }
        }
        self.init(layers)
    }
}

/// Throw-away weights for rebuilt layers: the file's replace them.
private func placeholderGenerator() -> SeededGenerator { SeededGenerator(seed: 0) }

extension Dense: ArchitectureDescribable {
    /// `"Dense"`.
    public static var architectureType: String { "Dense" }
    /// `in`, `out`, `bias`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: [
            "in": .integer(inFeatures), "out": .integer(outFeatures), "bias": .flag(bias != nil)])
    }
    /// Rebuilds from `in`, `out`, `bias`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        var generator = placeholderGenerator()
        self.init(try architecture.integer("in"), try architecture.integer("out"), bias: try architecture.flag("bias"),
                  using: &generator)
    }
}

extension Conv2D: ArchitectureDescribable {
    /// `"Conv2D"`.
    public static var architectureType: String { "Conv2D" }
    /// `in`, `out`, `kernel`, `stride`, `padding` (each `[height, width]`), `bias`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: [
            "in": .integer(inChannels), "out": .integer(outChannels),
            "kernel": .integers([kernelSize.height, kernelSize.width]), "stride": .integers([stride.height, stride.width]),
            "padding": .integers([padding.height, padding.width]), "bias": .flag(bias != nil)])
    }
    /// Rebuilds from the settings of ``architecture``.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        let kernel = try architecture.integers("kernel", maximum: 64, count: 2)
        let stride = try architecture.integers("stride", maximum: 64, count: 2)
        let padding = try architecture.integers("padding", minimum: 0, maximum: 64, count: 2)
        var generator = placeholderGenerator()
        self.init(try architecture.integer("in"), try architecture.integer("out"), kernelSize: (kernel[0], kernel[1]),
                  stride: (stride[0], stride[1]), padding: (padding[0], padding[1]), bias: try architecture.flag("bias"),
                  using: &generator)
    }
}

extension ConvTranspose2D: ArchitectureDescribable {
    /// `"ConvTranspose2D"`.
    public static var architectureType: String { "ConvTranspose2D" }
    /// `in`, `out`, `kernel`, `stride`, `padding`, `outputPadding` (each `[height, width]`), `bias`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: [
            "in": .integer(inChannels), "out": .integer(outChannels),
            "kernel": .integers([kernelSize.height, kernelSize.width]), "stride": .integers([stride.height, stride.width]),
            "padding": .integers([padding.height, padding.width]),
            "outputPadding": .integers([outputPadding.height, outputPadding.width]), "bias": .flag(bias != nil)])
    }
    /// Rebuilds from the settings of ``architecture``.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        let kernel = try architecture.integers("kernel", maximum: 64, count: 2)
        let stride = try architecture.integers("stride", maximum: 64, count: 2)
        let padding = try architecture.integers("padding", minimum: 0, maximum: 64, count: 2)
        let outputPadding = try architecture.integers("outputPadding", minimum: 0, maximum: 63, count: 2)
        guard outputPadding[0] < stride[0] && outputPadding[1] < stride[1] else {
            throw LayerArchitectureError(path: "", type: Self.architectureType,
                                         problem: "outputPadding \(outputPadding) must be smaller than stride \(stride)")
        }
        var generator = placeholderGenerator()
        self.init(try architecture.integer("in"), try architecture.integer("out"), kernelSize: (kernel[0], kernel[1]),
                  stride: (stride[0], stride[1]), padding: (padding[0], padding[1]),
                  outputPadding: (outputPadding[0], outputPadding[1]), bias: try architecture.flag("bias"),
                  using: &generator)
    }
}

extension BatchNorm: ArchitectureDescribable {
    /// `"BatchNorm"`.
    public static var architectureType: String { "BatchNorm" }
    /// `features`, `momentum`, `epsilon`, `affine`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: [
            "features": .integer(features), "momentum": .float(momentum), "epsilon": .float(epsilon),
            "affine": .flag(weight != nil)])
    }
    /// Rebuilds from the settings of ``architecture``.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        self.init(try architecture.integer("features"), momentum: try architecture.number("momentum", in: 0...1),
                  epsilon: try architecture.number("epsilon", in: 0...1), affine: try architecture.flag("affine"))
    }
}

extension ReLU: SettinglessLayer {
    /// `"ReLU"`.
    public static var architectureType: String { "ReLU" }
}

extension LeakyReLU: ArchitectureDescribable {
    /// `"LeakyReLU"`.
    public static var architectureType: String { "LeakyReLU" }
    /// `alpha`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: ["alpha": .float(alpha)])
    }
    /// Rebuilds from `alpha`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        self.init(alpha: try architecture.number("alpha"))
    }
}

extension Tanh: SettinglessLayer {
    /// `"Tanh"`.
    public static var architectureType: String { "Tanh" }
}

extension Sigmoid: SettinglessLayer {
    /// `"Sigmoid"`.
    public static var architectureType: String { "Sigmoid" }
}

extension Reshape: ArchitectureDescribable {
    /// `"Reshape"`.
    public static var architectureType: String { "Reshape" }
    /// `shape`, one sample's shape.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: ["shape": .integers(Array(itemShape))])
    }
    /// Rebuilds from `shape`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        let shape = try architecture.integers("shape")
        guard shape.count < TensorShape.maximumRank else {
            throw LayerArchitectureError(path: "", type: Self.architectureType,
                                         problem: "shape \(shape) has more than \(TensorShape.maximumRank - 1) dimensions")
        }
        self.init(TensorShape(shape))
    }
}

extension Flatten: SettinglessLayer {
    /// `"Flatten"`.
    public static var architectureType: String { "Flatten" }
}

extension Dropout: ArchitectureDescribable {
    /// `"Dropout"`.
    public static var architectureType: String { "Dropout" }
    /// `rate` (the mask generator is training state, not architecture).
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: ["rate": .float(rate)])
    }
    /// Rebuilds from `rate`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        self.init(rate: try architecture.number("rate", in: 0...0.999_999))
    }
}

extension Embedding: ArchitectureDescribable {
    /// `"Embedding"`.
    public static var architectureType: String { "Embedding" }
    /// `count`, `dimension`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: ["count": .integer(count), "dimension": .integer(dimension)])
    }
    /// Rebuilds from `count` and `dimension`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        var generator = placeholderGenerator()
        self.init(count: try architecture.integer("count"), dimension: try architecture.integer("dimension"),
                  using: &generator)
    }
}

extension ConcatenateClassEmbedding: ArchitectureDescribable {
    /// `"ConcatenateClassEmbedding"`.
    public static var architectureType: String { "ConcatenateClassEmbedding" }
    /// `classes`, `dimension`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: [
            "classes": .integer(classCount), "dimension": .integer(embedding.dimension)])
    }
    /// Rebuilds from `classes` and `dimension`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        var generator = placeholderGenerator()
        self.init(classCount: try architecture.integer("classes"), dimension: try architecture.integer("dimension"),
                  using: &generator)
    }
}

extension MinibatchStdDev: ArchitectureDescribable {
    /// `"MinibatchStdDev"`.
    public static var architectureType: String { "MinibatchStdDev" }
    /// `groupSize`.
    public var architecture: LayerArchitecture {
        LayerArchitecture(type: Self.architectureType, settings: ["groupSize": .integer(groupSize)])
    }
    /// Rebuilds from `groupSize`.
    public convenience init(architecture: LayerArchitecture, registry: LayerRegistry) throws {
        self.init(groupSize: try architecture.integer("groupSize", maximum: 1 << 16))
    }
}
