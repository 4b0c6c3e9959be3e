// gan-eval: scores generated MNIST digits with the bundled classifier —
// Fréchet classifier distance, classifier score, precision and recall (k = 3),
// class histogram, classes covered and class entropy — against the MNIST test
// (default) or training set. Reads IDX3 files, the format that
// `mnist-gan --export-samples N` and `mnist-dcgan --export-samples N` write.
//
// Run:      swift run -c release gan-eval gan-output/samples.idx
//           swift run -c release gan-eval cgan-output/samples.idx --labels cgan-output/samples-labels.idx
//           swift run -c release gan-eval a.idx b.idx --reference train --json
//           swift run -c release gan-eval --write-baselines baselines   (real, noise, collapsed… sets for a scale)
// Output:   one table per file (or one JSON object per line with --json); ~10 s for 10 000 samples
import ExampleSupport
import Foundation
import GANKit

let interface = CommandLineInterface(
    program: "gan-eval",
    summary: "Score IDX3 files of generated 28×28 digits against MNIST (usage: gan-eval FILE.idx… [options]).",
    options: [
        Option("--reference", "SET", kind: .choice(["test", "train"]), default: "test",
               help: "real images to compare with: MNIST test (10 000) or train (60 000)"),
        Option("--json", kind: .flag, help: "print one JSON object per file instead of a table"),
        Option("--classifier", "FILE", kind: .existingFile,
               help: "classifier checkpoint written by train-classifier (default: the bundled one)"),
        Option("--data", "DIR", kind: .existingDirectory, default: bundledMNISTDirectory,
               help: "folder with the MNIST files"),
        Option("--labels", "FILE", kind: .existingFile,
               help: "IDX1 file of the class each sample was asked to be (mnist-cgan's samples-labels.idx): "
                   + "also print the fraction classified as asked, per class (one sample file only)"),
        Option("--write-baselines", "DIR", kind: .outputDirectory,
               help: "write reference sample sets (real, noisy, collapsed, …) as IDX files into DIR and exit"),
    ])

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("gan-eval: error: \(message)\n".utf8))
    exit(1)
}

// Positional file names are the arguments that are neither options nor option values.
var files: [String] = []
var optionArguments: [String] = []
var expectsValue = false
for argument in CommandLine.arguments.dropFirst() {
    if expectsValue {
        optionArguments.append(argument)
        expectsValue = false
    } else if argument.hasPrefix("-") {
        optionArguments.append(argument)
        let name = String(argument.prefix { $0 != "=" })
        if let option = interface.options.first(where: { $0.name == name }), !argument.contains("=") {
            if case .flag = option.kind {} else { expectsValue = true }
        }
    } else {
        files.append(argument)
    }
}
let arguments = interface.parseOrExit(optionArguments)
let directory = arguments.url("--data")!

func loadMNIST(_ split: ImageDataset.Split) -> ImageDataset {
    do { return try ImageDataset.mnist(directory: directory, split: split) } catch { fail("\(error)") }
}

if let baselines = arguments.url("--write-baselines") {
    do {
        for (name, images) in makeBaselines(train: loadMNIST(.train)) {
            let url = baselines.appendingPathComponent(name + ".idx")
            try exportIDX(images, to: url)
            print("wrote \(url.path) (\(images.shape[0]) images)")
        }
    } catch {
        fail("\(error)")
    }
    exit(0)
}
guard !files.isEmpty else { fail("no sample file given (usage: gan-eval FILE.idx… [options]; see --help)") }

// Read every file first, so a bad one fails before the reference features are computed.
let sampleSets: [Tensor] = files.map { file in
    let samples: Tensor
    do {
        samples = try ImageDataset.loadIDX(images: URL(fileURLWithPath: file), labels: nil).images
    } catch {
        fail("\(error)")
    }
    guard Array(samples.shape.dropFirst()) == [1, 28, 28], samples.shape[0] > 3 else {
        fail("\(file): expected more than 3 images of 28×28, found \(Array(samples.shape))")
    }
    return samples
}

// The requested classes of a conditional GAN's samples, checked against the one sample file.
var requestedLabels: [Int]?
if let labelsURL = arguments.url("--labels") {
    guard files.count == 1 else { fail("--labels goes with exactly one sample file, got \(files.count)") }
    do {
        let file = try IDXFile.read(contentsOf: labelsURL)
        guard file.dimensions.count == 1, file.dimensions[0] == sampleSets[0].shape[0] else {
            fail("\(labelsURL.path): expected \(sampleSets[0].shape[0]) labels (IDX1), found dimensions \(file.dimensions)")
        }
        if let bad = file.bytes.firstIndex(where: { $0 >= MNISTClassifier.classCount }) {
            fail("\(labelsURL.path): label \(bad) is \(file.bytes[bad]), expected 0–\(MNISTClassifier.classCount - 1)")
        }
        requestedLabels = file.bytes.map(Int.init)
    } catch {
        fail("\(error)")
    }
}

let start = Date()
let classifier: MNISTClassifier
do {
    classifier = try MNISTClassifier(contentsOf: arguments.url("--classifier") ?? URL(fileURLWithPath: bundledClassifierPath))
} catch {
    fail("\(error)")
}
let referenceName = arguments.string("--reference")!
let reference = loadMNIST(referenceName == "train" ? .train : .test).images
let evaluator = SampleEvaluator(classifier: classifier, reference: reference)
let json = arguments.flag("--json")
if !json {
    print("GANKit backend: \(GANKit.backend)")
    print(String(format: "reference: MNIST %@ (%d images), features in %.1f s", referenceName, reference.shape[0],
                 Date().timeIntervalSince(start)))
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.withoutEscapingSlashes]
for (file, samples) in zip(files, sampleSets) {
    let report = evaluator.evaluate(samples)
    let conditional = requestedLabels.map { ConditionalAccuracy(classifier: classifier, samples: samples, requested: $0) }
    if json {
        let fileField = String(decoding: try! encoder.encode(file), as: UTF8.self)
        let reference = String(decoding: try! encoder.encode(referenceName), as: UTF8.self)
        let accuracy = conditional.map { String(format: "\"conditional_accuracy\":%.6f,", $0.overall) } ?? ""
        print("{\"file\":\(fileField),\"reference\":\(reference),\(accuracy)" + report.json.dropFirst())
    } else {
        print("\n\(file)\n\(report.summary)")
        if let conditional { print(conditional.summary) }
    }
}
