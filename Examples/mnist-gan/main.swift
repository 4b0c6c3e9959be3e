// mnist-gan: the fully connected GAN of the PyTorch and Keras tutorials, on MNIST; batch 64, 30 epochs.
// `--preset small` (default): G 100-256-512-784 and D 784-512-256-1 with LeakyReLU(0.2), tanh output,
// data in [-1, 1], BCE on D's logits (`--loss ns`); `--preset keras`: the same with G 100-256-512-1024-784,
// Dropout(0.4) in D, Glorot-uniform weights. Both train with the default `--recipe improved`: Adam(6e-4,
// β1 0.5, β2 0.999) for both networks, an R1 penalty (γ 1) on every 4th D update, samples from an EMA (0.999) of G's
// weights, real label 0.9 (measured best in Docs/Evaluation.md); `--recipe tutorial` is the plain
// tutorial setup: Adam(2e-4, β1 0.5), no penalty, no EMA, label 1. `--preset minimal`: the minimal Keras
// GAN, G 100-128-784 and D 784-128-1 (ReLU, sigmoid outputs), Glorot-uniform, data in [0, 1], BCE on D's
// probabilities clamped to [1e-7, 1 − 1e-7] like Keras (`--loss ns` or minimax), grids and samples.idx from
// [0, 1]; default `--recipe minimal`: Keras' Adam(1e-3, β1 0.9, β2 0.999; ε 1e-8), no penalty, no EMA, label 1.
//
// Run:      swift run -c release mnist-gan            (--help lists every flag)
//           swift run -c release mnist-gan --preset minimal --epochs 50 --out minimal-output
//           swift run -c release mnist-gan --resume gan-output/checkpoint.gankit --epochs 40
//           mpirun -np 2 .build/release/mnist-gan   (data-parallel: Docs/Distributed.md)
// Output:   gan-output/samples/epoch-NNN.png   the same 64 noise vectors after every epoch; samples.png,
//           losses.png, history.csv (one row per step), checkpoint.gankit (every epoch and 500 steps),
//           samples.idx (--export-samples N), generator.safetensors (at the end; see Docs/UsingAModel.md)
import ExampleSupport
import Foundation
import GANKit

let recipes = [
    "improved": Recipe(learningRate: 6e-4, r1Gamma: 1, penaltyInterval: 4, emaDecay: 0.999, realLabel: 0.9),
    "tutorial": Recipe(learningRate: 2e-4),
    "minimal": Recipe(learningRate: 1e-3, beta1: 0.9),
]
let presets: [String: MLPGAN.Configuration] = ["small": .small, "keras": .keras, "minimal": .minimal]
let interface = CommandLineInterface(
    program: "mnist-gan",
    summary: "Train a fully connected GAN on MNIST (or any IDX image set) and save sample grids.",
    options: runOptions(epochs: 30, output: "gan-output") + trainingOptions(recipes: recipes, defaultRecipe: "improved")
        + evaluationOptions + [
            Option("--preset", "NAME", kind: .choice(["small", "keras", "minimal"]), default: "small",
                   help: "small: G 100-256-512-784; keras: G 100-256-512-1024-784, D with Dropout(0.4); minimal: "
                       + "the minimal Keras GAN, G 100-128-784 and D 784-128-1 with ReLU and sigmoid outputs, data "
                       + "in [0, 1], BCE on D's probabilities (--loss ns or minimax), --recipe minimal unless given"),
        ])
let arguments = interface.parseOrExit()

interface.exitOnError {
    let seed = arguments.seed("--seed"), batchSize = arguments.integer("--batch-size"), epochs = arguments.integer("--epochs")
    let group = joinLaunchedJob(interface, globalBatch: batchSize)  // data-parallel under mpirun: Docs/Distributed.md
    print("GANKit backend: \(GANKit.backend)")
    let out = arguments.url("--out")!, preset = arguments.string("--preset")!, loss = arguments.string("--loss")!
    if presets[preset]!.discriminatorOutput == .probabilities && !["ns", "minimax"].contains(loss) {
        interface.fail("--preset \(preset) ends D in a sigmoid; its probabilities suit --loss ns or minimax, not \(loss)")
    }

