import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Whole-file reads and atomic whole-file writes shared by the IDX, PNG and
// plot writers. A writer that is interrupted (crash, full disk, ^C) must never
// leave a half-written sample grid or dataset behind, so every write goes to a
// temporary file in the destination directory and is then renamed over the
// destination; rename(2) within one file system replaces the file atomically.

/// Why a file could not be read or written (the caller wraps this in its own
/// public error together with the file name).
struct FileIOError: Error, CustomStringConvertible {
    /// What went wrong, e.g. "No such file or directory".
    let reason: String
    var description: String { reason }
}

/// A file could not be written; says which and why.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    /// The destination path.
    public let path: String
    /// What went wrong.
    public let reason: String
    /// `cannot write <path>: <reason>`.
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Whole-file reads and atomic (temp file + rename) whole-file writes.
enum AtomicFile {
    /// Reads the whole file at `url`.
    static func read(_ url: URL) throws(FileIOError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            let path = url.path
            if !FileManager.default.fileExists(atPath: path) { throw FileIOError(reason: "no such file") }
            throw FileIOError(reason: error.localizedDescription)
        }
    }

    /// Writes `bytes` to `url` by way of a temporary file in the same directory
    /// followed by a rename, so readers see either the old file or the
    /// complete new one. The directory must exist.
    static func write(_ bytes: [UInt8], to url: URL) throws(FileIOError) {
        let destination = url.standardizedFileURL
        let directory = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue
        else {
            throw FileIOError(reason: "directory \(directory.path) does not exist")
        }
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(suffix).tmp")
        do {
            // Written from the array's own storage: `Data(bytes)` would copy it first.
            try bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return try Data().write(to: temporary) }
                try Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none)
                    .write(to: temporary)
            }
            // Flush to disk before the rename, so a crash cannot leave a renamed but empty file.
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FileIOError(reason: "cannot write temporary file \(temporary.path): \(error.localizedDescription)")
        }
        let status = temporary.withUnsafeFileSystemRepresentation { from in
            destination.withUnsafeFileSystemRepresentation { to -> Int32 in
                guard let from, let to else { return -1 }
                return rename(from, to)
            }
        }
        if status != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FileIOError(reason: "cannot rename temporary file into place: \(reason)")
        }
    }
}

/// Removes the temporary files (`.NAME.RANDOM.tmp`) that an atomic write left in
/// `directory` when a previous run was killed mid-write (e.g. with `kill -9`), so
/// output folders hold complete files only. Missing folders are ignored.
/// - Returns: the names removed.
@discardableResult
func removeLeftoverTemporaryFiles(in directory: URL) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    var removed: [String] = []
    for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
        if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil {
            removed.append(name)
        }
    }
    return removed
}
