/// A fixed-capacity block of `Float`s, 64-byte aligned for SIMD loads.
///
/// `Tensor` owns these through copy-on-write. The class is
/// `@unchecked Sendable` because its only mutable state is the memory it points
/// to, and that memory is written only through
/// `Tensor.withUnsafeMutableBufferPointer`, which first makes the storage
/// uniquely referenced (copying it otherwise). A storage reachable from two
/// tensors, and so possibly from two threads, is therefore never written.
/// Kernels that split one tensor across threads write disjoint ranges.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    /// The first element; valid for `capacity` elements.
    @usableFromInline let base: UnsafeMutablePointer<Float>
    /// The number of `Float`s allocated.
    @usableFromInline let capacity: Int

    /// Allocates `capacity` uninitialized-then-zeroed floats.
    @usableFromInline
    init(capacity: Int) {
        self.capacity = capacity
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(capacity, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: Swift.max(capacity, 1))
        base.initialize(repeating: 0, count: Swift.max(capacity, 1))
    }

    /// Allocates a storage holding a copy of `count` floats starting at `source`.
    @usableFromInline
    convenience init(copying source: UnsafePointer<Float>, count: Int) {
        self.init(capacity: count)
        base.update(from: source, count: count)
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }
}
