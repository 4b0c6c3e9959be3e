// mnist-dcgan: the standard 28×28 DCGAN on MNIST (Radford et al. 2015, as in
// the PyTorch and Keras tutorials): ConvTranspose2D + BatchNorm + ReLU in the
// generator, Conv2D + BatchNorm + LeakyReLU(0.2) in the discriminator,
// weights N(0, 0.02), BCE on logits, Adam(2e-4, β1 0.5), batch 64.
//
// Run:      swift run -c release mnist-dcgan           (defaults: 10 epochs, about 17 minutes on 2 cores)
//           swift run -c release mnist-dcgan --epochs 10 --out dcgan-10
//           swift run -c release mnist-dcgan --resume dcgan-output/checkpoint.gankit --epochs 12
// Output:   dcgan-output/samples/epoch-NNN.png   the same 64 noise vectors after every epoch
//           dcgan-output/samples.png, losses.png, history.csv (one row per step),
//           checkpoint.gankit (after every epoch), samples.idx (--export-samples N)
import ExampleSupport
import GANKit

// --recipe improved (the default) trains with Adam at 6e-4 and an R1 penalty (γ 1) on D,
// plus EMA and label smoothing: measured best in Docs/Evaluation.md.
let defaults = GANExampleDefaults(epochs: 10, outputDirectory: "dcgan-output",
                                  improvedRecipe: .improved(learningRate: 6e-4, r1Gamma: 1))
let interface = CommandLineInterface(
    program: "mnist-dcgan",
    summary: "Train the standard DCGAN on MNIST (or any 28×28 IDX image set) and save sample grids.",
    options: commonGANOptions(defaults) + [
        Option("--base-width", "N", kind: .integerIn(1...1_024), default: "64",
               help: "channels of the largest feature map (64: G 128→64→1, D 1→64→128)"),
    ])
let arguments = interface.parseOrExit()
let run = GANExampleRun(program: interface.program, arguments: arguments, improvedRecipe: defaults.improvedRecipe)
print("GANKit backend: \(GANKit.backend)")

// Data: [N, 1, 28, 28] in [-1, 1].
let images = run.loadTrainingImages()
guard images.shape[2] == images.shape[3], images.shape[2] % 4 == 0 else {
    run.fail("the DCGAN needs square images with a side divisible by 4, got \(Array(images.shape.dropFirst()))")
}

// Models.
var configuration = DCGAN.Configuration.mnist
configuration.latentDimension = arguments.integer("--latent-dim")
configuration.imageSize = images.shape[2]
configuration.channels = images.shape[1]
configuration.baseWidth = arguments.integer("--base-width")
run.applyStabilizers(to: &configuration)
var rng = SeededGenerator(seed: arguments.seed("--seed"))
let (generator, discriminator) = DCGAN.make(configuration, using: &rng)
print("generator:\n\(generator)\ndiscriminator:\n\(discriminator)")

// Trainer: the --loss objective and Adam (--lr, --beta1/--beta2, --lr-schedule) for both
// networks; run.train applies the recipe, --critic-steps, --gradient-penalty and --r1.
let trainer = run.makeTrainer(generator: generator, discriminator: discriminator,
                              latentDimension: configuration.latentDimension, images: images)

// Loop, grids, checkpoints, history, plot, samples.
run.train(trainer, images: images)
