import Foundation

/// A fast, seedable random number generator (xoshiro256**) whose state can be saved and restored.
///
/// Every random choice in GANKit (initial weights, noise, dropout masks,
/// shuffling) draws from a `SeededGenerator` passed in explicitly, so a run
/// with the same seed is reproducible bit for bit. There is no global generator.
///
/// ```swift
/// var rng = SeededGenerator(seed: 7)
/// let noise = Tensor.randomNormal([64, 100], using: &rng)
/// let saved = rng.state            // store in a checkpoint…
/// rng = SeededGenerator(state: saved) // …and continue the same stream later
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Creates a generator whose state is derived from `seed` with SplitMix64.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Restores a generator from a saved `state` (four words, not all zero).
    /// - Precondition: `state.count == 4` and not all words are zero.
    public init(state: [UInt64]) {
        require(state.count == 4 && state.contains { $0 != 0 },
                "SeededGenerator(state:): expected 4 words, not all zero, got \(state)")
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    /// The four 64-bit words of the xoshiro256** state, for saving (see `init(state:)`).
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal sample (Box–Muller in double precision).
    @inlinable
    public mutating func nextNormal() -> Float {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1 - nextUnitDouble(), u2 = nextUnitDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject: unbiased,
    /// and the same on every platform and Swift version, unlike `Int.random(in:using:)`).
    /// - Precondition: `bound > 0`.
    public mutating func next(below bound: UInt64) -> UInt64 {
        require(bound > 0, "SeededGenerator.next(below:): bound must be positive, got \(bound)")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates, from the last element down).
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, Int(next(below: UInt64(i + 1))))
            i -= 1
        }
        return order
    }

    /// Compares the generator states.
    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool { lhs.state == rhs.state }
    /// Hashes the generator state.
    public func hash(into hasher: inout Hasher) { hasher.combine(state) }
}
