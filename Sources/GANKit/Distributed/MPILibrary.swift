import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An MPI library opened at run time with `dlopen`, and the entry points GANKit calls.
///
/// No `mpi.h` is needed: the functions are found with `dlsym`, and the handles
/// (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`, …) are what each ABI defines them
/// to be. Open MPI's handles are the addresses of its predefined objects
/// (`ompi_mpi_comm_world`, …) and `MPI_IN_PLACE` is `(void *) 1`; MPICH's (and
/// its derivatives': Intel MPI, MVAPICH, Cray MPICH) are 32-bit integers and
/// `MPI_IN_PLACE` is `(void *) -1`. The two are told apart by whether the library
/// has `ompi_mpi_comm_world`.
///
/// `@unchecked Sendable`: every stored property is a `let` set in `init`
/// (function pointers and handles); the `dlopen` handle is never closed.
final class MPILibrary: @unchecked Sendable {
    /// The sonames tried, in order, when `GANKIT_MPI` does not name one: Open MPI 3–5,
    /// then MPICH 3–4 (Debian's `libmpich.so.12`, elsewhere `libmpi.so.12`).
    #if canImport(Darwin)
    static let searchOrder = ["libmpi.40.dylib", "libmpi.dylib", "libmpich.12.dylib", "libmpich.dylib"]
    #else
    static let searchOrder = ["libmpi.so.40", "libmpich.so.12", "libmpi.so.12"]
    #endif

    /// How the library represents handles.
    enum ABI: String {
        /// Handles are pointers to predefined objects.
        case openMPI = "Open MPI"
        /// Handles are 32-bit integers.
        case mpich = "MPICH"
    }

    /// An MPI handle in either ABI: a pointer (Open MPI) or an `int` widened to a word (MPICH).
    typealias Handle = UnsafeMutableRawPointer?

    // Every handle argument is passed as a full register-sized word: for MPICH's
    // 32-bit `int` handles that is how the C calling conventions of x86-64 and
    // arm64 pass an `int` too (the callee reads the low 32 bits), so one set of
    // signatures serves both ABIs. All the calls below have at most six arguments,
    // so every argument travels in a register on both architectures.
    typealias InitThread = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
                                           Int32, UnsafeMutablePointer<Int32>?) -> Int32
    typealias Initialized = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>?) -> Int32
    typealias Allreduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    typealias Bcast = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    typealias Barrier = @convention(c) (Handle) -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias LibraryVersion = @convention(c) (UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32

    /// The path or soname given to `dlopen`.
    let path: String
    let abi: ABI
    let initThread: InitThread
    let initialized: Initialized
    let commRank: CommQuery
    let commSize: CommQuery
    let allreduce: Allreduce
    let bcast: Bcast
    let barrierFunction: Barrier
    let abortFunction: Abort
    let finalize: Finalize
    let libraryVersion: LibraryVersion?
    /// `MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_BYTE`, `MPI_SUM`.
    let commWorld: Handle, float: Handle, byte: Handle, sum: Handle
    /// `MPI_IN_PLACE`.
    let inPlace: UnsafeMutableRawPointer

    /// Opens `path` (`RTLD_GLOBAL`: Open MPI's plugins resolve symbols of `libmpi`
    /// through the global namespace); nil with the reason in `failure` when it
    /// cannot be loaded or lacks an entry point.
    init?(path: String, failure: inout String) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else {
            failure = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            return nil
        }
        var missing: [String] = []
        func symbol<F>(_ name: String, as type: F.Type) -> F? {
            guard let address = dlsym(handle, name) else { missing.append(name); return nil }
            return unsafeBitCast(address, to: type)
        }
        let functions = (symbol("MPI_Init_thread", as: InitThread.self), symbol("MPI_Initialized", as: Initialized.self),
                         symbol("MPI_Comm_rank", as: CommQuery.self), symbol("MPI_Comm_size", as: CommQuery.self),
                         symbol("MPI_Allreduce", as: Allreduce.self), symbol("MPI_Bcast", as: Bcast.self),
                         symbol("MPI_Barrier", as: Barrier.self), symbol("MPI_Abort", as: Abort.self),
                         symbol("MPI_Finalize", as: Finalize.self))
        guard let initThread = functions.0, let initialized = functions.1, let commRank = functions.2,
              let commSize = functions.3, let allreduce = functions.4, let bcast = functions.5,
              let barrier = functions.6, let abort = functions.7, let finalize = functions.8 else {
            failure = "not an MPI library: no \(missing.joined(separator: ", "))"
            return nil
        }
        self.path = path
        self.initThread = initThread
        self.initialized = initialized
        self.commRank = commRank
        self.commSize = commSize
        self.allreduce = allreduce
        self.bcast = bcast
        barrierFunction = barrier
        abortFunction = abort
        self.finalize = finalize
        libraryVersion = dlsym(handle, "MPI_Get_library_version").map { unsafeBitCast($0, to: LibraryVersion.self) }
        if let world = dlsym(handle, "ompi_mpi_comm_world") {
            guard let float = dlsym(handle, "ompi_mpi_float"), let byte = dlsym(handle, "ompi_mpi_byte"),
                  let sum = dlsym(handle, "ompi_mpi_op_sum") else {
                failure = "an Open MPI library without ompi_mpi_float, ompi_mpi_byte or ompi_mpi_op_sum"
                return nil
            }
            abi = .openMPI
            (commWorld, self.float, self.byte, self.sum) = (world, float, byte, sum)
            inPlace = UnsafeMutableRawPointer(bitPattern: 1)!
        } else {
            // mpi.h of MPICH 3 and 4: MPI_COMM_WORLD, MPI_FLOAT, MPI_BYTE, MPI_SUM.
            func integer(_ value: UInt32) -> Handle { UnsafeMutableRawPointer(bitPattern: UInt(value)) }
            abi = .mpich
            (commWorld, float, byte, sum) = (integer(0x4400_0000), integer(0x4C00_040A), integer(0x4C00_010D),
                                             integer(0x5800_0003))
            inPlace = UnsafeMutableRawPointer(bitPattern: UInt.max)!
        }
        _ = dlerror()
    }

    /// `MPI_Get_library_version`'s first line, e.g. `Open MPI v4.1.4, …`.
    var version: String {
        guard let libraryVersion else { return "\(abi.rawValue) (\(path))" }
        var text = [CChar](repeating: 0, count: 8192), length: Int32 = 0
        guard libraryVersion(&text, &length) == 0 else { return "\(abi.rawValue) (\(path))" }
        let bytes = text.prefix(Int(min(max(length, 0), 8192))).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return line.trimmingCharacters(in: .whitespaces)
    }
}
