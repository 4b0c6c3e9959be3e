// mnist-gan: the classic fully connected GAN on MNIST, as in the PyTorch and
// Keras tutorials: Dense + LeakyReLU(0.2), tanh output, BCE on logits,
// Adam(2e-4, β1 0.5), batch 64.
//
// Run:      swift run -c release mnist-gan            (defaults; --help lists every flag)
//           swift run -c release mnist-gan --preset keras --epochs 50 --out keras-output
//           swift run -c release mnist-gan --resume gan-output/checkpoint.gankit --epochs 40
// Output:   gan-output/samples/epoch-NNN.png   the same 64 noise vectors after every epoch
//           gan-output/samples.png, losses.png, history.csv (one row per step),
//           checkpoint.gankit (after every epoch), samples.idx (--export-samples N)
import ExampleSupport
import GANKit

// --recipe improved (the default) trains the MLP GAN with Adam at 6e-4 and an R1 penalty (γ 1)
// on D, plus EMA and label smoothing: measured best in Docs/Evaluation.md.
let defaults = GANExampleDefaults(epochs: 30, outputDirectory: "gan-output",
                                  improvedRecipe: .improved(learningRate: 6e-4, r1Gamma: 1))
let interface = CommandLineInterface(
    program: "mnist-gan",
    summary: "Train a fully connected GAN on MNIST (or any IDX image set) and save sample grids.",
    options: commonGANOptions(defaults) + [
        Option("--preset", "NAME", kind: .choice(["small", "keras"]), default: "small",
               help: "small: G 100-256-512-784; keras: G 100-256-512-1024-784, D with Dropout(0.4)"),
    ])
let arguments = interface.parseOrExit()
let run = GANExampleRun(program: interface.program, arguments: arguments,
                        improvedRecipe: defaults.improvedRecipe)
print("GANKit backend: \(GANKit.backend)")

// Data: [N, 1, 28, 28] in [-1, 1].
let images = run.loadTrainingImages()

// Models.
var configuration: MLPGAN.Configuration = arguments.string("--preset") == "keras" ? .keras : .small
configuration.latentDimension = arguments.integer("--latent-dim")
configuration.imageShape = Array(images.shape.dropFirst())
run.applyStabilizers(to: &configuration)
var rng = SeededGenerator(seed: arguments.seed("--seed"))
let (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
print("generator:\n\(generator)\ndiscriminator:\n\(discriminator)")

// Trainer: the --loss objective and Adam (--lr, --beta1/--beta2, --lr-schedule) for both
// networks; run.train applies the recipe, --critic-steps, --gradient-penalty and --r1.
let trainer = run.makeTrainer(generator: generator, discriminator: discriminator,
                              latentDimension: configuration.latentDimension, images: images)

// Loop, grids, checkpoints, history, plot, samples.
run.train(trainer, images: images)
