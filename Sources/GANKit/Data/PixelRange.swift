/// The scale on which image tensors hold 8-bit pixels: how a byte becomes a
/// value when data is loaded, and how a value becomes a byte again when
/// grids (``makeImageGrid(_:columns:padding:padValue:pixelRange:)``), IDX
/// exports (``exportIDX(_:pixelRange:to:)``) and ``SampleGridWriter`` write
/// samples out.
///
/// Load data on the scale of the generator's output activation: `[-1, 1]` for
/// `tanh` (the default everywhere), `[0, 1]` for `sigmoid` (see
/// ``MLPGAN/OutputActivation/pixelRange``); then write samples with the same range.
///
/// ```swift
/// let data = try ImageDataset.mnist(directory: folder, split: .train, pixelRange: .zeroToOne)
/// try saveImageGrid(trainer.sample(noise: noise), pixelRange: .zeroToOne, to: gridURL)
/// ```
public enum PixelRange: Sendable, Hashable, CustomStringConvertible {
    /// `[-1, 1]`: byte `b` ↔ `b / 127.5 − 1` (the range of a `tanh` generator; the default).
    case minusOneToOne
    /// `[0, 1]`: byte `b` ↔ `b / 255` (the range of a `sigmoid` generator, as Keras' `x / 255`).
    case zeroToOne

    /// The value of black, byte 0: −1 or 0.
    public var lowerBound: Float { self == .minusOneToOne ? -1 : 0 }

    /// The value of white, byte 255: 1 in both ranges.
    public var upperBound: Float { 1 }

    /// `[-1, 1]` or `[0, 1]`.
    public var description: String { self == .minusOneToOne ? "[-1, 1]" : "[0, 1]" }

    /// The value of byte `byte` on this scale: `b / 127.5 − 1` or `b / 255`.
    @inline(__always)
    public func value(ofByte byte: UInt8) -> Float {
        switch self {
        case .minusOneToOne: Float(byte) / 127.5 - 1
        case .zeroToOne: Float(byte) / 255
        }
    }

    /// The byte of `value`: `round((x + 1) · 127.5)` or `round(x · 255)`, clamped
    /// to `0...255`; NaN becomes 0. Inverts ``value(ofByte:)`` exactly for every byte.
    @inline(__always)
    public func byte(_ value: Float) -> UInt8 {
        guard !value.isNaN else { return 0 }
        let scaled = switch self {
        case .minusOneToOne: ((value + 1) * 127.5).rounded()
        case .zeroToOne: (value * 255).rounded()
        }
        return UInt8(min(max(scaled, 0), 255))
    }

    /// The values of all 256 bytes, `table[b] == value(ofByte: b)` (for converting whole images).
    var byteValues: [Float] { (0...255).map { value(ofByte: UInt8($0)) } }

    /// `images` moved from this scale to `target`'s by the affine map that takes
    /// black to black and white to white (`x ↦ (x + 1) / 2` or `x ↦ 2x − 1`);
    /// the same tensor when the ranges are equal. Any shape.
    public func rescale(_ images: Tensor, to target: PixelRange) -> Tensor {
        guard target != self else { return images }
        var result = images
        result.withUnsafeMutableBufferPointer { values in
            for i in values.indices {
                values[i] = target == .zeroToOne ? (values[i] + 1) / 2 : 2 * values[i] - 1
            }
        }
        return result
    }
}
