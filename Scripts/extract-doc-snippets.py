#!/usr/bin/env python3
"""Makes every ```swift block of README.md and Docs/*.md part of the test build.

Each document's Swift blocks are written, verbatim and in order, into
Tests/GANKitTests/Docs/Snippets/<Doc>Snippets.swift, so `swift build --build-tests`
compiles them against GANKit's public API. DocSnippetsTests (Swift) fails when a
generated file no longer matches its document, so the two cannot drift apart.

    python3 Scripts/extract-doc-snippets.py           # regenerate, check manifest blocks
    python3 Scripts/extract-doc-snippets.py --check   # change nothing; exit 1 if stale (CI)

How a block is compiled
-----------------------
Without a marker, a block whose lines at column 0 are all declarations (import,
func, class, struct, enum, protocol, extension, ...) and comments is compiled at
file scope. Any other block (statements, `let`/`var`) becomes the body of a
function `<doc>Snippet<n>() throws` (n counts the document's Swift blocks from 1),
followed by `_ = (names)` for the names it declares at column 0, so a demo's
unused results raise no warnings. A block that is identical to an earlier file-scope
block (the same function shown in two documents) is compiled once, where it first
appears.

An HTML comment on the last non-blank line before the fence (invisible on the
rendered page) changes that:

    <!-- snippet: top-level -->                      compile at file scope
    <!-- snippet: function -->                       wrap in <doc>Snippet<n>() throws
    <!-- snippet: function name(a: Tensor) -->       wrap in name(a: Tensor) throws: name
                                                     the function a test calls, or give
                                                     the block the values it uses
    <!-- snippet: manifest -->                       a complete Package.swift: checked
                                                     here with `swift package dump-package`
    <!-- snippet: skip, why it cannot compile -->    not compiled (the reason is required)

Wrapping a declaration block in a function (`function`) also resolves a name that
two documents declare differently.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "GANKitTests" / "Docs" / "Snippets"
SCRIPT = "Scripts/extract-doc-snippets.py"

# The parsing rules below are mirrored by Tests/GANKitTests/Docs/DocSnippetsTests.swift.
FENCE_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$")
SKIP = re.compile(r"^skip\s*[,:]\s*(\S.*)$")
FUNCTION = re.compile(r"^function(?:\s+([A-Za-z_]\w*))?\s*(?:\((.*)\))?$")

MODIFIERS = r"(?:(?:public|package|internal|private|fileprivate|open|final|indirect|nonisolated|" \
            r"nonisolated\(unsafe\)|static|prefix|postfix|infix)\s+)*"
ATTRIBUTES = r"(?:@\w+(?:\([^)]*\))?\s+)*"
DECLARATION = re.compile(r"^" + ATTRIBUTES + MODIFIERS
                         + r"(import|func|class|struct|enum|protocol|extension|actor|typealias|operator|"
                           r"precedencegroup|macro)\b")
FILE_SCOPE_ONLY = {"import", "extension", "protocol", "operator", "precedencegroup", "macro"}
NEUTRAL = re.compile(r"^(//|/\*|\*|[}\])]|#if\b|#else\b|#elseif\b|#endif\b|@\w+(\([^)]*\))?\s*$)")
BINDING = re.compile(r"^(?:let|var)\s+(?:\(([^)]*)\)|([A-Za-z_]\w*))")


class DocError(Exception):
    """A document that cannot be turned into Swift, with where and why."""


@dataclass
class Block:
    """One ```swift block: its 1-based number in the document, line, text and raw marker."""
    number: int
    line: int
    text: str
    marker: str | None


def documents():
    """README.md, then Docs/*.md by name: the order the Swift test uses too."""
    return [ROOT / "README.md"] + sorted((ROOT / "Docs").glob("*.md"), key=lambda p: p.name)


def relative(path):
    return path.relative_to(ROOT).as_posix()


def swift_blocks(path):
    """The document's ```swift blocks, with the marker line before each (if any)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks, pending_marker, marker_line, i = [], None, 0, 0
    while i < len(lines):
        line = lines[i]
        marker = MARKER.match(line)
        if marker:
            if pending_marker is not None:
                raise DocError(f"{relative(path)}:{marker_line}: snippet marker not followed by a ```swift block")
            pending_marker, marker_line = marker.group(1), i + 1
            i += 1
            continue
        fence = FENCE_OPEN.match(line)
        if not fence or (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            if line.strip() and pending_marker is not None:
                raise DocError(f"{relative(path)}:{marker_line}: snippet marker not followed by a ```swift block")
            i += 1
            continue
        indent, ticks, info = len(fence.group(1)), fence.group(2), fence.group(3).strip()
        closing = re.compile(r"^\s*" + re.escape(ticks[0]) + "{" + str(len(ticks)) + r",}\s*$")
        end = i + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        language = info.split()[0] if info else ""
        if language == "swift":
            if end == len(lines):
                raise DocError(f"{relative(path)}:{i + 1}: the ```swift block is never closed")
            body = [strip_indent(text, indent) for text in lines[i + 1:end]]
            blocks.append(Block(len(blocks) + 1, i + 1, "\n".join(body), pending_marker))
        elif pending_marker is not None:
            raise DocError(f"{relative(path)}:{marker_line}: snippet marker not followed by a ```swift block")
        pending_marker = None
        i = end + 1
    if pending_marker is not None:
        raise DocError(f"{relative(path)}:{marker_line}: snippet marker not followed by a ```swift block")
    return blocks


def strip_indent(text, indent):
    """Removes up to `indent` leading spaces (a fence indented in a list item)."""
    removable = len(text) - len(text.lstrip(" "))
    return text[min(removable, indent):]


def column_zero_lines(text):
    """Lines that start at column 0, outside block comments and multi-line strings."""
    result, in_comment, in_string = [], False, False
    for line in text.split("\n"):
        starts_inside = in_comment or in_string
        if line.count('"""') % 2 == 1:
            in_string = not in_string
        if not in_string:
            in_comment = (in_comment or "/*" in line) and "*/" not in line.split("/*")[-1]
        if not starts_inside and line.strip() and not line[0].isspace():
            result.append(line)
    return result


def classify(text):
    """'top-level' for declarations only, 'function' for anything with statements."""
    kinds, statements = set(), False
    for line in column_zero_lines(text):
        if NEUTRAL.match(line):
            continue
        declaration = DECLARATION.match(line)
        if declaration:
            kinds.add(declaration.group(1))
        else:
            statements = True
    if statements and kinds & FILE_SCOPE_ONLY:
        return None
    return "function" if statements else "top-level"


def declared_names(text):
    """Names bound by `let`/`var` at column 0: the wrapper marks them used."""
    names = []
    for line in column_zero_lines(text):
        binding = BINDING.match(line)
        if not binding:
            continue
        if binding.group(2):
            names.append(binding.group(2))
        else:
            for part in binding.group(1).split(","):
                name = part.split(":")[0].strip()
                if re.fullmatch(r"[A-Za-z_]\w*", name) and name != "_":
                    names.append(name)
    return names


def type_name(path):
    """README.md → README, WGAN-GP.md → WGANGP: the generated file's name stem."""
    return re.sub(r"[^A-Za-z0-9]", "", path.stem)


def function_prefix(path):
    """README → readme, CustomLayers → customLayers, WGANGP → wgangp."""
    name = type_name(path)
    return name.lower() if name.isupper() else name[0].lower() + name[1:]


def generate(path, first_file_scope_copy):
    """The generated Swift file for one document, or None when it has no Swift blocks.

    `first_file_scope_copy` maps a file-scope block's text to where it was first
    compiled, across documents, so a block shown twice is compiled once."""
    blocks = swift_blocks(path)
    if not blocks:
        return None, []
    doc = relative(path)
    manifests = []
    out = [f"// Generated by {SCRIPT} from {doc}. Do not edit: change the document,",
           f"// then run `python3 {SCRIPT}`. DocSnippetsTests fails when they differ.",
           "import Foundation",
           "import GANKit  // not @testable: the documents use the public API only",
           ""]
    for block in blocks:
        where = f"{doc}:{block.line}"
        mode, name, parameters = classify(block.text), None, ""
        if block.marker is not None:
            skip, function = SKIP.match(block.marker), FUNCTION.match(block.marker)
            if skip:
                mode = "skip"
            elif block.marker == "manifest":
                mode = "manifest"
            elif block.marker == "top-level":
                mode = "top-level"
            elif function:
                mode, name, parameters = "function", function.group(1), function.group(2) or ""
            elif block.marker.startswith("skip"):
                raise DocError(f"{where}: say why the block cannot compile: <!-- snippet: skip, <reason> -->")
            else:
                raise DocError(f"{where}: unknown snippet marker '{block.marker}' "
                               "(top-level, function [name(parameters)], manifest, skip, <reason>)")
        elif mode is None:
            raise DocError(f"{where}: the block mixes statements with declarations that need file scope "
                           "(import, extension, protocol): split it, or mark it <!-- snippet: skip, <reason> -->")
        suffix = f"; marker: {block.marker}" if block.marker is not None else ""
        header = f"// snippet {block.number}: "
        if mode == "skip":
            out += [header + "not compiled" + suffix, ""]
        elif mode == "manifest":
            manifests.append((where, block.text))
            out += [header + f"a Package.swift, checked by {SCRIPT} (swift package dump-package)" + suffix, ""]
        elif mode == "top-level" and block.text in first_file_scope_copy:
            out += [header + f"same as {first_file_scope_copy[block.text]}, compiled there" + suffix, ""]
        elif mode == "top-level":
            first_file_scope_copy[block.text] = f"{doc} snippet {block.number}"
            out += [header + "declarations, compiled at file scope" + suffix, block.text,
                    f"// end of snippet {block.number}", ""]
        else:
            name = name or f"{function_prefix(path)}Snippet{block.number}"
            effects = "async throws" if re.search(r"\bawait\b", block.text) else "throws"
            out += [f"func {name}({parameters}) {effects} {{",
                    header + f"statements, the body of {name}()" + suffix, block.text,
                    f"// end of snippet {block.number}"]
            names = declared_names(block.text)
            if names:
                used = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
                out.append(f"    _ = {used}  // the snippet's own values count as used")
            out += ["}", ""]
    return "\n".join(out[:-1]) + "\n", manifests


def check_manifest(where, text):
    """Evaluates a manifest block with `swift package dump-package` in a scratch package."""
    swift = shutil.which("swift")
    if swift is None:
        raise DocError(f"{where}: cannot check the manifest block: no `swift` on PATH")
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "Package.swift").write_text(text + "\n", encoding="utf-8")
        result = subprocess.run([swift, "package", "dump-package", "--package-path", scratch],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise DocError(f"{where}: the manifest block does not evaluate:\n{result.stderr or result.stdout}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a generated file is missing or stale")
    parser.add_argument("--skip-manifests", action="store_true",
                        help="do not evaluate manifest blocks (no `swift` needed)")
    arguments = parser.parse_args()
    try:
        expected, manifests, first_copy = {}, [], {}
        for path in documents():
            text, found = generate(path, first_copy)
            manifests += found
            if text is not None:
                target = OUTPUT / f"{type_name(path)}Snippets.swift"
                if target in expected:
                    raise DocError(f"{relative(path)}: another document also needs {relative(target)}: rename one")
                expected[target] = text
        if not arguments.skip_manifests:
            for where, text in manifests:
                check_manifest(where, text)
    except DocError as error:
        print(f"{SCRIPT}: error: {error}", file=sys.stderr)
        return 1

    existing = set(OUTPUT.glob("*Snippets.swift")) if OUTPUT.exists() else set()
    stale = sorted(existing - expected.keys())
    changed = sorted(p for p, text in expected.items()
                     if not p.exists() or p.read_text(encoding="utf-8") != text)
    if arguments.check:
        for path in changed + stale:
            print(f"{relative(path)} is stale: run python3 {SCRIPT}", file=sys.stderr)
        return 1 if changed or stale else 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for path in changed:
        path.write_text(expected[path], encoding="utf-8")
        print(f"wrote {relative(path)}")
    for path in stale:
        os.remove(path)
        print(f"removed {relative(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