    // Data: MNIST's training images [N, 1, 28, 28] as bytes, each batch converted to the range of the preset's
    // generator: [-1, 1] for tanh, [0, 1] for the minimal preset's sigmoid (grids and exports use it too).
    let pixelRange = presets[preset]!.generatorOutput.pixelRange
    let data = arguments.url("--data")!
    var images = try ImageBytes.mnist(directory: data, split: .train, pixelRange: pixelRange)
    images = images.slice(0..<min(arguments.optionalInteger("--limit") ?? .max, images.shape[0]))
    print("data: \(images.shape[0]) images \(Array(images.shape.dropFirst())) in \(pixelRange) from \(data.path)")
    guard images.shape[0] >= batchSize else { interface.fail("--batch-size \(batchSize) exceeds the \(images.shape[0]) images") }
    let batchesPerEpoch = images.shape[0] / batchSize

    // Models: the preset's MLPs, optionally with D's stabilizers.
    var configuration = presets[preset]!
    configuration.latentDimension = arguments.integer("--latent-dim")
    configuration.imageShape = Array(images.shape.dropFirst())
    configuration.spectralNorm = arguments.flag("--spectral-norm")
    configuration.minibatchStdDev = arguments.flag("--minibatch-stddev")
    var rng = SeededGenerator(seed: seed)
    let (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
    print("generator:\n\(generator)\ndiscriminator:\n\(discriminator)")

    // Objective: the adversarial loss (on probabilities when D ends in a sigmoid), and a penalty on D's input gradient.
    let outputs = configuration.discriminatorOutput
    let objective: any GANObjective = switch loss {
    case "minimax": MinimaxGAN(outputs: outputs)
    case "lsgan": LeastSquaresGAN()
    case "hinge": HingeGAN()
    case "wgan": WassersteinGAN()
    default: NonSaturatingGAN(outputs: outputs)
    }
    let recipe = recipes[preset == "minimal" && !arguments.wasGiven("--recipe") ? "minimal" : arguments.string("--recipe")!]!
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
    if let checkpoint = arguments.url("--resume"), group?.isLeader ?? true { try resume(trainer, from: checkpoint, interface: interface) }
    if let group { trainer.distribute(over: group) }  // rank 0's state goes to every process when training starts
    print(trainer)

    // Run components: progress line, grids, history and plots, checkpoints, metrics, TensorBoard, Ctrl-C.
    let history = HistoryWriter(directory: out, title: "mnist-gan losses")
    let checkpoints = CheckpointWriter(url: out.appendingPathComponent("checkpoint.gankit"),
                                       everySteps: arguments.integer("--checkpoint-every"))
    let interrupts = InterruptHandler(checkpoints: checkpoints)
    trainer.add(ProgressDisplay())
    let grids = SampleGridWriter(directory: out, seed: seed ^ 0xF1ED, pixelRange: pixelRange)
    trainer.add(grids)
    trainer.add(history)
    trainer.add(checkpoints)
    trainer.add(GeneratorFileWriter(url: out.appendingPathComponent("generator.safetensors"), pixelRange: pixelRange))
    if let logs = arguments.url("--tensorboard") {
        trainer.add(TensorBoardLogger(directory: logs, grids: grids, configuration: CommandLine.arguments.joined(separator: " ")))
    }
    if arguments.integer("--eval-every") > 0 {
        let classifier = try MNISTClassifier(contentsOf: URL(fileURLWithPath: bundledClassifierPath))
        let reference = try ImageDataset.mnist(directory: data, split: .test, pixelRange: pixelRange).images
        let evaluator = SampleEvaluator(classifier: classifier, reference: reference, pixelRange: pixelRange)
        trainer.add(SampleQualityMonitor(every: arguments.integer("--eval-every"), sampleCount: arguments.integer("--eval-samples"),
                                         seed: seed, evaluator: evaluator))
    }
    trainer.add(interrupts)

    // Train: shuffled batches, a new order every epoch.
    let start = Date()
    try trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
        BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch, shard: trainer.batchShard)
    }
    if interrupts.isRequested { exit(interrupts.exitStatus) }
    print(String(format: "done in %.1f s; outputs in %@", Date().timeIntervalSince(start), out.path))

    // Samples for gan-eval: from their own noise, in inference mode, with the averaged weights.
    let exportCount = arguments.integer("--export-samples")
    if exportCount > 0 && trainer.isLeader {
        try exportIDX(trainer.generateSamples(count: exportCount, seed: seed ^ 0x5A3B1E).images, pixelRange: pixelRange,
                      to: out.appendingPathComponent("samples.idx"))
        print("wrote \(exportCount) samples to \(out.appendingPathComponent("samples.idx").path)")
    }
}
