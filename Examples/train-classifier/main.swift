// train-classifier: trains the MNIST digit classifier whose penultimate
// features the sample-quality metrics use (GANKit.MNISTClassifier: three
// convolutions, a 128-unit feature layer, softmax cross-entropy, Adam).
// With the defaults it reproduces the bundled weights,
// Examples/Data/Classifier/mnist-classifier.gankit (same backend, same
// thread count: BLAS libraries may sum in a different order on other setups).
//
// Run:      swift run -c release train-classifier                (4 epochs, ~13 min on 2 busy cores)
//           swift run -c release train-classifier --out Examples/Data/Classifier   (replace the bundled weights)
// Output:   classifier-output/mnist-classifier.gankit, test accuracy after every epoch (99.27 % at the end)
import ExampleSupport
import Foundation
import GANKit

let interface = CommandLineInterface(
    program: "train-classifier",
    summary: "Train the MNIST classifier used by gan-eval and the --eval-every metrics.",
    options: [
        Option("--epochs", "N", kind: .positiveInteger, default: "4", help: "epochs over the 60 000 training images"),
        Option("--batch-size", "N", kind: .positiveInteger, default: "64", help: "images per mini-batch"),
        Option("--lr", "RATE", kind: .positiveNumber, default: "0.001",
               help: "Adam learning rate of the first two epochs; halved after every later epoch"),
        Option("--seed", "N", kind: .seed, default: "7", help: "seed for weights, dropout and shuffling"),
        Option("--data", "DIR", kind: .existingDirectory, default: bundledMNISTDirectory,
               help: "folder with the MNIST train and t10k files"),
        Option("--out", "DIR", kind: .outputDirectory, default: "classifier-output",
               help: "folder to write mnist-classifier.gankit into"),
    ])
let arguments = interface.parseOrExit()
print("GANKit backend: \(GANKit.backend)")

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("train-classifier: error: \(message)\n".utf8))
    exit(1)
}

// Data: [N, 1, 28, 28] in [-1, 1] with labels.
let directory = arguments.url("--data")!
let train: ImageDataset, test: ImageDataset
do {
    train = try ImageDataset.mnist(directory: directory, split: .train)
    test = try ImageDataset.mnist(directory: directory, split: .test)
} catch {
    fail("\(error)")
}
guard let trainLabels = train.labels, let testLabels = test.labels else {
    fail("the data folder needs the label files (train-labels-idx1-ubyte, t10k-labels-idx1-ubyte)")
}
print("data: \(train.count) training and \(test.count) test images")

// Model, loss, optimizer.
let seed = arguments.seed("--seed")
var rng = SeededGenerator(seed: seed)
let classifier = MNISTClassifier(using: &rng)
print(classifier.network)
let loss = SoftmaxCrossEntropy()
var lossGradient = TensorBuffer()
let optimizer = Adam(parameters: classifier.network.parameters, learningRate: Float(arguments.number("--lr")))

// Loop.
let epochs = arguments.integer("--epochs"), batchSize = arguments.integer("--batch-size")
let start = Date()
for epoch in 0..<epochs {
    optimizer.learningRate = Float(arguments.number("--lr") / Double(1 << max(0, epoch - 1)))
    classifier.network.isTraining = true
    let batches = BatchSequence(train.images, batchSize: batchSize, seed: seed, epoch: epoch)
    var lossSum = 0.0, correct = 0, seen = 0
    for (index, images) in batches.enumerated() {
        let labels = batches.indices(ofBatch: index).map { trainLabels[$0] }
        optimizer.zeroGradients()
        let logits = classifier.network.forward(images)
        let (value, gradient) = loss.evaluate(logits, labels: labels, gradient: &lossGradient)
        _ = classifier.network.backward(gradient)
        optimizer.step()
        lossSum += Double(value)
        correct += zip(ClassHistogram.argMax(logits), labels).filter { $0 == $1 }.count
        seen += labels.count
        if (index + 1) % 200 == 0 || index + 1 == batches.batchCount {
            print(String(format: "epoch %d/%d  batch %4d/%d  loss %.4f  train accuracy %.2f %%  %.0f s",
                         epoch + 1, epochs, index + 1, batches.batchCount, lossSum / Double(index + 1),
                         100 * Double(correct) / Double(seen), Date().timeIntervalSince(start)))
            fflush(nil)  // redirected output is block-buffered
        }
    }
    let accuracy = classifier.accuracy(images: test.images, labels: testLabels)
    print(String(format: "epoch %d: test accuracy %.2f %% (lr %g)", epoch + 1, 100 * accuracy,
                 Double(optimizer.learningRate)))
    fflush(nil)
}

// Save.
let url = arguments.url("--out")!.appendingPathComponent("mnist-classifier.gankit")
do {
    try classifier.makeCheckpoint().write(to: url)
} catch {
    fail("\(error)")
}
print(String(format: "wrote %@ in %.0f s", url.path, Date().timeIntervalSince(start)))
