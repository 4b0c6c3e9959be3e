import Foundation

/// A ```swift block of a Markdown document, with the `<!-- snippet: … -->` marker
/// on the last non-blank line before it.
///
/// The parsing mirrors `swift_blocks` in `Scripts/extract-doc-snippets.py`, which
/// writes the blocks into `Snippets/`: fences of three or more backticks or tildes,
/// indented or not, closed by a fence of the same character at least as long.
struct MarkdownSwiftBlock: Equatable {
    /// 1-based position among the document's Swift blocks.
    let number: Int
    /// The lines between the fences, without the fence's indentation.
    let text: String
    /// The marker's text after `snippet:`, or nil.
    let marker: String?

    /// Every ```swift block of `markdown`, in order.
    static func blocks(in markdown: String) -> [MarkdownSwiftBlock] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [MarkdownSwiftBlock] = []
        var marker: String?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if let found = snippetMarker(in: line) {
                marker = found
                index += 1
                continue
            }
            guard let fence = Fence(opening: line) else {
                if !line.trimmed.isEmpty { marker = nil }
                index += 1
                continue
            }
            var end = index + 1
            while end < lines.count && !fence.isClosed(by: lines[end]) { end += 1 }
            if fence.language == "swift" && end < lines.count {
                let body = lines[(index + 1)..<end].map(fence.removingIndent)
                blocks.append(MarkdownSwiftBlock(number: blocks.count + 1, text: body.joined(separator: "\n"),
                                                 marker: marker))
            }
            marker = nil
            index = end + 1
        }
        return blocks
    }

    /// The text of `<!-- snippet: text -->` when `line` is such a comment.
    private static func snippetMarker(in line: String) -> String? {
        let trimmed = line.trimmed
        guard trimmed.hasPrefix("<!--") && trimmed.hasSuffix("-->") && trimmed.count >= 7 else { return nil }
        let inner = String(trimmed.dropFirst(4).dropLast(3)).trimmed
        guard inner.hasPrefix("snippet:") else { return nil }
        return String(inner.dropFirst("snippet:".count)).trimmed
    }
}

/// An opening code fence: its indentation, character, length and language.
private struct Fence {
    let indent: Int
    let character: Character
    let length: Int
    let language: String

    init?(opening line: String) {
        let body = line.drop { $0.isWhitespace }
        guard let first = body.first, first == "`" || first == "~" else { return nil }
        let run = body.prefix { $0 == first }
        let info = body.dropFirst(run.count)
        guard run.count >= 3, first == "~" || !info.contains("`") else { return nil }
        indent = line.count - body.count
        character = first
        length = run.count
        language = info.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
    }

    /// Whether `line` is a closing fence: only this character, at least as many, maybe indented.
    func isClosed(by line: String) -> Bool {
        let trimmed = line.trimmed
        return trimmed.count >= length && trimmed.allSatisfy { $0 == character }
    }

    /// `line` without up to `indent` leading spaces.
    func removingIndent(_ line: String) -> String {
        String(line.dropFirst(min(indent, line.prefix { $0 == " " }.count)))
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
