import CGANKitKernels

/// GANKit's own single-precision GEMM: used when no BLAS library is found, or
/// when `GANKIT_BLAS=builtin`.
///
/// Two implementations of the same blocking: on CPUs with AVX-512 or AVX2+FMA
/// the blocks run in C (`gk_sgemm_block`, gemm_body.h: 6 × 32 or 6 × 16
/// register tiles, see ``hasCKernel``); elsewhere (baseline x86-64, arm64) in
/// the Swift code below (6 × 8 tiles). Products with one row or column of C go
/// to ``gemv`` and `k == 1` to ``outerProduct``, both Swift.
///
/// The classic Goto/BLIS structure. For C (m×n, row-major, stride ldc):
///
///     for each column block jc of C (NC wide)            ─ loop 5
///       for each depth block pc of op(A)/op(B) (KC deep) ─ loop 4
///         pack op(B)[pc, jc]  → packed B   (KC × NC, NR-column micro-panels)
///         for each row block ic of C (MC tall)           ─ loop 3
///           pack op(A)[ic, pc] → packed A  (MC × KC, MR-row micro-panels)
///           for each NR-column micro-panel jr            ─ loop 2
///             for each MR-row micro-panel ir             ─ loop 1
///               micro-kernel: C[ir.., jr..] (MR × NR) = alpha·Ap·Bp + beta'·C
///
/// with beta' = beta for the first depth block and 1 afterwards. Packed panels
/// are zero-padded to whole MR × NR tiles, so every element of C is computed by
/// the same instructions in the same order wherever its tile falls: results do
/// not depend on how the work is split between threads (bit-identical for any
/// `Parallelism.threadCount`).
///
/// Threads: C is cut into static contiguous chunks of NR-column panels (or of
/// MR-row panels when C is taller than wide), ``balancedChunksPerThread`` per
/// thread, which the threads take as they come free, through
/// ``parallelFor(_:minimumChunk:chunksPerThread:_:)``. Each chunk packs its own
/// panels in a buffer from ``GEMMScratchPool``.
///
/// The Swift kernel is built for baseline x86-64 (SSE2, no FMA): `SIMD8<Float>` is two
/// XMM registers, so the 6 × 8 tile keeps 12 accumulators + 2 B registers +
/// 1 A register + 1 product within the 16 XMM registers. SSE2 has no
/// broadcast load, so packing stores every A value four times (a `SIMD4`):
/// the kernel then multiplies straight from a plain load, without the
/// `shufps` per value that cost ~10 % on a 512³ product.
enum BuiltinGEMM {
    /// Rows of the register tile (micro-kernel).
    static let mr = 6
    /// Columns of the register tile: one `SIMD8<Float>`.
    static let nr = 8
    /// Depth of a packed block: a KC × NR micro-panel of B (8 KiB) stays in L1.
    static let kc = 256
    /// Rows of a packed A block (a multiple of `mr`): MC × KC `SIMD4`s (384 KiB) stay in L2.
    static let mc = 96
    /// Columns of a packed B block (a multiple of `nr`): KC × NC floats (1 MiB), L2/L3.
    static let nc = 1024
    /// `SIMD4<Float>`s (broadcast A values) in a packed A block.
    static let packedACount = mc * kc
    /// Bytes of one scratch buffer: packed A block, then packed B block.
    static let scratchBytes = max(mc * kc * MemoryLayout<SIMD4<Float>>.stride + kc * nc * MemoryLayout<Float>.stride,
                                  gk_sgemm_scratch_bytes())
    /// A chunk (thread) gets at least this many flops (2·m·n·k counts all):
    /// measured on the 2-core Zen 5, a second thread loses up to 128³
    /// (2.1 M·2 flops), breaks even at 160³ and wins from 192³ (+40 %);
    /// 4 M flops per chunk puts the switch at m·n·k ≈ 4.2 M (≈ 161³).
    static let minimumChunkFlops = 1 << 22

    /// Whether the C kernel (`gk_sgemm_block`, AVX-512 or AVX2+FMA) runs the products:
    /// 2.5–4× the Swift kernel, which stays the portable fallback (baseline x86-64, arm64).
    /// Asked on every product (a few loads) rather than cached, so a thread whose
    /// kernel level is capped (``KernelLevel/withCap(_:_:)``, tests) gets the Swift kernel.
    static var hasCKernel: Bool { gk_sgemm_available() != 0 }

