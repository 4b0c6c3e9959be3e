import Foundation

/// A network's weights as PyTorch names them: the `state_dict` of the equivalent
/// `nn.Sequential` (`0.weight`, `1.running_mean`, `1.num_batches_tracked`, …).
///
/// GANKit's weights already have PyTorch's layouts (`Dense.weight` is `[out, in]`
/// like `nn.Linear`, convolution weights like `nn.Conv2d`/`nn.ConvTranspose2d`);
/// only two buffer names differ: `runningMean` → `running_mean`, `runningVariance` →
/// `running_var`. Each BatchNorm also gets PyTorch's `num_batches_tracked` (`I64`,
/// shape `[]`, value 0: GANKit does not count batches; PyTorch reads it only with
/// `momentum=None`) so `load_state_dict(strict=True)` accepts the file.
extension Layer {
    /// The parameters and buffers under their PyTorch names, in layer order, with `metadata`.
    public func safetensors(metadata: [String: String] = [:]) -> SafetensorsFile {
        var file = SafetensorsFile()
        file.metadata = metadata
        for leaf in namedLeafLayers() {
            for parameter in leaf.layer.parameters {
                file.tensors.append((leaf.path + pytorchName(parameter.name), independentCopy(parameter.value)))
            }
            for buffer in leaf.layer.buffers {
                file.tensors.append((leaf.path + pytorchName(buffer.name), independentCopy(buffer.value)))
            }
            if leaf.layer is BatchNorm { file.integerTensors.append((leaf.path + "num_batches_tracked", [], [0])) }
        }
        return file
    }

    /// Loads weights saved by ``safetensors(metadata:)`` or by PyTorch
    /// (`safetensors.torch.save_file(model.state_dict(), path)`) for the same architecture.
    ///
    /// Every parameter and buffer must be present with its exact shape and finite
    /// values; the only extra entries allowed are BatchNorm's `num_batches_tracked`.
    /// Nothing changes unless all of them match.
    /// - Parameter source: the file's name, for messages.
    /// - Throws: ``SafetensorsError`` naming the tensor, the layer and both shapes.
    public func loadSafetensors(_ file: SafetensorsFile, source: String) throws {
        let stored = file.tensorsByName
        var assignments: [(Tensor, (Tensor) -> Void)] = []
        var expected = Set<String>()
        for leaf in namedLeafLayers() {
            let position = leaf.path.isEmpty ? "the network" : "layer \(leaf.path.dropLast())"
            let layerName = "\(position) (\(type(of: leaf.layer)))"
            var targets = leaf.layer.parameters.map { parameter in
                (parameter.name, parameter.value.shape, { (value: Tensor) in parameter.value = value })
            }
            targets += leaf.layer.buffers.map { buffer in
                (buffer.name, buffer.value.shape, { (value: Tensor) in buffer.value = value })
            }
            for (localName, shape, assign) in targets {
                let name = leaf.path + pytorchName(localName)
                expected.insert(name)
                guard let value = stored[name] else {
                    throw SafetensorsError(path: source, reason: "no tensor \"\(name)\" \(shape) for \(layerName)")
                }
                guard value.shape == shape else {
                    throw SafetensorsError(path: source, reason: "tensor \"\(name)\" has shape \(value.shape), "
                                           + "\(layerName) expects \(shape)")
                }
                guard value.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) else {
                    throw SafetensorsError(path: source, reason: "tensor \"\(name)\" holds NaN or infinite values")
                }
                assignments.append((value, assign))
            }
            if leaf.layer is BatchNorm { expected.insert(leaf.path + "num_batches_tracked") }
        }
        let unexpected = (file.tensors.map(\.name) + file.integerTensors.map(\.name)).filter { !expected.contains($0) }
        guard unexpected.isEmpty else {
            throw SafetensorsError(path: source, reason: "tensors the model does not have: "
                                   + unexpected.prefix(4).map { "\"\($0)\"" }.joined(separator: ", ")
                                   + (unexpected.count > 4 ? " and \(unexpected.count - 4) more" : "")
                                   + " (is it the same architecture?)")
        }
        for (value, assign) in assignments { assign(independentCopy(value)) }
    }

    /// Reads a safetensors file and loads it with ``loadSafetensors(_:source:)``.
    /// - Throws: ``SafetensorsError`` for an unreadable or damaged file or weights that do not fit.
    public func loadSafetensors(from url: URL) throws {
        try loadSafetensors(SafetensorsFile.read(from: url), source: url.path)
    }
}

/// PyTorch's name for a GANKit parameter or buffer name.
private func pytorchName(_ name: String) -> String {
    switch name {
    case "runningMean": "running_mean"
    case "runningVariance": "running_var"
    default: name
    }
}
