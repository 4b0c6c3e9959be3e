import Foundation
import GANKit

/// Writes what Benchmarks/pytorch_reference.py needs to replay GANKit's first
/// training steps on `workload` and compare the losses (the like-for-like check):
///
/// - `check.bin`: little-endian float32 values, one tensor after another: the
///   generator's parameters, the discriminator's parameters (layer order,
///   weight then bias, PyTorch layouts), the real batch `[N] + image shape`, then
///   the noise of each step `[N, 100]` (drawn as the trainer will draw it);
/// - `check.json`: the tensors' names and shapes in that order, and the
///   discriminator and generator losses GANKit computed for each step (the D loss
///   with the R1 penalty of a `+r1` row), and that penalty's γ (`r1Gamma`, 0 for none).
///
/// Dropout is switched off (rate 0) for the check, since the two libraries'
/// random masks cannot agree; the timed keras rows keep Dropout(0.4).
func exportCheck(_ workload: Workload, steps: Int, to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let trainer = makeTrainer(workload, seed: 7, dropout: 0)
    let real = makeRealBatch(workload.batch, of: workload.model, seed: 11)

    var names: [String] = [], shapes: [[Int]] = []
    var data = Data()
    func append(_ name: String, _ tensor: Tensor) {
        names.append(name)
        shapes.append(Array(tensor.shape))
        tensor.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
    }
    for (index, parameter) in trainer.generator.parameters.enumerated() { append("G.\(index).\(parameter.name)", parameter.value) }
    for (index, parameter) in trainer.discriminator.parameters.enumerated() {
        append("D.\(index).\(parameter.name)", parameter.value)
    }
    append("real", real)
    var noiseSource = trainer.noiseGenerator
    for step in 0..<steps {
        let noise = Tensor(shape: [workload.batch, 100]) { _ in noiseSource.nextNormal() }
        append("noise.\(step)", noise)
    }

    var discriminatorLosses: [Float] = [], generatorLosses: [Float] = []
    for _ in 0..<steps {
        let result = trainer.trainStep(real: real)
        discriminatorLosses.append(result.discriminatorLoss)
        generatorLosses.append(result.generatorLoss)
    }
    let manifest: [String: Any] = [
        "model": workload.model.rawValue, "batch": workload.batch, "steps": steps,
        "r1Gamma": workload.penalty == nil ? 0 : Double(benchmarkR1Gamma),
        "names": names, "shapes": shapes,
        "discriminatorLosses": discriminatorLosses.map(Double.init),
        "generatorLosses": generatorLosses.map(Double.init),
    ]
    try data.write(to: directory.appendingPathComponent("check.bin"))
    try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        .write(to: directory.appendingPathComponent("check.json"))
}
