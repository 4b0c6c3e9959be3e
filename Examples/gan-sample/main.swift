// gan-sample: samples from a trained generator — the generator.safetensors a training example
// writes, a training checkpoint (the averaged weights when the run kept an average), or the
// state dict of a generator trained in PyTorch (`--weights FILE --model NAME`). Writes a PNG grid,
// single PNGs, an IDX file for gan-eval, or a safetensors file with the noise, labels and images;
// exports the generator to ONNX (`--onnx`). Conditional generators get one row per class, or `--class K`.
//
// Run:      swift run -c release gan-sample --generator gan-output/generator.safetensors
//           swift run -c release gan-sample --generator dcgan-output/checkpoint.gankit --count 16 --seed 7 --out digits.png
//           swift run -c release gan-sample --generator cgan-output/generator.safetensors --class 3 --out threes.png
//           swift run -c release gan-sample --generator gan-output/generator.safetensors --interpolate 10 --rows 6
//           swift run -c release gan-sample --weights from-pytorch.safetensors --model dcgan-mnist --out pytorch.png
//           swift run -c release gan-sample --generator gan-output/generator.safetensors --onnx generator.onnx
// Output:   --out FILE by its extension: .png (grid), .idx (IDX bytes, plus FILE-labels.idx for a
//           conditional generator), .safetensors ("noise", "labels", "images"); --singles DIR: one PNG each
import ExampleSupport
import Foundation
import GANKit

// Architectures for plain state dicts: the builders' generators (Docs/UsingAModel.md has the PyTorch twins).
func mlp(_ preset: MLPGAN.Configuration) -> (Int) -> any Layer {
    { latent in var c = preset, rng = SeededGenerator(seed: 0); c.latentDimension = latent; return MLPGAN.makeGenerator(c, using: &rng) }
}
func dcgan(_ preset: DCGAN.Configuration) -> (Int) -> any Layer {
    { latent in var c = preset, rng = SeededGenerator(seed: 0); c.latentDimension = latent; return DCGAN.makeGenerator(c, using: &rng) }
}
let models = ["mlp-small": mlp(.small), "mlp-keras": mlp(.keras), "dcgan-mnist": dcgan(.mnist),
              "dcgan-rgb32": dcgan(.rgb32), "dcgan-rgb64": dcgan(.rgb64)]
let interface = CommandLineInterface(
    program: "gan-sample",
    summary: "Sample from a trained generator (usage: gan-sample --generator FILE [options]).",
    options: [
        Option("--generator", "FILE", kind: .existingFile,
               help: "a generator file (generator.safetensors) or a training checkpoint (checkpoint.gankit)"),
        Option("--weights", "FILE", kind: .existingFile, help: "a plain state dict (e.g. PyTorch's), with --model"),
        Option("--model", "NAME", kind: .choice(models.keys.sorted()), help: "the architecture of --weights"),
        Option("--latent-dim", "N", kind: .integerIn(1...65_536), default: "100", help: "latent size of --model"),
        Option("--count", "N", kind: .integerIn(1...1_000_000), help: "samples (default 64; 8 per class, one row each, for a conditional generator)"),
        Option("--seed", "N", kind: .seed, default: "0", help: "seed of the noise"),
        Option("--rows", "N", kind: .integerIn(1...1000), help: "rows of the grid (default: 8 columns); with --interpolate, the number of walks"),
        Option("--class", "K", kind: .nonNegativeInteger, help: "every sample of class K (conditional generators)"),
        Option("--interpolate", "STEPS", kind: .integerIn(2...1000),
               help: "latent walks: each row goes from one noise vector to another in STEPS spherical steps"),
        Option("--noise", "FILE", kind: .existingFile, help: "take the noise (and labels) from a safetensors file's \"noise\" [N, Z] (and \"labels\" [N])"),
        Option("--out", "FILE", kind: .validated(expected: "a .png, .idx or .safetensors file",
                                                 accepts: { path in [".png", ".idx", ".safetensors"].contains { path.hasSuffix($0) } }),
               default: "samples.png", help: "where to write: .png grid, .idx bytes, .safetensors noise/labels/images"),
        Option("--singles", "DIR", kind: .outputDirectory, help: "also write every sample as DIR/sample-NNNN.png"),
        Option("--onnx", "FILE", kind: .validated(expected: "a .onnx file", accepts: { $0.hasSuffix(".onnx") }),
               help: "also export the generator to ONNX (opset 17) for ONNX Runtime"),
    ])
let arguments = interface.parseOrExit()

