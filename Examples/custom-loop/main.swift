// custom-loop: the same GAN as mnist-gan, trained by a hand-written loop
// instead of `Trainer`, to show every step the trainer takes for you:
// zero gradients, forward, loss, backward (with `.skip` through D), update.
// The losses come from the same `GANObjective` the trainer uses, in the form
// that returns a fresh gradient (no buffers to manage).
//
// Run:      swift run -c release custom-loop                 (2 epochs, about 30 s)
//           swift run -c release custom-loop --epochs 10 --out loop-output
// Output:   loop-output/epoch-N.png (64 samples from fixed noise after each epoch)
import ExampleSupport
import Foundation
import GANKit

let interface = CommandLineInterface(
    program: "custom-loop",
    summary: "Train an MLP GAN on MNIST with a hand-written training loop.",
    options: [
        Option("--epochs", "N", kind: .integerIn(1...1_000_000), default: "2", help: "epochs to train"),
        Option("--batch-size", "N", kind: .integerIn(1...65_536), default: "64", help: "images per mini-batch"),
        Option("--seed", "N", kind: .seed, default: "7", help: "seed for weights, noise and shuffling"),
        Option("--data", "DIR", kind: .existingDirectory, default: bundledMNISTDirectory, help: "MNIST-format folder"),
        Option("--out", "DIR", kind: .outputDirectory, default: "loop-output", help: "where the grids go"),
    ])
let arguments = interface.parseOrExit()
print("GANKit backend: \(GANKit.backend)")

// Configuration.
let batchSize = arguments.integer("--batch-size")
let seed = arguments.seed("--seed")
let latentDimension = 100
let out = arguments.url("--out")!

// Data: [60000, 1, 28, 28] in [-1, 1].
let images: Tensor
do {
    images = try ImageDataset.mnist(directory: arguments.url("--data")!, split: .train).images
} catch {
    FileHandle.standardError.write(Data("custom-loop: error: \(error)\n".utf8))
    exit(1)
}
guard Array(images.shape.dropFirst()) == [1, 28, 28], images.shape[0] >= batchSize else {
    FileHandle.standardError.write(Data(("custom-loop: error: need at least \(batchSize) images of 1×28×28, "
        + "found \(images.shape[0]) of \(Array(images.shape.dropFirst()))\n").utf8))
    exit(1)
}

// Models: the tutorial's MLP GAN.
var rng = SeededGenerator(seed: seed)
let (generator, discriminator) = MLPGAN.make(.small, using: &rng)

// Optimizers: Adam(2e-4, β1 0.5) for each network; the objective: BCE on D's logits.
let generatorOptimizer = Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5)
let discriminatorOptimizer = Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5)
let objective = NonSaturatingGAN()

// Loop.
var noiseGenerator = SeededGenerator(seed: seed &+ 1)
let fixedNoise = Tensor.randomNormal([64, latentDimension], using: &noiseGenerator)
for epoch in 0..<arguments.integer("--epochs") {
    var meanD = 0.0, meanG = 0.0, steps = 0
    for real in BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch) {
        let n = real.shape[0]

        // Discriminator: maximise log D(x) + log(1 − D(G(z))), i.e. BCE against
        // labels 1 and 0. Gradients of the real and the fake pass add up in D's parameters.
        discriminatorOptimizer.zeroGradients()
        let (realLoss, realGradient) = objective.discriminatorRealLoss(discriminator(real), realLabel: 1)
        _ = discriminator.backward(realGradient)
        let fake = generator(Tensor.randomNormal([n, latentDimension], using: &noiseGenerator))
        let (fakeLoss, fakeGradient) = objective.discriminatorFakeLoss(discriminator(fake))
        _ = discriminator.backward(fakeGradient)
        discriminatorOptimizer.step()

        // Generator: maximise log D(G(z)) (non-saturating: BCE against label 1).
        // Backpropagate through D with `.skip` (D's gradients are not needed), then
        // through G, whose forward for `fake` is still cached.
        generatorOptimizer.zeroGradients()
        let (generatorLoss, outputGradient) = objective.generatorLoss(discriminator(fake))
        let imageGradient = discriminator.backward(outputGradient, parameterGradients: .skip)
        _ = generator.backward(imageGradient)
        generatorOptimizer.step()

        meanD += Double(realLoss + fakeLoss)
        meanG += Double(generatorLoss)
        steps += 1
    }
    print(String(format: "epoch %d: mean D loss %.4f, mean G loss %.4f", epoch + 1,
                 meanD / Double(steps), meanG / Double(steps)))

    // Samples from the fixed noise, in inference mode.
    generator.isTraining = false
    let grid = out.appendingPathComponent("epoch-\(epoch + 1).png")
    do { try saveImageGrid(generator(fixedNoise), to: grid) } catch {
        FileHandle.standardError.write(Data("custom-loop: error: \(error)\n".utf8))
        exit(1)
    }
    generator.isTraining = true
    print("wrote \(grid.path)")
}
