// tensorboard-fixture OUTDIR: writes one TensorBoard event file with known scalars, a
// histogram, an image and a text into OUTDIR, and OUTDIR/expected.json with what was
// written, so `Scripts/check-tensorboard.py fixture OUTDIR` can read the file with
// TensorBoard's own reader and compare (histogram statistics computed there, by numpy).
import Foundation
import GANKit

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: tensorboard-fixture OUTDIR\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: CommandLine.arguments[1])
let writer = try EventFileWriter(directory: directory)

// Scalars, including values a float32 must carry exactly.
let scalarValues: [Float] = [0, 1, -1, 0.1, 1e-30, -3.4e38, .pi, 0.6931472, 123456.79, Float.leastNormalMagnitude]
var scalars: [[Double]] = []
for (index, value) in scalarValues.enumerated() {
    writer.addScalar("fixture/scalar", value, step: index + 1)
    scalars.append([Double(index + 1), Double(value)])
}

// A histogram of normal values with a few exact zeros and large magnitudes.
var rng = SeededGenerator(seed: 5)
var histogramValues = (0..<5000).map { _ in rng.nextNormal() * 0.05 }
histogramValues += [0, 0, 0, 1e-13, -1e-13, 7.5, -2e5]
writer.addHistogram("fixture/histogram", Tensor(histogramValues), step: 3)

// An RGB image with a gradient and a grey one.
let (width, height) = (37, 11)
let rgb: [UInt8] = (0..<width * height * 3).map { (index: Int) -> UInt8 in UInt8((index * 7 + index / 3) % 256) }
try writer.addImage("fixture/image", RasterImage(width: width, height: height, channels: 3, pixels: rgb), step: 4)
let grey: [UInt8] = (0..<width * height).map { (index: Int) -> UInt8 in UInt8(index % 256) }
try writer.addImage("fixture/grey", RasterImage(width: width, height: height, channels: 1, pixels: grey), step: 5)

let text = "GANKit fixture: *Markdown* text, ünïcödé, and a line break\nsecond line"
writer.addText("fixture/text", text, step: 6)
try writer.flush()

let expected: [String: Any] = [
    "file": writer.url.lastPathComponent,
    "scalars": ["fixture/scalar": scalars],
    "histograms": ["fixture/histogram": ["step": 3, "values": histogramValues.map(Double.init)]],
    "images": [
        "fixture/image": ["step": 4, "width": width, "height": height, "channels": 3, "pixels": rgb.map(Int.init)],
        "fixture/grey": ["step": 5, "width": width, "height": height, "channels": 1, "pixels": grey.map(Int.init)],
    ],
    "texts": ["fixture/text": ["step": 6, "text": text]],
]
try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys])
    .write(to: directory.appendingPathComponent("expected.json"))
print("wrote \(writer.url.path) and expected.json")
