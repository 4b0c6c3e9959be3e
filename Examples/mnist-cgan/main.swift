// mnist-cgan: a class-conditional GAN on MNIST (Mirza & Osindero 2014): the
// generator gets the digit as a learned 10-dimensional embedding appended to
// the noise; the discriminator projects its last features onto a learned vector
// of the digit (Miyato & Koyama 2018; --conditioning concat appends the label to
// the image instead). Everything else is the tutorial setup of mnist-gan /
// mnist-dcgan, and every flag of theirs works.
//
// Run:      swift run -c release mnist-cgan                         (MLP, 30 epochs)
//           swift run -c release mnist-cgan --model dcgan --epochs 5 --out cgan-dcgan
//           swift run -c release gan-eval cgan-output/samples.idx --labels cgan-output/samples-labels.idx
// Output:   cgan-output/samples/epoch-NNN.png   one row per digit 0–9, the same noise down each column
//           cgan-output/samples.png, losses.png, history.csv, checkpoint.gankit,
//           samples.idx + samples-labels.idx (--export-samples N: N/10 of each digit, and the digit asked for)
import ExampleSupport
import GANKit

let interface = CommandLineInterface(
    program: "mnist-cgan",
    summary: "Train a class-conditional GAN on MNIST (or any labelled IDX image set) and save one grid row per class.",
    options: commonGANOptions(GANExampleDefaults(epochs: 30, outputDirectory: "cgan-output", recipe: "tutorial")) + [
        Option("--model", "NAME", kind: .choice(["mlp", "dcgan"]), default: "mlp",
               help: "mlp: the small MLP GAN; dcgan: the standard 28×28 DCGAN"),
        Option("--base-width", "N", kind: .integerIn(1...1_024), default: "64",
               help: "with --model dcgan: channels of the largest feature map"),
        Option("--conditioning", "HOW", kind: .choice(["projection", "concat"]), default: "projection",
               help: "how D sees the label: projection of its last features (Miyato & Koyama 2018) or concat "
                   + "(appended to the image, Mirza & Osindero 2014)"),
        Option("--classes", "N", kind: .integerIn(2...256), default: "10", help: "number of classes in the labels"),
        Option("--embedding-dim", "N", kind: .integerIn(1...1_024), default: "10",
               help: "length of the learned class vector given to both networks"),
    ])
let arguments = interface.parseOrExit()
let run = GANExampleRun(program: interface.program, arguments: arguments)
print("GANKit backend: \(GANKit.backend)")

// Data: images [N, 1, 28, 28] in [-1, 1] and labels [N].
let (images, loadedLabels) = run.loadTrainingSet(requireLabels: true)
let labels = loadedLabels!
let conditioning = ClassConditioning(
    classCount: arguments.integer("--classes"), embeddingDimension: arguments.integer("--embedding-dim"),
    discriminator: arguments.string("--conditioning") == "projection" ? .projection : .concatenation)
if let largest = labels.scalars.max(), Int(largest) >= conditioning.classCount {
    run.fail("the labels go up to \(Int(largest)), but --classes is \(conditioning.classCount)")
}

// Models.
var rng = SeededGenerator(seed: arguments.seed("--seed"))
let generator: Sequential, discriminator: Sequential
if arguments.string("--model") == "dcgan" {
    var configuration = DCGAN.Configuration.mnist
    configuration.latentDimension = arguments.integer("--latent-dim")
    configuration.imageSize = images.shape[2]
    configuration.channels = images.shape[1]
    configuration.baseWidth = arguments.integer("--base-width")
    configuration.conditioning = conditioning
    run.applyStabilizers(to: &configuration)
    (generator, discriminator) = DCGAN.make(configuration, using: &rng)
} else {
    var configuration = MLPGAN.Configuration.small
    configuration.latentDimension = arguments.integer("--latent-dim")
    configuration.imageShape = Array(images.shape.dropFirst())
    configuration.conditioning = conditioning
    run.applyStabilizers(to: &configuration)
    (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
}
print("generator:\n\(generator)\ndiscriminator:\n\(discriminator)")

// Trainer (as in mnist-gan): it sees the class-conditioned layers and
// asks for labelled batches; fakes are generated for the classes of each real batch.
let trainer = run.makeTrainer(generator: generator, discriminator: discriminator,
                              latentDimension: arguments.integer("--latent-dim"), images: images)

// Loop, grids (one row per class), checkpoints, history, plot, samples and their labels.
run.train(trainer, images: images, labels: labels)
