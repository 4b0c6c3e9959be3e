import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request that the training loop
/// polls, so a run can stop between two steps, save a checkpoint and exit
/// cleanly instead of dying halfway through writing a file.
///
/// ```swift
/// let interrupts = InterruptMonitor()
/// trainer.onBatchEnd = { _ in interrupts.isRequested ? .stop : .continue }
/// ```
///
/// While a monitor exists, the signals do not kill the process: the first one
/// sets ``isRequested`` (and prints a note); later ones only repeat the note,
/// because the program is about to finish writing its files. `kill -9` still works.
public final class InterruptMonitor: @unchecked Sendable {
    // @unchecked Sendable: `received` is only written under `lock`; the dispatch
    // sources are created in `init`, only resumed and cancelled afterwards.
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "gankit.example.interrupts")

    /// Starts watching SIGINT and SIGTERM.
    /// - Parameter note: printed to standard error when the first signal arrives.
    public init(note: String = "interrupted: finishing the current step and saving a checkpoint…") {
        for number in [SIGINT, SIGTERM] {
            // Ignore the default action (terminate) so the dispatch source alone sees the signal.
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                let first = self.record(number)
                let text = first ? note : "already stopping; please wait for the checkpoint to be written"
                FileHandle.standardError.write(Data("\n\(text)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Whether SIGINT or SIGTERM has arrived.
    public var isRequested: Bool { lock.withLock { received != nil } }

    /// The exit status a shell reports for the signal received: 130 for SIGINT, 143 for SIGTERM.
    public var exitStatus: Int32 { lock.withLock { 128 + (received ?? SIGINT) } }

    /// Records `number`; returns whether it is the first signal.
    private func record(_ number: Int32) -> Bool {
        lock.withLock {
            guard received == nil else { return false }
            received = number
            return true
        }
    }
}

/// Removes temporary files (`.NAME.RANDOM.tmp`) that an atomic write left in
/// `directory` when a previous run was killed mid-write (e.g. with `kill -9`),
/// so output folders hold complete files only.
/// - Returns: the names removed.
@discardableResult
public func removeLeftoverTemporaryFiles(in directory: URL) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    var removed: [String] = []
    for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
        if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil {
            removed.append(name)
        }
    }
    return removed
}
