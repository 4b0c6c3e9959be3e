import Foundation
import Testing
import GANKit  // public API only, as a user would write it

// DOC-BEGIN
/// Scores a trainer's samples against MNIST test with the bundled classifier.
func scoreSamples(of trainer: Trainer, mnist: URL, classifier checkpoint: URL) throws -> EvaluationReport {
    let classifier = try MNISTClassifier(contentsOf: checkpoint)
    let reference = try ImageDataset.mnist(directory: mnist, split: .test).images   // [10000, 1, 28, 28]
    let evaluator = SampleEvaluator(classifier: classifier, reference: reference)  // reference features once
    var rng = SeededGenerator(seed: 7)
    let samples = trainer.sample(noise: Tensor.randomNormal([2000, trainer.latentDimension], using: &rng))
    let report = evaluator.evaluate(samples)
    print(report.summary)        // or report.json
    return report                // report.frechetDistance, .classifierScore, .precision, .recall, …
}
// DOC-END

@Suite struct EvaluationDocTests {
    @Test func docShowsThisCode() throws {
        try expectDocument("Docs/Evaluation.md", containsSnippetOf: #filePath)
    }
}
