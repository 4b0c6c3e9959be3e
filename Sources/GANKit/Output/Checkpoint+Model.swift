/// Storing and restoring models, optimizers and trainers in a ``Checkpoint``.
///
/// Entries are namespaced by a prefix: `generator/0.weight`,
/// `generator/3.runningMean`, `generator/5.generator` (a dropout layer's
/// generator state), `generatorOptimizer/m.0`, `generatorOptimizer/step` (an
/// integer). Restoring validates every name and shape first and changes
/// nothing unless all of them match.
extension Checkpoint {
    /// Stores `layer`'s parameters, buffers and layer-owned generator states under `prefix/`.
    public mutating func store(_ layer: any Layer, as prefix: String) {
        for (path, parameter) in layer.namedParameters { tensors["\(prefix)/\(path)"] = parameter.value }
        for (path, buffer) in layer.namedBuffers { tensors["\(prefix)/\(path)"] = buffer.value }
        for (path, randomized) in namedRandomizedLayers(layer) {
            integers["\(prefix)/\(path)generator"] = randomized.generator.state
        }
    }

    /// Restores what ``store(_:as:)`` wrote for a model of the same architecture.
    /// - Throws: ``CheckpointError`` naming the first missing entry, mismatched
    ///   shape, or unexpected entry under `prefix/`; the layer is unchanged then.
    public func restore(_ layer: any Layer, from prefix: String) throws {
        var targets: [(String, (Tensor) -> Void, TensorShape)] = []
        for (path, parameter) in layer.namedParameters {
            targets.append(("\(prefix)/\(path)", { parameter.value = $0 }, parameter.value.shape))
        }
        for (path, buffer) in layer.namedBuffers {
            targets.append(("\(prefix)/\(path)", { buffer.value = $0 }, buffer.value.shape))
        }
        var expected = Set(targets.map(\.0))
        for (name, _, shape) in targets {
            guard let stored = tensors[name] else { throw CheckpointError.missingEntry(name: name) }
            guard stored.shape == shape else {
                throw CheckpointError.shapeMismatch(name: name, expected: Array(shape), found: Array(stored.shape))
            }
        }
        let randomized = namedRandomizedLayers(layer).map { ("\(prefix)/\($0.path)generator", $0.layer) }
        for (name, _) in randomized {
            expected.insert(name)
            guard let state = integers[name] else { throw CheckpointError.missingEntry(name: name) }
            guard state.count == 4 else {
                throw CheckpointError.shapeMismatch(name: name, expected: [4], found: [state.count])
            }
            guard state.contains(where: { $0 != 0 }) else {
                throw CheckpointError.invalidEntry(name: name, reason: "a generator state of all zeros")
            }
        }
        let stored = Set(tensors.keys.filter { $0.hasPrefix(prefix + "/") })
            .union(integers.keys.filter { $0.hasPrefix(prefix + "/") })
        let unexpected = stored.subtracting(expected)
        guard unexpected.isEmpty else { throw CheckpointError.unexpectedEntries(names: unexpected.sorted()) }

        for (name, assign, _) in targets { assign(tensors[name]!) }
        for (name, layer) in randomized { layer.generator = SeededGenerator(state: integers[name]!) }
    }

    /// Stores an optimizer's state dictionary under `prefix/`: the built-in
    /// optimizers' step counts (`step`, `schedule.step`) as one integer each in
    /// ``integers``, everything else in ``tensors``.
    public mutating func store(_ optimizer: any Optimizer, as prefix: String) {
        storeState(optimizer.stateDictionary(), stepCountKeys: (optimizer as? StepCountedState)?.stepCountKeys ?? [],
                   as: prefix)
    }

    /// Restores an optimizer's state stored under `prefix/`.
    ///
    /// Step counts are read from ``integers``, or, from checkpoints written
    /// before they were stored as integers, as the two floats of the state
    /// dictionary from ``tensors``.
    /// - Throws: ``CheckpointError`` for a step count that is not one integer
    ///   below 2⁴⁸; the optimizer's error when a key is missing or a shape differs.
    public func restore(_ optimizer: any Optimizer, from prefix: String) throws {
        try optimizer.loadStateDictionary(storedState(under: prefix))
    }

    /// Stores `state` under `prefix/`: the step counts named by `stepCountKeys`
    /// (two floats in the dictionary) as one integer each, the rest as tensors.
    mutating func storeState(_ state: [String: Tensor], stepCountKeys: [String], as prefix: String) {
        for (key, value) in state {
            if stepCountKeys.contains(key), let count = decodeStepCount(value) {
                integers["\(prefix)/\(key)"] = [UInt64(count)]
            } else {
                tensors["\(prefix)/\(key)"] = value
            }
        }
    }

    /// The state dictionary stored under `prefix/`: its tensors as they are, and
    /// each integer entry (a step count) as the two floats a state dictionary holds.
    /// - Throws: ``CheckpointError`` when an integer entry is not one value
    ///   below 2⁴⁸, or a name is both a tensor and an integer entry.
    func storedState(under prefix: String) throws -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix(prefix + "/") {
            state[String(name.dropFirst(prefix.count + 1))] = tensor
        }
        for name in integers.keys.sorted() where name.hasPrefix(prefix + "/") {
            let values = integers[name]!
            guard values.count == 1 else {
                throw CheckpointError.shapeMismatch(name: name, expected: [1], found: [values.count])
            }
            guard values[0] <= UInt64(maximumStepCount) else {
                throw CheckpointError.invalidEntry(name: name, reason: "a step count of \(values[0]), above 2^48 - 1")
            }
            let key = String(name.dropFirst(prefix.count + 1))
            guard state[key] == nil else {
                throw CheckpointError.invalidEntry(name: name, reason: "stored both as a tensor and as an integer")
            }
            state[key] = encodeStepCount(Int(values[0]))
        }
        return state
    }
}