    /// C = alpha·op(A)·op(B) + beta·C on row-major matrices; see ``Backend/gemm``.
    /// Requires m, n, k ≥ 1. A single row or column of C goes to ``gemv``, k == 1
    /// to ``outerProduct``.
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 1 || n == 1 {
            gemv(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if k == 1 {
            outerProduct(m: m, n: n, alpha: alpha, a: a, incA: transposeA ? 1 : lda,
                         b: b, incB: transposeB ? ldb : 1, beta: beta, c: c, ldc: ldc)
            return
        }
        // The C kernel (AVX-512: 6 × 32 tiles, AVX2: 6 × 16) when the CPU has one, else the Swift 6 × 8 kernel.
        let useC = hasCKernel
        let (unitRows, unitColumns) = useC ? (mr, 32) : (mr, nr)
        let columnPanels = (n + unitColumns - 1) / unitColumns
        let rowPanels = (m + unitRows - 1) / unitRows
        let splitColumns = columnPanels >= rowPanels
        let units = splitColumns ? columnPanels : rowPanels
        let flopsPerUnit = 2.0 * Double(k) * Double(splitColumns ? m * unitColumns : n * unitRows)
        let minimumUnits = max(1, Int((Double(minimumChunkFlops) / flopsPerUnit).rounded(.up)))
        let product = GEMMOperands(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                   a: SendablePointer(a), lda: lda, b: SendablePointer(b), ldb: ldb,
                                   beta: beta, c: SendablePointer(c), ldc: ldc)
        parallelFor(units, minimumChunk: minimumUnits, chunksPerThread: balancedChunksPerThread, BlockedGEMMUnits(
            useC: useC, splitColumns: splitColumns, unitRows: unitRows, unitColumns: unitColumns, product: product))
    }

    /// Loops 5 to 1 above for the sub-matrix C[rows, columns], on one thread.
    ///
    /// - scratch: `scratchBytes` bytes, 64-byte aligned: packed A (MC × KC
    ///   `SIMD4<Float>`s) then packed B (KC × NC floats as `SIMD8<Float>` rows).
    static func blocked(transposeA: Bool, transposeB: Bool, rows: Range<Int>, columns: Range<Int>, k: Int,
                        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutableRawPointer) {
        let packedA = scratch.bindMemory(to: SIMD4<Float>.self, capacity: packedACount)
        let packedB = (scratch + packedACount * MemoryLayout<SIMD4<Float>>.stride)
            .bindMemory(to: SIMD8<Float>.self, capacity: kc * nc / nr)
        for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: nc) {
            let ncBlock = min(nc, columns.upperBound - jc)
            for pc in stride(from: 0, to: k, by: kc) {
                let kcBlock = min(kc, k - pc)
                let blockBeta = pc == 0 ? beta : 1
                packB(transposed: transposeB, b: b, ldb: ldb, depth: pc..<(pc + kcBlock),
                      columns: jc..<(jc + ncBlock), into: packedB)
                for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: mc) {
                    let mcBlock = min(mc, rows.upperBound - ic)
                    packA(transposed: transposeA, a: a, lda: lda, rows: ic..<(ic + mcBlock),
                          depth: pc..<(pc + kcBlock), into: packedA)
                    for jr in stride(from: 0, to: ncBlock, by: nr) {
                        let bPanel = packedB + (jr / nr) * kcBlock
                        for ir in stride(from: 0, to: mcBlock, by: mr) {
                            microKernel(depth: kcBlock, a: packedA + ir * kcBlock, b: bPanel,
                                        c: c + (ic + ir) * ldc + jc + jr, ldc: ldc, alpha: alpha, beta: blockBeta,
                                        rows: min(mr, mcBlock - ir), columns: min(nr, ncBlock - jr))
                        }
                    }
                }
            }
        }
    }

    /// The 6 × 8 register tile: C[0..<rows, 0..<columns] = alpha·Σₚ a[p]·b[p] + beta·C.
    ///
    /// - a: one packed A micro-panel, `depth × MR` broadcast values
    ///   (`SIMD4<Float>`, all lanes equal), [p][r].
    /// - b: one packed B micro-panel, `depth` rows of `SIMD8<Float>`, [p].
    /// - c: the tile's top-left element in C (row stride `ldc`); only
    ///   `rows × columns` elements are touched, and with `beta == 0` none is read.
    @inline(__always)
    static func microKernel(depth: Int, a: UnsafePointer<SIMD4<Float>>, b: UnsafePointer<SIMD8<Float>>,
                            c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                            rows: Int, columns: Int) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
        var ap = a, bp = b
        for _ in 0..<depth {
            let bv = bp.pointee
            c0 += SIMD8(lowHalf: ap[0], highHalf: ap[0]) * bv
            c1 += SIMD8(lowHalf: ap[1], highHalf: ap[1]) * bv
            c2 += SIMD8(lowHalf: ap[2], highHalf: ap[2]) * bv
            c3 += SIMD8(lowHalf: ap[3], highHalf: ap[3]) * bv
            c4 += SIMD8(lowHalf: ap[4], highHalf: ap[4]) * bv
            c5 += SIMD8(lowHalf: ap[5], highHalf: ap[5]) * bv
            ap += mr
            bp += 1
        }
        if rows == mr && columns == nr {
            store(c0, to: c, alpha: alpha, beta: beta)
            store(c1, to: c + ldc, alpha: alpha, beta: beta)
            store(c2, to: c + 2 * ldc, alpha: alpha, beta: beta)
            store(c3, to: c + 3 * ldc, alpha: alpha, beta: beta)
            store(c4, to: c + 4 * ldc, alpha: alpha, beta: beta)
            store(c5, to: c + 5 * ldc, alpha: alpha, beta: beta)
            return
        }
        // A partial tile (right or bottom edge): the same arithmetic, lane by lane.
        let tile = (c0, c1, c2, c3, c4, c5)
        withUnsafeBytes(of: tile) { raw in
            let sums = raw.bindMemory(to: Float.self)
            for r in 0..<rows {
                let row = c + r * ldc
                for j in 0..<columns {
                    var value = alpha * sums[r * nr + j]
                    if beta != 0 { value += beta * row[j] }
                    row[j] = value
                }
            }
        }
    }

    /// Writes alpha·sum + beta·(8 floats at `target`) to `target` (unaligned);
    /// `target` is not read when `beta == 0`.
    @inline(__always)
    static func store(_ sum: SIMD8<Float>, to target: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        let raw = UnsafeMutableRawPointer(target)
        var value = alpha * sum
        if beta != 0 { value += beta * raw.loadUnaligned(as: SIMD8<Float>.self) }
        raw.storeBytes(of: value, as: SIMD8<Float>.self)
    }
}

