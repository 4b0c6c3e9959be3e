import Foundation

/// The documents whose Swift blocks the test build compiles, and the generated
/// files that hold them (see `Scripts/extract-doc-snippets.py`).
enum DocumentSnippets {
    /// The command that brings the generated files up to date.
    static let regenerate = "run `python3 Scripts/extract-doc-snippets.py`"

    /// The package's root folder (the one with `Package.swift`), found from this file.
    static let root: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }()

    /// Where the generated `<Doc>Snippets.swift` files live.
    static let folder = root.appendingPathComponent("Tests/GANKitTests/Docs/Snippets")

    /// `README.md`, then `Docs/*.md` by name, relative to the root (the script's order).
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Docs").path)
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "Docs/" + $0 }
    }

    /// The generated file's name: `Docs/WGAN-GP.md` → `WGANGPSnippets.swift`.
    static func generatedFileName(for document: String) -> String {
        let stem = (document as NSString).lastPathComponent.dropLast(".md".count)
        return String(stem.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }) + "Snippets.swift"
    }

    /// The Swift blocks of the document at `path` (relative to the root).
    static func blocks(of path: String) throws -> [MarkdownSwiftBlock] {
        MarkdownSwiftBlock.blocks(in: try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
    }

    /// How the generated file of `document` differs from the document's `blocks`: one
    /// sentence per difference, empty when the file is current.
    ///
    /// The texts of compiled blocks must be equal; a block compiled in another file
    /// must equal the block it names there (`blocksOf` reads that document); skipped
    /// and manifest blocks are compared by marker only, as nothing compiles them here.
    static func differences(document: String, blocks: [MarkdownSwiftBlock], generated: [GeneratedSnippet],
                            blocksOf: (String) throws -> [MarkdownSwiftBlock]) rethrows -> [String] {
        guard blocks.count == generated.count else {
            return ["\(document) has \(blocks.count) Swift blocks, its generated file \(generated.count)"]
        }
        var problems: [String] = []
        for (block, snippet) in zip(blocks, generated) {
            let name = "\(document) snippet \(block.number)"
            if snippet.number != block.number {
                problems.append("\(name) is numbered \(snippet.number) in the generated file")
            } else if snippet.marker != block.marker {
                problems.append("\(name): the marker is \(block.marker ?? "none") in the document, "
                                + "\(snippet.marker ?? "none") in the generated file")
            } else if block.marker == "manifest" || block.marker?.hasPrefix("skip") == true {
                if snippet.text != nil { problems.append("\(name) is compiled but marked \(block.marker!)") }
            } else if let text = snippet.text {
                if text != block.text { problems.append("\(name) differs from the generated file's copy") }
            } else if let (other, number) = sameAs(snippet.description) {
                let original = try blocksOf(other).first { $0.number == number }
                if original?.text != block.text {
                    problems.append("\(name) is no longer the same as \(other) snippet \(number)")
                }
            } else {
                problems.append("\(name) is not compiled (\(snippet.description))")
            }
        }
        return problems
    }

    /// The document and block number of a `same as <document> snippet <n>, …` description.
    private static func sameAs(_ description: String) -> (String, Int)? {
        let words = description.split(separator: " ")
        guard words.count >= 5, words[0] == "same", words[1] == "as", words[3] == "snippet",
              let number = Int(words[4].filter(\.isNumber)) else { return nil }
        return (String(words[2]), number)
    }
}
