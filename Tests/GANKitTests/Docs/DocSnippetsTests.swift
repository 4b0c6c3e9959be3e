import Foundation
import Testing

/// Every ```swift block of README.md and Docs/*.md is compiled by the test build,
/// from `Snippets/<Doc>Snippets.swift`; these tests fail when those files no longer
/// match the documents, so a block cannot change without being compiled again.
@Suite struct DocSnippetsTests {
    @Test func generatedFilesHoldEveryDocumentsSwiftBlocksVerbatim() throws {
        for document in try DocumentSnippets.documents() {
            let blocks = try DocumentSnippets.blocks(of: document)
            let fileName = DocumentSnippets.generatedFileName(for: document)
            let url = DocumentSnippets.folder.appendingPathComponent(fileName)
            guard FileManager.default.fileExists(atPath: url.path) else {
                #expect(blocks.isEmpty, "\(document) has Swift blocks but no Snippets/\(fileName): \(DocumentSnippets.regenerate)")
                continue
            }
            let generated = GeneratedSnippet.snippets(in: try String(contentsOf: url, encoding: .utf8))
            let problems = try DocumentSnippets.differences(document: document, blocks: blocks, generated: generated,
                                                            blocksOf: DocumentSnippets.blocks(of:))
            for problem in problems {
                Issue.record("\(problem): Snippets/\(fileName) is stale, \(DocumentSnippets.regenerate)")
            }
        }
    }

    @Test func everyGeneratedFileBelongsToADocument() throws {
        let expected = Set(try DocumentSnippets.documents().map(DocumentSnippets.generatedFileName))
        let present = try FileManager.default.contentsOfDirectory(atPath: DocumentSnippets.folder.path)
            .filter { $0.hasSuffix("Snippets.swift") }
        for file in present where !expected.contains(file) {
            Issue.record("Snippets/\(file) has no document any more: \(DocumentSnippets.regenerate)")
        }
    }

    /// The check above can fail: an edited block, a changed marker and a new block are all reported.
    @Test func editsToADocumentAreReported() throws {
        let url = DocumentSnippets.folder.appendingPathComponent(DocumentSnippets.generatedFileName(for: "README.md"))
        let generated = GeneratedSnippet.snippets(in: try String(contentsOf: url, encoding: .utf8))
        let blocks = try DocumentSnippets.blocks(of: "README.md")
        func problems(_ edited: [MarkdownSwiftBlock]) throws -> [String] {
            try DocumentSnippets.differences(document: "README.md", blocks: edited, generated: generated,
                                             blocksOf: DocumentSnippets.blocks(of:))
        }
        #expect(try problems(blocks).isEmpty)
        let compiled = try #require(blocks.first { $0.marker == nil })
        let edited = blocks.map { $0.number == compiled.number ? MarkdownSwiftBlock(
            number: $0.number, text: $0.text.replacingOccurrences(of: "seed: 42", with: "seed: 43"), marker: nil) : $0 }
        #expect(try problems(edited) == ["README.md snippet \(compiled.number) differs from the generated file's copy"])
        let marked = blocks.map { MarkdownSwiftBlock(number: $0.number, text: $0.text, marker: "function") }
        #expect(try problems(marked).count == blocks.count)
        let added = blocks + [MarkdownSwiftBlock(number: blocks.count + 1, text: "let x = 1", marker: nil)]
        #expect(try problems(added).count == 1)
    }

    @Test func markdownParserFindsSwiftFencesAndTheirMarkers() {
        let markdown = """
            Text.

            <!-- snippet: function check(x: Int) -->
            ```swift
            let y = x
            ```

            ```sh
            swift build
            ```

            - In a list:

              ````swift title
              struct A {}
              ````
            ~~~swift
            ```
            ~~~
            """
        #expect(MarkdownSwiftBlock.blocks(in: markdown) == [
            MarkdownSwiftBlock(number: 1, text: "let y = x", marker: "function check(x: Int)"),
            MarkdownSwiftBlock(number: 2, text: "struct A {}", marker: nil),
            MarkdownSwiftBlock(number: 3, text: "```", marker: nil),
        ])
    }
}
