/// Checks made on what a user passes in (shapes, sizes, configuration).
///
/// Swift drops the message of `precondition` in optimised (`-c release`) builds,
/// the only builds fast enough to train in, so a broken shape would end with a
/// bare "precondition failure". These helpers are built on `fatalError`, which
/// keeps its message in every build mode.

/// Stops the program with `message` when `condition` is false, in debug and
/// release builds alike. Use it for every check on user-supplied values; the
/// message says what, where, expected and found:
/// `Dense(784 → 256): expected input [N, 784], got [4, 100]`.
///
/// The message is built only on failure, and its code stays out of the caller
/// (it is handed, unevaluated, to an out-of-line function), so a check costs
/// the hot path one compare and branch, as `precondition` did.
@inlinable @inline(__always)
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { requirementFailed(message, file: file, line: line) }
}

/// Stops the program with `message`, in debug and release builds alike.
@usableFromInline @inline(never)
func requirementFailed(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message, file: file, line: line)
}

/// Stops the program with the message `message` builds (``require(_:_:file:line:)``'s failure path).
@usableFromInline @inline(never)
func requirementFailed(_ message: () -> String, file: StaticString, line: UInt) -> Never {
    fatalError(message(), file: file, line: line)
}
