import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a TensorBoard event file: scalars, images, histograms and text, as
/// PyTorch's `SummaryWriter` and Keras' `TensorBoard` callback do, with no dependency.
///
/// The file, `events.out.tfevents.<seconds>.<host>.<pid>.<n>` in ``directory``, is a
/// TFRecord file (each record: its length, the masked CRC-32C of the length, the data,
/// the masked CRC-32C of the data) of `tensorflow.Event` protocol buffers, the first
/// one naming the file version. Records are kept in memory until ``flush()``, which
/// appends them to the file with one `write` (no `fsync`: the page cache takes the
/// bytes in microseconds, and a crash loses only the records after the last flush; a
/// record cut short by a crash is where TensorBoard stops reading, the records before
/// it stay readable).
///
/// ```swift
/// let writer = try EventFileWriter(directory: URL(fileURLWithPath: "runs/first"))
/// writer.addScalar("loss/generator", 0.69, step: 1)
/// try writer.flush()
/// ```
/// Then `tensorboard --logdir runs` shows it. Not `Sendable`: one writer belongs to one thread.
public final class EventFileWriter {
    /// The folder of the file (a TensorBoard "run").
    public let directory: URL
    /// The event file.
    public let url: URL
    private var pending: [UInt8] = []
    private var event = ProtobufWriter()
    private var histogram = HistogramBuckets()
    private let descriptor: Int32
    /// Pending bytes above which a record is appended to the file at once; the buffer is
    /// reserved at twice this size, so adding records does not allocate.
    private static let flushThreshold = 1 << 20

    /// Creates the folder if needed and starts a new event file in it.
    /// - Throws: ``FileWriteError`` naming the file when it cannot be created.
    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        var candidate: URL
        var counter = 0
        repeat {
            let name = "events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host).\(getpid()).\(counter)"
            candidate = directory.appendingPathComponent(name)
            counter += 1
        } while FileManager.default.fileExists(atPath: candidate.path)
        url = candidate
        descriptor = open(candidate.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0o644)
        guard descriptor >= 0 else {
            throw FileWriteError(path: candidate.path, reason: String(cString: strerror(errno)))
        }
        pending.reserveCapacity(2 * Self.flushThreshold)
        record(step: 0) { $0.string(3, "brain.Event:2") }
        try flush()
    }

    deinit {
        try? flush()
        close(descriptor)
    }

    // MARK: - Summaries

    /// A scalar (a point of a TensorBoard curve).
    public func addScalar(_ tag: String, _ value: Float, step: Int, wallTime: Double? = nil) {
        summary(tag, step: step, wallTime: wallTime) { $0.float(2, value) }
    }

    /// An image given as PNG bytes of `width` × `height` pixels with `channels` (1 grey, 3 RGB, 4 RGBA).
    public func addImage(_ tag: String, png: [UInt8], width: Int, height: Int, channels: Int, step: Int,
                         wallTime: Double? = nil) {
        summary(tag, step: step, wallTime: wallTime) { value in
            value.message(4) { image in
                image.integer(1, height)
                image.integer(2, width)
                image.integer(3, channels)
                image.bytes(4, png)
            }
        }
    }

    /// An image, PNG-encoded.
    /// - Throws: ``PNGError`` when the image cannot be encoded (no pixels, 2 channels).
    public func addImage(_ tag: String, _ image: RasterImage, step: Int, wallTime: Double? = nil) throws {
        let png = try PNG.encode(width: image.width, height: image.height, channels: image.channels, pixels: image.pixels)
        addImage(tag, png: png, width: image.width, height: image.height, channels: image.channels,
                 step: step, wallTime: wallTime)
    }

    /// A histogram of the finite elements of `values`, over TensorFlow's default bucket edges
    /// (±1e-12 · 1.1^k up to 1e20, and 0; bucket `i` counts the values in `[edge[i − 1], edge[i])`),
    /// with their minimum, maximum, count, sum and sum of squares.
    public func addHistogram(_ tag: String, _ values: Tensor, step: Int, wallTime: Double? = nil) {
        values.withUnsafeBufferPointer { self.histogram.summarise($0) }
        let histogram = self.histogram
        summary(tag, step: step, wallTime: wallTime) { value in
            value.message(5) { proto in
                proto.double(1, histogram.minimum)
                proto.double(2, histogram.maximum)
                proto.double(3, Double(histogram.count))
                proto.double(4, histogram.sum)
                proto.double(5, histogram.sumOfSquares)
                proto.packedDoubles(6, HistogramBuckets.edges[histogram.range])
                proto.packedDoubles(7, histogram.counts[histogram.range])
            }
        }
    }

    /// A text (Markdown), shown by TensorBoard's text plugin.
    public func addText(_ tag: String, _ text: String, step: Int, wallTime: Double? = nil) {
        summary(tag, step: step, wallTime: wallTime, pluginName: "text") { value in
            value.message(8) { tensor in
                tensor.integer(1, 7)  // DT_STRING
                tensor.message(2) { shape in shape.message(2) { dimension in dimension.integer(1, 1) } }
                tensor.string(8, text)
            }
        }
    }

    /// A session start at `step`: TensorBoard drops what earlier files recorded at `step`
    /// and later, so a run resumed from a checkpoint at `step − 1` continues as one curve
    /// (what PyTorch's `SummaryWriter(purge_step:)` writes).
    public func addSessionStart(step: Int, wallTime: Double? = nil) {
        record(step: step, wallTime: wallTime) { event in event.message(7) { $0.integer(1, 1) } }  // SessionLog START
    }

    /// Appends the records added since the last flush to the file.
    /// - Throws: ``FileWriteError`` naming the file and the reason (the records stay pending).
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let written = pending.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == pending.count else {
            throw FileWriteError(path: url.path, reason: written < 0 ? String(cString: strerror(errno))
                                                                     : "only \(written) of \(pending.count) bytes written")
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Bytes added but not yet flushed.
    public var pendingByteCount: Int { pending.count }

    // MARK: - Encoding

    /// One `Summary` event with one value: `tag`, optional plugin metadata, then what `body` writes.
    private func summary(_ tag: String, step: Int, wallTime: Double?, pluginName: String? = nil,
                         _ body: (inout ProtobufWriter) -> Void) {
        record(step: step, wallTime: wallTime) { event in
            event.message(5) { summary in
                summary.message(1) { value in
                    value.string(1, tag)
                    if let pluginName { value.message(9) { metadata in metadata.message(1) { $0.string(1, pluginName) } } }
                    body(&value)
                }
            }
        }
    }

    /// Encodes one `Event` (wall time, step, then `body`'s fields) and frames it as a TFRecord;
    /// appends the pending records to the file first when they pass ``flushThreshold``.
    private func record(step: Int, wallTime: Double? = nil, _ body: (inout ProtobufWriter) -> Void) {
        event.reset()
        event.double(1, wallTime ?? Date().timeIntervalSince1970)
        event.integer(2, step)
        body(&event)
        if pending.count + event.bytes.count + 16 > Self.flushThreshold { try? flush() }
        var length = UInt64(event.bytes.count).littleEndian
        withUnsafeBytes(of: &length) { lengthBytes in
            pending.append(contentsOf: lengthBytes)
            var crc = CRC32C.masked(lengthBytes).littleEndian
            withUnsafeBytes(of: &crc) { pending.append(contentsOf: $0) }
        }
        event.bytes.withUnsafeBytes { dataBytes in
            pending.append(contentsOf: dataBytes)
            var crc = CRC32C.masked(dataBytes).littleEndian
            withUnsafeBytes(of: &crc) { pending.append(contentsOf: $0) }
        }
    }
}
