#if canImport(Glibc)
    import Glibc
#endif

/// The one way asyncbench makes a C call that reports failure in `errno`: it retries EINTR,
/// reads `errno` at once, and throws a `SystemError` that names the call.
///
/// Calls that return their error code instead (`posix_spawn`, `pthread_create`, the C shim's
/// functions) need no wrapper: their result is the code, passed straight to `SystemError`.
///
/// EINTR is retried by default, as swift-nio's `syscall(blocking:where:_:)` and swift-system's
/// `valueOrErrno(retryOnInterrupt:_:)` do: a signal that interrupts a call is no failure of the
/// call. A loop that must notice a signal (a flag set by a handler, a deadline) between calls
/// passes `retryOnInterrupt: false` and tests `SystemError.isInterrupted`. `close` must never be
/// retried (on Linux the descriptor is gone even when close reports EINTR, and a retry could
/// close one that another thread has just opened), so it is not made through this wrapper; see
/// swift-nio's note on `close`
/// (https://github.com/apple/swift-nio/blob/2.101.3/Sources/NIOPosix/System.swift#L595-L600)
/// and https://lwn.net/Articles/576478/.
public enum Syscall {
    /// Runs a C call that returns -1 and sets `errno` on failure, and returns its result.
    ///
    /// - Parameters:
    ///   - call: The call's name for the error, e.g. `"open results.csv"`; built only on failure.
    ///   - retryOnInterrupt: Whether to run the call again when it fails with EINTR. With
    ///     `false`, EINTR is thrown like any other error (see `SystemError.isInterrupted`).
    ///   - body: The C call, e.g. `{ read(fd, buffer, count) }`.
    /// - Returns: What the call returned, never -1.
    /// - Throws: `SystemError(call, errno:)` with the `errno` that the failed call set.
    public static func call<Result: FixedWidthInteger>(
        _ call: @autoclosure () -> String, retryOnInterrupt: Bool = true, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            guard result == -1 else { return result }
            let error = errno
            if error == EINTR && retryOnInterrupt { continue }
            throw SystemError(call(), errno: error)
        }
    }

    /// Runs a C call that returns a pointer, or NULL and sets `errno` on failure (e.g. `mkdtemp`),
    /// and returns the pointer.
    ///
    /// - Parameters:
    ///   - call: The call's name for the error; built only on failure.
    ///   - retryOnInterrupt: Whether to run the call again when it fails with EINTR.
    ///   - body: The C call.
    /// - Returns: The pointer the call returned, never NULL.
    /// - Throws: `SystemError(call, errno:)` with the `errno` that the failed call set.
    public static func call<Pointee>(
        _ call: @autoclosure () -> String, retryOnInterrupt: Bool = true,
        _ body: () -> UnsafeMutablePointer<Pointee>?
    ) throws(SystemError) -> UnsafeMutablePointer<Pointee> {
        while true {
            if let result = body() { return result }
            let error = errno
            if error == EINTR && retryOnInterrupt { continue }
            throw SystemError(call(), errno: error)
        }
    }
}

extension SystemError {
    /// Whether the call was interrupted by a signal before it did anything (EINTR): what a
    /// `Syscall.call(_:retryOnInterrupt:_:)` with `retryOnInterrupt: false` throws then.
    public var isInterrupted: Bool { errno == EINTR }
}