interface.exitOnError {
    // The generator: from a GANKit file or checkpoint, or a plain state dict loaded into a builder's network.
    let generator: TrainedGenerator
    if let file = arguments.url("--generator") {
        guard !arguments.wasGiven("--weights") else { interface.fail("give --generator or --weights, not both") }
        generator = try TrainedGenerator(contentsOf: file)  // a generator file or a training checkpoint
    } else if let weights = arguments.url("--weights") {
        guard let model = arguments.string("--model") else { interface.fail("--weights needs --model (\(models.keys.sorted().joined(separator: ", ")))") }
        let network = models[model]!(arguments.integer("--latent-dim"))
        try network.loadSafetensors(from: weights)
        generator = TrainedGenerator(network: network, latentDimension: arguments.integer("--latent-dim"))
    } else {
        interface.fail("give --generator FILE (or --weights FILE --model NAME); --help lists the options")
    }
    let classes = generator.classCount
    print("generator: noise [N, \(generator.latentDimension)] → \(generator.outputShape) in \(generator.pixelRange)"
          + (classes.map { ", \($0) classes" } ?? "") + (generator.provenance["weights"].map { "; \($0)" } ?? ""))
    if let onnx = arguments.url("--onnx") {
        try ONNXModel(network: generator.network, inputShape: [generator.latentDimension], inputName: "noise",
                      outputName: "images").write(to: onnx)
        print("wrote \(onnx.path) (inputs: noise [N, \(generator.latentDimension)]\(classes == nil ? "" : ", labels [N] int64"))")
    }

    // The noise and labels: from a file, as latent walks, or drawn from the seed.
    let seed = arguments.seed("--seed")
    if let k = arguments.optionalInteger("--class"), k >= classes ?? 0 {
        interface.fail(classes.map { "--class \(k): the generator has classes 0 to \($0 - 1)" } ?? "--class: the generator is not conditional")
    }
    let columns: Int, noise: Tensor
    var labels: [Int]? = nil
    if let file = arguments.url("--noise") {
        let tensors = try SafetensorsFile.read(from: file)
        guard let stored = tensors.tensor(named: "noise") else { interface.fail("\(file.path) has no tensor \"noise\"") }
        noise = stored
        labels = tensors.integerTensors.first { $0.name == "labels" }.map { $0.values.map { Int($0) } }
        columns = 8
    } else if let steps = arguments.optionalInteger("--interpolate") {
        var stream = SeededGenerator(seed: seed)
        let walks = (0..<(arguments.optionalInteger("--rows") ?? 8)).map { _ in
            sphericalInterpolation(from: Tensor.randomNormal([generator.latentDimension], using: &stream),
                                   to: Tensor.randomNormal([generator.latentDimension], using: &stream), steps: steps)
        }
        noise = Tensor(concatenating: walks)
        columns = steps
    } else {
        let count = arguments.optionalInteger("--count") ?? (classes.map { $0 * 8 } ?? 64)
        var stream = SeededGenerator(seed: seed)
        noise = Tensor.randomNormal([count, generator.latentDimension], using: &stream)
        columns = arguments.optionalInteger("--rows").map { (count + $0 - 1) / $0 } ?? 8
    }
    let count = noise.shape[0]
    if let classes, labels == nil {  // one row per class, or all of --class
        labels = (0..<count).map { arguments.optionalInteger("--class") ?? ($0 / columns) % classes }
    }
    guard noise.rank == 2 && noise.shape[1] == generator.latentDimension else {
        interface.fail("noise has shape \(noise.shape), the generator takes [N, \(generator.latentDimension)]")
    }
    if let labels, labels.count != count || !labels.allSatisfy({ (0..<(classes ?? 0)).contains($0) }) {
        interface.fail("expected \(count) labels in 0..<\(classes ?? 0), got \(labels.count)")
    }

    // Generate and write.
    let images = generator.generate(noise: noise, labels: labels)
    let out = arguments.url("--out")!, range = generator.pixelRange
    switch out.pathExtension {
    case "idx":
        try exportIDX(images, pixelRange: range, to: out)
        if let labels {  // for gan-eval --labels
            try exportLabelsIDX(Tensor(classIndices: labels), to: URL(fileURLWithPath: out.deletingPathExtension().path + "-labels.idx"))
        }
    case "safetensors":
        var file = SafetensorsFile()
        file.tensors = [("noise", noise), ("images", images)]
        if let labels { file.integerTensors = [("labels", [count], labels.map { Int64($0) })] }
        file.metadata = ["pixel_range": range.description, "seed": String(seed)]
        try file.write(to: out)
    default:
        try saveImageGrid(images, columns: columns, pixelRange: range, to: out)
    }
    print("wrote \(count) samples to \(out.path)")
    if let singles = arguments.url("--singles") {
        for index in 0..<count {
            let name = String(format: "sample-%04d.png", index)
            try saveImageGrid(images.slice(index..<index + 1), columns: 1, padding: 0, pixelRange: range,
                              to: singles.appendingPathComponent(name))
        }
        print("wrote \(count) PNGs to \(singles.path)")
    }
}
