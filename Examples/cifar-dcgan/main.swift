// cifar-dcgan: the DCGAN at 32×32 RGB (DCGAN.Configuration.rgb32: 4×4×256 → 8×8×128
// → 16×16×64 → 32×32×3) or, with `--image-size 64`, at the paper's 64×64 (rgb64: 4×4×512 →
// … → 64×64×3), on CIFAR-10 or any folder of PNG images, BCE on logits, batch 64, 5 epochs.
// The default `--recipe tutorial` trains with Adam(2e-4, β1 0.5, β2 0.999), no penalty, no
// EMA, real label 1; `--recipe improved` uses Adam 4e-4, an EMA (0.999) of G's weights and
// real label 0.9. `--conditional`: one class per top-level folder (or CIFAR-10 class).
//
// Data:     --data is required (colour data cannot be bundled): the CIFAR-10 binary files
//           (cifar-10-batches-bin/), or a folder of .png images (any size; transparency
//           composited over --background, white by default; centre-cropped and shrunk by
//           area averaging; class subfolders read recursively). Scripts/fetch-colour-data.sh
//           fetches Twemoji or Wesnoth sprites. See Docs/ColourImages.md.
// Run:      Scripts/fetch-colour-data.sh twemoji twemoji && swift run -c release cifar-dcgan --data twemoji
//           swift run -c release cifar-dcgan --data twemoji --image-size 64 --out emoji64
// Output:   cifar-dcgan-output/real.png                64 training images as the model sees them
//           cifar-dcgan-output/samples/epoch-NNN.png   colour grids of the same 64 noise vectors
//           cifar-dcgan-output/samples.png, losses.png, history.csv, checkpoint.gankit,
//           samples.idx (--export-samples N: 4-dim IDX [N, 3, 32, 32] bytes), generator.safetensors (gan-sample)
import ExampleSupport
import Foundation
import GANKit

let recipes = [
    "improved": Recipe(learningRate: 4e-4, emaDecay: 0.999, realLabel: 0.9),
    "tutorial": Recipe(learningRate: 2e-4),
]
let interface = CommandLineInterface(
    program: "cifar-dcgan",
    summary: "Train a 32×32 or 64×64 RGB DCGAN on CIFAR-10 (binary version) or a folder of PNG images and save colour sample grids.",
    options: runOptions(epochs: 5, output: "cifar-dcgan-output", data: nil)
        + trainingOptions(recipes: recipes, defaultRecipe: "tutorial") + [
            Option("--base-width", "N", kind: .integerIn(1...1_024), default: "64",
                   help: "channels of the largest feature map (64: G 256→128→64→3, D 3→64→128→256 at 32×32)"),
            Option("--image-size", "N", kind: .choice(["32", "64"]), default: "32", help: "32 (rgb32) or 64 (rgb64, the DCGAN paper's)"),
            Option("--background", "COLOUR", kind: .validated(expected: "white, black, gray or #RRGGBB",
                                                              accepts: { BackgroundColour(parsing: $0) != nil }),
                   default: "white", help: "the colour transparent pixels of PNG images are composited over"),
            Option("--conditional", kind: .flag, help: "a conditional DCGAN: one class per top-level folder (CIFAR-10: its 10 classes)"),
        ])
let arguments = interface.parseOrExit()

interface.exitOnError {
    print("GANKit backend: \(GANKit.backend)")
    let seed = arguments.seed("--seed"), batchSize = arguments.integer("--batch-size"), epochs = arguments.integer("--epochs")
    let out = arguments.url("--out")!

    // Data: CIFAR-10 or PNG images, [N, 3, size, size] in [-1, 1], transparency over --background.
    guard let data = arguments.url("--data") else { interface.fail("--data DIR is required: CIFAR-10 binary files or .png images") }
    var configuration = arguments.string("--image-size") == "64" ? DCGAN.Configuration.rgb64 : .rgb32
    let loading = Date(), background = BackgroundColour(parsing: arguments.string("--background")!)!
    let (dataset, kind) = try ImageDataset.colourTrainingSet(directory: data, side: configuration.imageSize, alpha: .composite(over: background))
    let count = min(arguments.optionalInteger("--limit") ?? .max, dataset.count)
    let images = dataset.images.slice(0..<count), loadTime = Date().timeIntervalSince(loading)
    print("data: \(count) images \(Array(images.shape.dropFirst())) from \(data.path) (\(kind)), "
          + String(format: "loaded in %.1f s (%.0f images/s)", loadTime, Double(dataset.count) / loadTime))
    if !dataset.skippedFiles.isEmpty { print("skipped \(dataset.skippedFiles.count) PNG files next to the class folders (no class), e.g. \(dataset.skippedFiles[0])") }
    let labels = dataset.labels.map { Tensor(classIndices: Array($0.prefix(count))) }
    if arguments.flag("--conditional") {
        guard let classes = dataset.classNames, labels != nil else { interface.fail("--conditional needs class folders in \(data.path)") }
        configuration.conditioning = ClassConditioning(classCount: classes.count)
        print("classes: \(classes.joined(separator: ", "))")
    }
    guard images.shape[0] >= batchSize else { interface.fail("--batch-size \(batchSize) exceeds the \(images.shape[0]) images") }
    let batchesPerEpoch = images.shape[0] / batchSize

