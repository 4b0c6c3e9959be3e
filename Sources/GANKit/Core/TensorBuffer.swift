/// A reusable output tensor that a layer writes into on every call without allocating.
///
/// `prepare(shape:)` hands back writable storage: the previous storage when
/// the layer is its only owner and it is large enough, otherwise a fresh one.
/// Because reuse requires unique ownership, a caller that kept the previous
/// result still sees its old values (value semantics hold). In a training loop
/// the consumer drops the previous tensor before the next step, so after the
/// first step no allocation happens.
///
/// Two slots let a producer alternate while a consumer still holds the last
/// output (for example a discriminator run on a real batch and then on a fake
/// one, with the first result still cached by the next layer).
public struct TensorBuffer {
    private var slots: [Tensor] = []
    private var nextSlot = 0

    /// Creates an empty buffer; storage is allocated on first use.
    public init() {}

    /// Returns a tensor of `shape` whose storage is owned only by this buffer,
    /// filled by `body` with raw, writable elements (contents on entry are unspecified).
    public mutating func fill(shape: TensorShape, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let slot = acquireSlot(elementCount: shape.elementCount)
        slots[slot].setShapeReusingStorage(shape)
        slots[slot].withUnsafeMutableBufferPointer(body)
        return slots[slot]
    }

    /// Returns `[a; b]`, the two tensors joined along the first axis (`[Na + Nb, …]`), without allocating once warm.
    /// - Precondition: `a` and `b` have the same shape after the first axis.
    public mutating func stacking(_ a: Tensor, _ b: Tensor) -> Tensor {
        require(a.rank >= 1 && a.shape.replacingFirst(with: 0) == b.shape.replacingFirst(with: 0),
                "TensorBuffer.stacking: shapes \(a.shape) and \(b.shape) differ after the first axis")
        return fill(shape: a.shape.replacingFirst(with: a.shape[0] + b.shape[0])) { joined in
            a.withUnsafeBufferPointer { joined.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            b.withUnsafeBufferPointer { (joined.baseAddress! + a.count).update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    /// Picks a slot whose storage is uniquely ours and large enough, allocating at most two.
    private mutating func acquireSlot(elementCount: Int) -> Int {
        if slots.isEmpty { slots.reserveCapacity(2) }
        for attempt in 0..<slots.count {
            let index = (nextSlot + attempt) % slots.count
            if slots[index].isUniquelyReferenced() && slots[index].storageCapacity >= elementCount {
                nextSlot = (index + 1) % max(slots.count, 1)
                return index
            }
        }
        let fresh = Tensor(zeros: [elementCount])
        if slots.count < 2 {
            slots.append(fresh)
            nextSlot = 0
            return slots.count - 1
        }
        // Both slots are held elsewhere (or too small): replace the older one.
        let index = nextSlot
        slots[index] = fresh
        nextSlot = (index + 1) % slots.count
        return index
    }
}

extension Tensor {
    /// Elements available in the storage from this tensor's start.
    var storageCapacity: Int { storage.capacity - offset }

    /// Changes the shape to one that fits the existing storage (used by `TensorBuffer`).
    mutating func setShapeReusingStorage(_ newShape: TensorShape) {
        require(newShape.elementCount <= storageCapacity,
                "Tensor: shape \(newShape) needs \(newShape.elementCount) elements, its storage holds \(storageCapacity)")
        shape = newShape
    }
}