extension Trainer {
    /// A checkpoint of everything needed to continue training bit for bit:
    /// both networks (parameters, buffers, dropout generators), both optimizers,
    /// the noise generator and the step/epoch/discriminator-update counters.
    public func makeCheckpoint() -> Checkpoint {
        var checkpoint = Checkpoint()
        checkpoint.store(generator, as: "generator")
        checkpoint.store(discriminator, as: "discriminator")
        checkpoint.store(generatorOptimizer, as: "generatorOptimizer")
        checkpoint.store(discriminatorOptimizer, as: "discriminatorOptimizer")
        if let generatorAverage {
            checkpoint.storeState(generatorAverage.stateDictionary(), stepCountKeys: generatorAverage.stepCountKeys,
                                  as: "generatorAverage")
        }
        checkpoint.integers["trainer/noiseGenerator"] = noiseGenerator.state
        checkpoint.integers["trainer/counters"] = [UInt64(step), UInt64(epoch), UInt64(batchInEpoch)]
        checkpoint.integers["trainer/discriminatorUpdates"] = [UInt64(discriminatorUpdates)]
        checkpoint.strings = settingsRecord()
        return checkpoint
    }

    /// Restores a checkpoint made by ``makeCheckpoint()`` for the same architecture.
    /// - Throws: ``CheckpointError`` (or the optimizer's error) naming what does not
    ///   match; the trainer is then unchanged.
    public func restore(from checkpoint: Checkpoint) throws {
        guard let noise = checkpoint.integers["trainer/noiseGenerator"] else {
            throw CheckpointError.missingEntry(name: "trainer/noiseGenerator")
        }
        guard noise.count == 4 else {
            throw CheckpointError.shapeMismatch(name: "trainer/noiseGenerator", expected: [4], found: [noise.count])
        }
        guard noise.contains(where: { $0 != 0 }) else {
            throw CheckpointError.invalidEntry(name: "trainer/noiseGenerator", reason: "a generator state of all zeros")
        }
        guard let counters = checkpoint.integers["trainer/counters"] else {
            throw CheckpointError.missingEntry(name: "trainer/counters")
        }
        guard counters.count == 3 else {
            throw CheckpointError.shapeMismatch(name: "trainer/counters", expected: [3], found: [counters.count])
        }
        // Far beyond any real run, and far enough from Int.max that `step += 1` cannot overflow.
        guard counters.allSatisfy({ $0 <= Self.maximumCounter }) else {
            throw CheckpointError.invalidEntry(name: "trainer/counters",
                                               reason: "step, epoch and batch \(counters) must each be at most 2^53")
        }
        // Checkpoints from before lazy penalties counted D updates: a plain loop's count.
        let derived = counters[0].multipliedReportingOverflow(by: UInt64(discriminatorSteps))
        let discriminatorUpdateCount = checkpoint.integers["trainer/discriminatorUpdates"]
            ?? [derived.overflow ? .max : derived.partialValue]  // an overflow fails the 2^53 check below
        guard discriminatorUpdateCount.count == 1 else {
            throw CheckpointError.shapeMismatch(name: "trainer/discriminatorUpdates", expected: [1],
                                                found: [discriminatorUpdateCount.count])
        }
        guard discriminatorUpdateCount[0] <= Self.maximumCounter else {
            throw CheckpointError.invalidEntry(name: "trainer/discriminatorUpdates",
                                               reason: "\(discriminatorUpdateCount[0]) updates, above 2^53")
        }
        try requireMatchingSettings(checkpoint)
        // Each restore below is all-or-nothing, but a later one can fail after an
        // earlier one succeeded (e.g. matching networks, another optimizer type):
        // put the earlier parts back so the trainer is unchanged on error.
        let previous = makeCheckpoint()
        do {
            try restoreNetworksAndOptimizers(from: checkpoint)
        } catch {
            try? restoreNetworksAndOptimizers(from: previous)
            throw error
        }
        noiseGenerator = SeededGenerator(state: noise)
        step = Int(counters[0])
        epoch = Int(counters[1])
        batchInEpoch = Int(counters[2])
        discriminatorUpdates = Int(discriminatorUpdateCount[0])
    }

    /// The largest step, epoch or batch counter a checkpoint may hold (2^53).
    static let maximumCounter: UInt64 = 1 << 53

    private func restoreNetworksAndOptimizers(from checkpoint: Checkpoint) throws {
        try checkpoint.restore(generator, from: "generator")
        try checkpoint.restore(discriminator, from: "discriminator")
        try checkpoint.restore(generatorOptimizer, from: "generatorOptimizer")
        try checkpoint.restore(discriminatorOptimizer, from: "discriminatorOptimizer")
        if let generatorAverage {
            try generatorAverage.loadStateDictionary(checkpoint.storedState(under: "generatorAverage"))
        }
    }
}