/// A range of row or column panels of C for ``BuiltinGEMM/gemm``, each chunk
/// packing into its own scratch buffer.
private struct BlockedGEMMUnits: ParallelKernel {
    let useC: Bool, splitColumns: Bool
    let unitRows: Int, unitColumns: Int
    let product: GEMMOperands

    func run(_ units: Range<Int>) {
        let p = product
        let rows = splitColumns ? 0..<p.m : (units.lowerBound * unitRows)..<min(p.m, units.upperBound * unitRows)
        let columns = splitColumns ? (units.lowerBound * unitColumns)..<min(p.n, units.upperBound * unitColumns) : 0..<p.n
        GEMMScratchPool.shared.withBuffer { scratch in
            if useC {
                gk_sgemm_block(p.transposeA ? 1 : 0, p.transposeB ? 1 : 0, rows.lowerBound, rows.upperBound,
                               columns.lowerBound, columns.upperBound, p.k, p.alpha, p.a.pointer, p.lda,
                               p.b.pointer, p.ldb, p.beta, p.c.pointer, p.ldc, scratch)
            } else {
                BuiltinGEMM.blocked(transposeA: p.transposeA, transposeB: p.transposeB, rows: rows, columns: columns,
                                    k: p.k, alpha: p.alpha, a: p.a.pointer, lda: p.lda, b: p.b.pointer, ldb: p.ldb,
                                    beta: p.beta, c: p.c.pointer, ldc: p.ldc, scratch: scratch)
            }
        }
    }
}
