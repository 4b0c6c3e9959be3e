// cifar-dcgan: the DCGAN at 32×32 RGB (DCGAN.Configuration.rgb32: 4×4×256 →
// 8×8×128 → 16×16×64 → 32×32×3) on CIFAR-10 or any folder of PNG images, with
// the same training setup, flags and outputs as mnist-dcgan.
//
// Data:     --data is required (colour data cannot be bundled): either the
//           CIFAR-10 binary files (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz,
//           extracted as cifar-10-batches-bin/), or a folder of .png images (any
//           size, centre-cropped and resized to 32×32; class subfolders allowed).
// Run:      swift run -c release cifar-dcgan --data path/to/cifar-10-batches-bin
//           swift run -c release cifar-dcgan --data my-photos --epochs 50 --out photos-gan
// Output:   cifar-dcgan-output/samples/epoch-NNN.png   colour grids of the same 64 noise vectors
//           cifar-dcgan-output/samples.png, losses.png, history.csv, checkpoint.gankit,
//           samples.idx (--export-samples N: 4-dim IDX [N, 3, 32, 32] bytes)
// See Docs/ColourImages.md.
import ExampleSupport
import GANKit

let interface = CommandLineInterface(
    program: "cifar-dcgan",
    summary: "Train a 32×32 RGB DCGAN on CIFAR-10 (binary version) or a folder of PNG images and save colour sample grids.",
    options: colourGANOptions(GANExampleDefaults(epochs: 5, outputDirectory: "cifar-dcgan-output", recipe: "tutorial")) + [
        Option("--base-width", "N", kind: .integerIn(1...1_024), default: "64",
               help: "channels of the largest feature map (64: G 256→128→64→3, D 3→64→128→256)"),
    ])
let arguments = interface.parseOrExit()
let run = GANExampleRun(program: interface.program, arguments: arguments)
print("GANKit backend: \(GANKit.backend)")

// Models.
var configuration = DCGAN.Configuration.rgb32
configuration.latentDimension = arguments.integer("--latent-dim")
configuration.baseWidth = arguments.integer("--base-width")
run.applyStabilizers(to: &configuration)

// Data: [N, 3, 32, 32] in [-1, 1].
let images = run.loadColourTrainingImages(side: configuration.imageSize)

var rng = SeededGenerator(seed: arguments.seed("--seed"))
let (generator, discriminator) = DCGAN.make(configuration, using: &rng)
print("generator:\n\(generator)\ndiscriminator:\n\(discriminator)")

// Trainer: the --loss objective and Adam (--lr, --beta1/--beta2, --lr-schedule) for both
// networks; run.train applies the recipe, --critic-steps, --gradient-penalty and --r1.
let trainer = run.makeTrainer(generator: generator, discriminator: discriminator,
                              latentDimension: configuration.latentDimension, images: images)

// Loop, colour grids, checkpoints, history, plot, samples.
run.train(trainer, images: images)
