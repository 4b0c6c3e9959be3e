import Foundation

// Packing: copies a block of op(A) or op(B) into the contiguous, zero-padded
// micro-panel layout the micro-kernel streams through.
//
// Buffers (64-byte aligned, inside one scratch block):
// - packed A, MC × KC block: ceil(mc / MR) micro-panels, each KC·MR
//   `SIMD4<Float>`s, laid out [p][r] — the MR values of column p of op(A) side
//   by side, each repeated in all four lanes (SSE2 has no broadcast load).
//   Rows past `mc` are zero.
// - packed B, KC × NC block: ceil(nc / NR) micro-panels, each KC·NR floats,
//   laid out [p][j] — NR consecutive values of row p of op(B), one SIMD8.
//   Columns past `nc` are zero.
extension BuiltinGEMM {
    /// Packs op(A)[rows, depth] into `MR`-row micro-panels at `into`.
    ///
    /// op(A)[i][p] is `a[i·lda + p]`, or `a[p·lda + i]` when `transposed`.
    @inline(__always)
    static func packA(transposed: Bool, a: UnsafePointer<Float>, lda: Int, rows: Range<Int>, depth: Range<Int>,
                      into packed: UnsafeMutablePointer<SIMD4<Float>>) {
        let kc = depth.count
        var panel = packed
        var i0 = rows.lowerBound
        while i0 < rows.upperBound {
            let valid = min(BuiltinGEMM.mr, rows.upperBound - i0)
            if transposed {
                // Column p of op(A) is row p of A: the MR values are contiguous.
                for p in 0..<kc {
                    let source = a + (depth.lowerBound + p) * lda + i0
                    let target = panel + p * BuiltinGEMM.mr
                    for r in 0..<valid { target[r] = SIMD4(repeating: source[r]) }
                    for r in valid..<BuiltinGEMM.mr { target[r] = SIMD4() }
                }
            } else {
                for r in 0..<BuiltinGEMM.mr {
                    if r < valid {
                        let source = a + (i0 + r) * lda + depth.lowerBound
                        for p in 0..<kc { panel[p * BuiltinGEMM.mr + r] = SIMD4(repeating: source[p]) }
                    } else {
                        for p in 0..<kc { panel[p * BuiltinGEMM.mr + r] = SIMD4() }
                    }
                }
            }
            panel += kc * BuiltinGEMM.mr
            i0 += BuiltinGEMM.mr
        }
    }

    /// Packs op(B)[depth, columns] into `NR`-column micro-panels at `into`.
    ///
    /// op(B)[p][j] is `b[p·ldb + j]`, or `b[j·ldb + p]` when `transposed`.
    @inline(__always)
    static func packB(transposed: Bool, b: UnsafePointer<Float>, ldb: Int, depth: Range<Int>, columns: Range<Int>,
                      into packed: UnsafeMutablePointer<SIMD8<Float>>) {
        let kc = depth.count
        var panel = packed
        var j0 = columns.lowerBound
        while j0 < columns.upperBound {
            let valid = min(BuiltinGEMM.nr, columns.upperBound - j0)
            if !transposed && valid == BuiltinGEMM.nr {
                for p in 0..<kc {
                    panel[p] = UnsafeRawPointer(b + (depth.lowerBound + p) * ldb + j0)
                        .loadUnaligned(as: SIMD8<Float>.self)
                }
            } else if !transposed {
                for p in 0..<kc {
                    let source = b + (depth.lowerBound + p) * ldb + j0
                    var row = SIMD8<Float>()
                    for j in 0..<valid { row[j] = source[j] }
                    panel[p] = row
                }
            } else {
                // Row p of op(B) is column p of B: gather NR strided values.
                let target = UnsafeMutableRawPointer(panel).assumingMemoryBound(to: Float.self)
                for j in 0..<BuiltinGEMM.nr {
                    if j < valid {
                        let source = b + (j0 + j) * ldb + depth.lowerBound
                        for p in 0..<kc { target[p * BuiltinGEMM.nr + j] = source[p] }
                    } else {
                        for p in 0..<kc { target[p * BuiltinGEMM.nr + j] = 0 }
                    }
                }
            }
            panel += kc
            j0 += BuiltinGEMM.nr
        }
    }
}

/// Reusable packing buffers, one per concurrently running chunk.
///
/// A chunk takes a buffer for its whole run and gives it back at the end, so
/// after the first products the pool holds as many buffers as chunks have ever
/// run at once (usually `Parallelism.threadCount`) and no product allocates.
/// Buffers are never freed: they are a fixed, small working set
/// (``BuiltinGEMM/scratchBytes`` each).
///
/// `@unchecked Sendable` is sound: `free` is only read or written while
/// `lock` is held, and a buffer taken from it belongs to one chunk until it is
/// put back.
final class GEMMScratchPool: @unchecked Sendable {
    /// Guards `free`.
    private let lock = NSLock()
    /// Buffers not in use, each `BuiltinGEMM.scratchBytes` bytes, 64-byte aligned.
    private var free: [UnsafeMutableRawPointer] = []

    /// The process-wide pool.
    static let shared = GEMMScratchPool()

    /// Runs `body` with a buffer no other chunk uses meanwhile.
    func withBuffer<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R {
        lock.lock()
        let reused = free.popLast()
        lock.unlock()
        let buffer = reused ?? UnsafeMutableRawPointer.allocate(byteCount: BuiltinGEMM.scratchBytes, alignment: 64)
        defer {
            lock.lock()
            free.append(buffer)
            lock.unlock()
        }
        return body(buffer)
    }
}