    // Models: the 32×32 or 64×64 RGB DCGAN pair, optionally with D's stabilizers.
    configuration.latentDimension = arguments.integer("--latent-dim")
    configuration.baseWidth = arguments.integer("--base-width")
    configuration.spectralNorm = arguments.flag("--spectral-norm")
    configuration.minibatchStdDev = arguments.flag("--minibatch-stddev")
    var rng = SeededGenerator(seed: seed)
    let (generator, discriminator) = DCGAN.make(configuration, using: &rng)
    print("generator:\n\(generator)\ndiscriminator:\n\(discriminator)")

    // Objective: the adversarial loss, and a penalty on D's input gradient.
    let objective: any GANObjective = switch arguments.string("--loss") {
    case "minimax": MinimaxGAN()
    case "lsgan": LeastSquaresGAN()
    case "hinge": HingeGAN()
    case "wgan": WassersteinGAN()
    default: NonSaturatingGAN()
    }
    let recipe = recipes[arguments.string("--recipe")!]!
    let penalty = try recipe.gradientPenalty(arguments)  // WGAN-GP or R1, every Nth D update at N× weight, or none

    // Optimizers: Adam for each network, under the --lr-schedule.
    let learningRate = arguments.optionalNumber("--lr") ?? recipe.learningRate
    let schedule = LearningRateSchedule(parsing: arguments.string("--lr-schedule")!, totalSteps: epochs * batchesPerEpoch)!
    func adam(_ parameters: [Parameter], learningRate: Double) -> any Optimizer {
        let adam = Adam(parameters: parameters, learningRate: Float(learningRate),
                        beta1: Float(arguments.optionalNumber("--beta1") ?? recipe.beta1), beta2: Float(arguments.number("--beta2")))
        return schedule == .constant ? adam : ScheduledOptimizer(base: adam, schedule: schedule)
    }
    let generatorOptimizer = adam(generator.parameters, learningRate: learningRate)
    let discriminatorOptimizer = adam(discriminator.parameters, learningRate: arguments.optionalNumber("--lr-d") ?? learningRate)

    // Trainer: the networks, objective and optimizers, then the recipe's other choices.
    let trainer = Trainer(generator: generator, discriminator: discriminator, objective: objective,
                          generatorOptimizer: generatorOptimizer, discriminatorOptimizer: discriminatorOptimizer,
                          latentDimension: configuration.latentDimension, seed: seed &+ 1)
    trainer.gradientPenalty = penalty
    trainer.discriminatorSteps = arguments.integer("--critic-steps")
    trainer.realLabel = Float(arguments.optionalNumber("--real-label") ?? recipe.realLabel)
    trainer.gradientClipNorm = arguments.optionalNumber("--clip-grad-norm").map { Float($0) }
    let emaDecay = arguments.optionalNumber("--ema-decay") ?? recipe.emaDecay
    if emaDecay > 0 { trainer.generatorAverage = ExponentialMovingAverage(parameters: generator.parameters, decay: Float(emaDecay)) }
    if let checkpoint = arguments.url("--resume") { try resume(trainer, from: checkpoint, interface: interface) }
    print(trainer)

    // Run components: progress line, grids, history and plots, checkpoints, TensorBoard, Ctrl-C.
    let history = HistoryWriter(directory: out, title: "cifar-dcgan losses")
    let checkpoints = CheckpointWriter(url: out.appendingPathComponent("checkpoint.gankit"),
                                       everySteps: arguments.integer("--checkpoint-every"))
    let interrupts = InterruptHandler(checkpoints: checkpoints)
    trainer.add(ProgressDisplay())
    let grids = SampleGridWriter(directory: out, seed: seed ^ 0xF1ED, trainingImages: images)  // and real.png
    trainer.add(grids)
    trainer.add(history)
    trainer.add(checkpoints)
    trainer.add(GeneratorFileWriter(url: out.appendingPathComponent("generator.safetensors")))
    if let logs = arguments.url("--tensorboard") {
        trainer.add(TensorBoardLogger(directory: logs, grids: grids, configuration: CommandLine.arguments.joined(separator: " ")))
    }
    trainer.add(interrupts)

    // Train: shuffled batches (with their labels when conditional: the same seed gives both the same order).
    let start = Date()
    if let labels, trainer.isConditional {
        try trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch, labeledBatches: { epoch in
            zip(BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch), BatchSequence(labels, batchSize: batchSize, seed: seed, epoch: epoch))
        })
    } else {
        try trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { BatchSequence(images, batchSize: batchSize, seed: seed, epoch: $0) }
    }
    if interrupts.isRequested { exit(interrupts.exitStatus) }
    print(String(format: "done in %.1f s; outputs in %@", Date().timeIntervalSince(start), out.path))

    // Samples for gan-eval: from their own noise, in inference mode, with the averaged weights.
    let exportCount = arguments.integer("--export-samples")
    if exportCount > 0 {
        try exportIDX(trainer.generateSamples(count: exportCount, seed: seed ^ 0x5A3B1E).images, to: out.appendingPathComponent("samples.idx"))
        print("wrote \(exportCount) samples to \(out.appendingPathComponent("samples.idx").path)")
    }
}
