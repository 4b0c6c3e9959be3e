// mnist-dcgan: the standard 28×28 DCGAN on MNIST (Radford et al. 2015, as in the
// PyTorch and Keras tutorials): ConvTranspose2D + BatchNorm + ReLU in the generator,
// Conv2D + BatchNorm + LeakyReLU(0.2) in the discriminator, weights N(0, 0.02), BCE
// on logits (`--loss ns`), batch 64, 10 epochs (about 12 minutes on 2 cores). The
// default `--recipe improved` trains both networks with Adam(6e-4, β1 0.5, β2 0.999)
// and an R1 penalty (γ 1) on every 4th D update, samples from an EMA (0.999) of G's weights and smooths
// the real label to 0.9: measured best in Docs/Evaluation.md. `--recipe tutorial` is
// the plain tutorial setup: Adam(2e-4, β1 0.5), no penalty, no EMA, real label 1.
//
// Run:      swift run -c release mnist-dcgan            (--help lists every flag)
//           swift run -c release mnist-dcgan --resume dcgan-output/checkpoint.gankit --epochs 12
//           mpirun -np 2 .build/release/mnist-dcgan   (data-parallel: Docs/Distributed.md)
// Output:   dcgan-output/samples/epoch-NNN.png   the same 64 noise vectors after every epoch
//           dcgan-output/samples.png, losses.png, history.csv (one row per step),
//           checkpoint.gankit (every epoch and 500 steps), samples.idx (--export-samples N),
//           generator.safetensors (at the end; sample with gan-sample, load in PyTorch: Docs/UsingAModel.md)
import ExampleSupport
import Foundation
import GANKit

let recipes = [
    "improved": Recipe(learningRate: 6e-4, r1Gamma: 1, penaltyInterval: 4, emaDecay: 0.999, realLabel: 0.9),
    "tutorial": Recipe(learningRate: 2e-4),
]
let interface = CommandLineInterface(
    program: "mnist-dcgan",
    summary: "Train the standard DCGAN on MNIST (or any square IDX image set) and save sample grids.",
    options: runOptions(epochs: 10, output: "dcgan-output") + trainingOptions(recipes: recipes, defaultRecipe: "improved")
        + evaluationOptions + [
            Option("--base-width", "N", kind: .integerIn(1...1_024), default: "64",
                   help: "channels of the largest feature map (64: G 128→64→1, D 1→64→128)"),
        ])
let arguments = interface.parseOrExit()

interface.exitOnError {
    let seed = arguments.seed("--seed"), batchSize = arguments.integer("--batch-size"), epochs = arguments.integer("--epochs")
    let group = joinLaunchedJob(interface, globalBatch: batchSize)  // data-parallel under mpirun: Docs/Distributed.md
    print("GANKit backend: \(GANKit.backend)")
    let out = arguments.url("--out")!

    // Data: MNIST's training images [N, 1, 28, 28] as bytes, each batch converted to [-1, 1].
    let data = arguments.url("--data")!
    var images = try ImageBytes.mnist(directory: data, split: .train)
    images = images.slice(0..<min(arguments.optionalInteger("--limit") ?? .max, images.shape[0]))
    print("data: \(images.shape[0]) images \(Array(images.shape.dropFirst())) from \(data.path)")
    guard images.shape[0] >= batchSize else { interface.fail("--batch-size \(batchSize) exceeds the \(images.shape[0]) images") }
    let batchesPerEpoch = images.shape[0] / batchSize

    // Models: the DCGAN pair for these images, optionally with D's stabilizers.
    guard images.shape[2] == images.shape[3], images.shape[2] % 4 == 0 else {
        interface.fail("the DCGAN needs square images with a side divisible by 4, got \(Array(images.shape.dropFirst()))")
    }
    var configuration = DCGAN.Configuration.mnist
    configuration.latentDimension = arguments.integer("--latent-dim")
    configuration.imageSize = images.shape[2]
    configuration.channels = images.shape[1]
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
    if let checkpoint = arguments.url("--resume"), group?.isLeader ?? true { try resume(trainer, from: checkpoint, interface: interface) }
    if let group { trainer.distribute(over: group) }  // rank 0's state goes to every process when training starts
    print(trainer)

    // Run components: progress line, grids, history and plots, checkpoints, metrics, TensorBoard, Ctrl-C.
    let history = HistoryWriter(directory: out, title: "mnist-dcgan losses")
    let checkpoints = CheckpointWriter(url: out.appendingPathComponent("checkpoint.gankit"),
                                       everySteps: arguments.integer("--checkpoint-every"))
    let interrupts = InterruptHandler(checkpoints: checkpoints)
    trainer.add(ProgressDisplay())
    let grids = SampleGridWriter(directory: out, seed: seed ^ 0xF1ED)
    trainer.add(grids)
    trainer.add(history)
    trainer.add(checkpoints)
    trainer.add(GeneratorFileWriter(url: out.appendingPathComponent("generator.safetensors")))
    if let logs = arguments.url("--tensorboard") {
        trainer.add(TensorBoardLogger(directory: logs, grids: grids, configuration: CommandLine.arguments.joined(separator: " ")))
    }
    if arguments.integer("--eval-every") > 0 {
        let classifier = try MNISTClassifier(contentsOf: URL(fileURLWithPath: bundledClassifierPath))
        let evaluator = SampleEvaluator(classifier: classifier, reference: try ImageDataset.mnist(directory: data, split: .test).images)
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
        try exportIDX(trainer.generateSamples(count: exportCount, seed: seed ^ 0x5A3B1E).images, to: out.appendingPathComponent("samples.idx"))
        print("wrote \(exportCount) samples to \(out.appendingPathComponent("samples.idx").path)")
    }
}
