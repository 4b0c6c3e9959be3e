import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Runs the code of Docs/CustomLayers.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct CustomLayersDocTests {
    @Test func documentedLayerPassesTheDocumentedGradientCheck() throws {
        try checkLearnableSwishGradients()  // stops the process if the check fails
        let layer = LearnableSwish(features: 3)
        #expect(layer(Tensor(shape: [2, 3], values: [0, 1, -1, 2, -2, 3])).shape == [2, 3])
    }

    /// The page says its layer is the example's, verbatim: each top-level declaration
    /// of its first block appears in the example as is.
    @Test func documentShowsTheExamplesLayer() throws {
        let example = try String(contentsOf: DocumentSnippets.root.appendingPathComponent(
            "Examples/custom-layer/main.swift"), encoding: .utf8)
        let block = try #require(try DocumentSnippets.blocks(of: "Docs/CustomLayers.md").first)
        for declaration in Self.topLevelDeclarations(block.text) {
            #expect(example.contains(declaration),
                    "Examples/custom-layer/main.swift no longer contains Docs/CustomLayers.md's:\n\(declaration)")
        }
    }

    /// `code` split before each line that starts at column 0 after a blank line.
    static func topLevelDeclarations(_ code: String) -> [String] {
        var declarations: [[String]] = [[]]
        for line in code.components(separatedBy: "\n") {
            if let first = line.first, !first.isWhitespace, declarations[declarations.count - 1].last == "" {
                declarations.append([])
            }
            declarations[declarations.count - 1].append(line)
        }
        return declarations.map { $0.joined(separator: "\n").trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
    }
}
