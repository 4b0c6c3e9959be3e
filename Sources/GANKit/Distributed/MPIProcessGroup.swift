import Foundation

/// The processes of an MPI job (`MPI_COMM_WORLD`), with the MPI library loaded at
/// run time: Open MPI or MPICH (and MPICH-based libraries), found by soname or named
/// by `GANKIT_MPI`. GANKit needs no MPI headers and no MPI at build time.
///
/// ```swift
/// let group = try MPIProcessGroup.launched()   // size 1 when not started by mpirun
/// trainer.distribute(over: group)
/// ```
/// ```sh
/// mpirun -np 2 .build/release/mnist-gan
/// ```
///
/// MPI's default error handler is kept: an MPI error, or a process of the job
/// that dies, ends every process of the job (the launcher reports which one).
/// MPI is started with `MPI_THREAD_FUNNELED`: only the thread that created the
/// group calls MPI. `MPI_Finalize` runs when the process exits.
public final class MPIProcessGroup: ProcessGroup {
    /// This process's rank in `MPI_COMM_WORLD`.
    public let rank: Int
    /// The number of processes in `MPI_COMM_WORLD`.
    public let size: Int
    /// The MPI library's own description, e.g. `Open MPI v4.1.4, package: Debian OpenMPI, …`.
    public let libraryVersion: String
    /// Never set: MPI ends every process of a failed job instead.
    public var failure: ProcessGroupFailure? { nil }

    private let library: MPILibrary

    private nonisolated(unsafe) static var shared: MPIProcessGroup?
    private static let lock = NSLock()

    /// The job this process belongs to.
    ///
    /// MPI is loaded only when it is needed: when a launcher started this process
    /// (its environment says so: `OMPI_COMM_WORLD_SIZE`, `PMI_SIZE` or `PMIX_RANK`)
    /// or when `GANKIT_MPI` names the library to use. Otherwise this returns nil,
    /// and the program runs as one process. The same group is returned on every call
    /// (MPI can be started once per process).
    /// - Throws: ``MPIError`` when MPI is needed but cannot be loaded or started,
    ///   naming the libraries tried and why each failed.
    public static func launched() throws(MPIError) -> MPIProcessGroup? {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        let requested = environmentSetting("GANKIT_MPI")
        guard requested != nil || LauncherEnvironment.isLaunched else { return nil }
        let group = try MPIProcessGroup(library: loadLibrary(requested: requested))
        shared = group
        return group
    }

    static func loadLibrary(requested: String?) throws(MPIError) -> MPILibrary {
        var failures: [String] = []
        for path in requested.map({ [$0] }) ?? MPILibrary.searchOrder {
            var failure = ""
            if let library = MPILibrary(path: path, failure: &failure) { return library }
            failures.append("\(path): \(failure)")
        }
        throw MPIError.libraryNotFound(requested: requested, attempts: failures)
    }

    private init(library: MPILibrary) throws(MPIError) {
        self.library = library
        var alreadyStarted: Int32 = 0
        _ = library.initialized(&alreadyStarted)
        if alreadyStarted == 0 {
            var provided: Int32 = 0
            let funneled: Int32 = 1  // MPI_THREAD_FUNNELED in both ABIs
            let status = library.initThread(nil, nil, funneled, &provided)
            guard status == 0 else { throw MPIError.callFailed(function: "MPI_Init_thread", code: status) }
            atexit { MPIProcessGroup.finalizeAtExit() }
        }
        var rank: Int32 = 0, size: Int32 = 0
        var status = library.commRank(library.commWorld, &rank)
        guard status == 0 else { throw MPIError.callFailed(function: "MPI_Comm_rank", code: status) }
        status = library.commSize(library.commWorld, &size)
        guard status == 0 else { throw MPIError.callFailed(function: "MPI_Comm_size", code: status) }
        self.rank = Int(rank)
        self.size = Int(size)
        libraryVersion = library.version
    }

    private static func finalizeAtExit() {
        guard let library = lock.withLock({ shared?.library }) else { return }
        _ = library.finalize()
    }

    /// `MPI_Allreduce` with `MPI_IN_PLACE` and `MPI_SUM` (in pieces of at most 2^30
    /// elements, MPI counts being `int`), then a scale by `1 / size`.
    public func averageAcrossRanks(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = values.baseAddress else { return }
        var start = 0
        while start < values.count {
            let count = min(values.count - start, 1 << 30)
            check(library.allreduce(library.inPlace, base + start, Int32(count), library.float, library.sum, library.commWorld),
                  "MPI_Allreduce")
            start += count
        }
        let scale = 1 / Float(size)
        for index in values.indices { values[index] *= scale }
    }

    /// `MPI_Bcast` of the bytes (in pieces of at most 2^30).
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        require(root >= 0 && root < size, "MPIProcessGroup.broadcast: root \(root) is not a rank of \(size)")
        guard size > 1, let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            let count = min(bytes.count - start, 1 << 30)
            check(library.bcast(base + start, Int32(count), library.byte, Int32(root), library.commWorld), "MPI_Bcast")
            start += count
        }
    }

    /// `MPI_Barrier`.
    public func barrier() {
        check(library.barrierFunction(library.commWorld), "MPI_Barrier")
    }

    /// Prints `GANKit rank R of N: reason` on standard error, then `MPI_Abort`s the job with status 1.
    public func abort(reason: String) {
        FileHandle.standardError.write(Data("GANKit rank \(rank) of \(size): \(reason)\n".utf8))
        _ = library.abortFunction(library.commWorld, 1)
        exit(1)  // MPI_Abort does not return; this is for a library that does.
    }

    /// MPI's default handler ends the job on an error before a call returns one;
    /// a library set to return errors still must not continue silently.
    private func check(_ status: Int32, _ function: String) {
        if status != 0 { abort(reason: "\(function) failed with MPI error \(status)") }
    }
}

/// Why MPI could not be loaded or started.
public enum MPIError: Error, CustomStringConvertible, Equatable {
    /// No library could be opened: the one `GANKIT_MPI` names, or none of ``MPILibrary/searchOrder``.
    case libraryNotFound(requested: String?, attempts: [String])
    /// An MPI call returned an error code.
    case callFailed(function: String, code: Int32)

    /// What failed and what to do.
    public var description: String {
        switch self {
        case .libraryNotFound(let requested, let attempts):
            let what = requested.map { "GANKIT_MPI names \($0), which cannot be used" }
                ?? "this process was started by an MPI launcher but no MPI library could be loaded"
            return "\(what) (\(attempts.joined(separator: "; "))); install Open MPI (apt-get install openmpi-bin) "
                + "or MPICH, or set GANKIT_MPI to the path of libmpi"
        case .callFailed(let function, let code):
            return "\(function) failed with MPI error \(code)"
        }
    }
}
