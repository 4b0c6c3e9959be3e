/// One entry of a generated `Snippets/<Doc>Snippets.swift` file.
///
/// `Scripts/extract-doc-snippets.py` writes each Swift block of a document as
///
///     // snippet 2: statements, the body of dcganSnippet2(); marker: function
///     <the block's lines, verbatim>
///     // end of snippet 2
///
/// (the `; marker: …` part only when the document has a marker). A block that is
/// not compiled there (skipped, a manifest, or the same as another document's)
/// has the header line alone.
struct GeneratedSnippet: Equatable {
    /// The block's 1-based position in its document.
    let number: Int
    /// How the block is compiled, e.g. `declarations, compiled at file scope`.
    let description: String
    /// The document's marker for the block, or nil.
    let marker: String?
    /// The block's lines as compiled, or nil when it is not compiled in this file.
    let text: String?

    private static let headerPrefix = "// snippet "
    private static let markerSeparator = "; marker: "

    /// The entries of a generated file, in order.
    static func snippets(in source: String) -> [GeneratedSnippet] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var snippets: [GeneratedSnippet] = []
        var index = 0
        while index < lines.count {
            guard let (number, description, marker) = header(lines[index]) else {
                index += 1
                continue
            }
            let next = lines[(index + 1)...].firstIndex { header($0) != nil } ?? lines.count
            let end = lines[(index + 1)..<next].firstIndex(of: "// end of snippet \(number)")
            let text = end.map { lines[(index + 1)..<$0].joined(separator: "\n") }
            snippets.append(GeneratedSnippet(number: number, description: description, marker: marker, text: text))
            index = end.map { $0 + 1 } ?? next
        }
        return snippets
    }

    /// The number, description and marker of a `// snippet N: …` line.
    private static func header(_ line: String) -> (Int, String, String?)? {
        guard line.hasPrefix(headerPrefix) else { return nil }
        let rest = line.dropFirst(headerPrefix.count)
        guard let colon = rest.firstIndex(of: ":"), let number = Int(rest[..<colon]) else { return nil }
        let tail = String(rest[rest.index(after: colon)...].dropFirst())  // after ": "
        guard let separator = tail.range(of: markerSeparator) else { return (number, tail, nil) }
        return (number, String(tail[..<separator.lowerBound]), String(tail[separator.upperBound...]))
    }
}
