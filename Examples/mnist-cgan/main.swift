// mnist-cgan: a class-conditional GAN on MNIST (Mirza & Osindero 2014): G gets the digit as a learned
// 10-dimensional embedding appended to the noise; D projects its last features onto a learned vector of
// the digit (Miyato & Koyama 2018; `--conditioning concat` appends the label to the image instead). The
// small MLP GAN (`--model dcgan`: the 28×28 DCGAN), BCE on logits, batch 64, 30 epochs. The default
// `--recipe tutorial` trains with Adam(2e-4, β1 0.5, β2 0.999), no penalty, no EMA, real label 1;
// `--recipe improved` uses Adam 4e-4, an EMA (0.999) of G's weights and real label 0.9.
//
// Run:      swift run -c release mnist-cgan --export-samples 1000      (--help lists every flag)
//           swift run -c release gan-eval cgan-output/samples.idx --labels cgan-output/samples-labels.idx
//           swift run -c release mnist-cgan --model dcgan --epochs 5 --out cgan-dcgan --tensorboard runs/cgan-dcgan
// Output:   cgan-output/samples/epoch-NNN.png (one row per digit, the same noise down each column), samples.png,
//           losses.png, history.csv, checkpoint.gankit, samples.idx + samples-labels.idx (--export-samples N),
//           generator.safetensors (at the end; gan-sample --generator cgan-output/generator.safetensors --class 3)
import ExampleSupport
import Foundation
import GANKit

let recipes = [
    "improved": Recipe(learningRate: 4e-4, emaDecay: 0.999, realLabel: 0.9),
    "tutorial": Recipe(learningRate: 2e-4),
]
let interface = CommandLineInterface(
    program: "mnist-cgan",
    summary: "Train a class-conditional GAN on MNIST (or any labelled IDX image set) and save one grid row per class.",
    options: runOptions(epochs: 30, output: "cgan-output") + trainingOptions(recipes: recipes, defaultRecipe: "tutorial")
        + evaluationOptions + [
            Option("--model", "NAME", kind: .choice(["mlp", "dcgan"]), default: "mlp",
                   help: "mlp: the small MLP GAN; dcgan: the standard 28×28 DCGAN"),
            Option("--base-width", "N", kind: .integerIn(1...1_024), default: "64",
                   help: "with --model dcgan: channels of the largest feature map"),
            Option("--conditioning", "HOW", kind: .choice(["projection", "concat"]), default: "projection",
                   help: "how D sees the label: projection of its last features, or concat (appended to the image)"),
            Option("--classes", "N", kind: .integerIn(2...256), default: "10", help: "number of classes in the labels"),
            Option("--embedding-dim", "N", kind: .integerIn(1...1_024), default: "10",
                   help: "length of the learned class vector given to both networks"),
        ])
let arguments = interface.parseOrExit()

interface.exitOnError {
    print("GANKit backend: \(GANKit.backend)")
    let seed = arguments.seed("--seed"), batchSize = arguments.integer("--batch-size"), epochs = arguments.integer("--epochs")
    let out = arguments.url("--out")!, data = arguments.url("--data")!

    // Data: MNIST's training images [N, 1, 28, 28] in [-1, 1] and their digits [N].
    let dataset = try ImageDataset.mnist(directory: data, split: .train)
    guard let allLabels = dataset.labels else { interface.fail("no train-labels-idx1-ubyte[.gz] in \(data.path): a conditional GAN needs them") }
    let count = min(arguments.optionalInteger("--limit") ?? .max, dataset.count)
    let images = dataset.images.slice(0..<count), labels = Tensor(classIndices: allLabels.prefix(count))
    print("data: \(count) images \(Array(images.shape.dropFirst())) with labels from \(data.path)")
    let conditioning = ClassConditioning(classCount: arguments.integer("--classes"), embeddingDimension: arguments.integer("--embedding-dim"),
                                         discriminator: arguments.string("--conditioning") == "projection" ? .projection : .concatenation)
    if let largest = allLabels.prefix(count).max(), largest >= conditioning.classCount {
        interface.fail("the labels go up to \(largest), but --classes is \(conditioning.classCount)")
    }
    guard images.shape[0] >= batchSize else { interface.fail("--batch-size \(batchSize) exceeds the \(images.shape[0]) images") }
    let batchesPerEpoch = images.shape[0] / batchSize

    // Models: the MLP GAN or the DCGAN, both networks conditioned on the class.
    var rng = SeededGenerator(seed: seed)
    let latentDimension = arguments.integer("--latent-dim")
    let (spectralNorm, minibatchStdDev) = (arguments.flag("--spectral-norm"), arguments.flag("--minibatch-stddev"))
    let (generator, discriminator) = arguments.string("--model") == "dcgan"
        ? DCGAN.make(DCGAN.Configuration(latentDimension: latentDimension, imageSize: images.shape[2], channels: images.shape[1],
                                         baseWidth: arguments.integer("--base-width"), spectralNorm: spectralNorm,
                                         minibatchStdDev: minibatchStdDev, conditioning: conditioning), using: &rng)
        : MLPGAN.make(MLPGAN.Configuration(latentDimension: latentDimension, imageShape: Array(images.shape.dropFirst()),
                                           spectralNorm: spectralNorm, minibatchStdDev: minibatchStdDev,
                                           conditioning: conditioning), using: &rng)
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
                          latentDimension: latentDimension, seed: seed &+ 1)
    trainer.gradientPenalty = penalty
    trainer.discriminatorSteps = arguments.integer("--critic-steps")
    trainer.realLabel = Float(arguments.optionalNumber("--real-label") ?? recipe.realLabel)
    trainer.gradientClipNorm = arguments.optionalNumber("--clip-grad-norm").map { Float($0) }
    let emaDecay = arguments.optionalNumber("--ema-decay") ?? recipe.emaDecay
    if emaDecay > 0 { trainer.generatorAverage = ExponentialMovingAverage(parameters: generator.parameters, decay: Float(emaDecay)) }
    if let checkpoint = arguments.url("--resume") { try resume(trainer, from: checkpoint, interface: interface) }
    print(trainer)

    // Run components: progress line, grids, history and plots, checkpoints, metrics, TensorBoard, Ctrl-C.
    let history = HistoryWriter(directory: out, title: "mnist-cgan losses")
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

    // Train: shuffled batches of images with their labels (the same seed gives both the same order).
    let start = Date()
    try trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch, labeledBatches: { epoch in
        zip(BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch),
            BatchSequence(labels, batchSize: batchSize, seed: seed, epoch: epoch))
    })
    if interrupts.isRequested { exit(interrupts.exitStatus) }
    print(String(format: "done in %.1f s; outputs in %@", Date().timeIntervalSince(start), out.path))

    // Samples for gan-eval, classes 0, 1, …, 9, 0, 1, …, and the class each was asked to be.
    let exportCount = arguments.integer("--export-samples")
    if exportCount > 0 {
        let samples = trainer.generateSamples(count: exportCount, seed: seed ^ 0x5A3B1E)
        try exportIDX(samples.images, to: out.appendingPathComponent("samples.idx"))
        try exportLabelsIDX(samples.labels!, to: out.appendingPathComponent("samples-labels.idx"))
        print("wrote \(exportCount) samples and their classes to \(out.path)/samples.idx, samples-labels.idx")
    }
}
