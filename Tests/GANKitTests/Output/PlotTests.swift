import Foundation
import Testing
@testable import GANKit

@Suite struct PlotTests {
    private func count(_ color: RGBColor, in image: RasterImage) -> Int {
        stride(from: 0, to: image.pixels.count, by: 3).filter {
            image.pixels[$0] == color.red && image.pixels[$0 + 1] == color.green && image.pixels[$0 + 2] == color.blue
        }.count
    }

    /// Writes the image for a human to look at when GANKIT_TEST_OUTPUT names a directory.
    private func keep(_ plot: LinePlot, _ name: String) throws {
        guard let directory = ProcessInfo.processInfo.environment["GANKIT_TEST_OUTPUT"] else { return }
        try plot.write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }

    @Test func rendersLossCurvesWithLegend() throws {
        var plot = LinePlot(title: "GAN losses", xLabel: "step", yLabel: "loss")
        let red = RGBColor(red: 200, green: 30, blue: 40)
        plot.add("D loss", color: red, values: (0..<500).map { 0.7 + 0.3 * sin(Double($0) / 20) })
        plot.add("G loss", values: (0..<500).map { 2.0 - Double($0) / 400 })
        let image = plot.render()
        #expect(image.width == 800 && image.height == 500 && image.channels == 3)
        #expect(image.pixels.count == 800 * 500 * 3)
        #expect(image.pixel(x: 0, y: 0) == [255, 255, 255], "white background")
        #expect(count(red, in: image) >= 18 * 4, "legend swatch and line in the series colour")
        #expect(count(RGBColor.palette[1], in: image) >= 18 * 4, "second series gets palette colour 1")
        #expect(count(.black, in: image) > 50, "title and labels drawn")
        try keep(plot, "losses.png")
    }

    @Test func survivesNaNInfinityEmptyAndFlatSeries() throws {
        var plot = LinePlot(title: "edge cases")
        plot.add("gaps", color: RGBColor(hex: 0x00AA00),
                 points: [(0, 1), (1, .nan), (2, 3), (3, .infinity), (4, 2), (.nan, 5), (5, 2.5), (6, -.infinity)])
        plot.add("empty", color: RGBColor(hex: 0xAA00AA), values: [])
        plot.add("flat", color: RGBColor(hex: 0x0000CC), values: [2, 2, 2, 2])
        let image = plot.render(width: 640, height: 400)
        #expect(image.width == 640 && image.height == 400)
        for color in plot.series.map(\.color) { #expect(count(color, in: image) >= 18 * 4) }
        try keep(plot, "edge-cases.png")

        let onlyFlat = LinePlot(series: [.init(name: "c", color: .black, values: [0.693, 0.693])]).render()
        #expect(onlyFlat.width == 800)
        let nothing = LinePlot(series: [.init(name: "nan", color: .black, values: [.nan, .infinity])]).render()
        #expect(nothing.height == 500)
        let huge = LinePlot(series: [.init(name: "big", color: .black,
                                           values: [-.greatestFiniteMagnitude, .greatestFiniteMagnitude])]).render()
        #expect(huge.width == 800)
        let tiny = LinePlot(series: [.init(name: "tiny", color: .black, values: [Double.leastNonzeroMagnitude, 2 * .leastNonzeroMagnitude, 0])]).render()
        #expect(tiny.width == 800)
    }

    @Test func tinyCanvasesDoNotCrash() {
        var plot = LinePlot(title: "a very long title that does not fit", xLabel: "x", yLabel: "y")
        plot.add("s", values: [1, 2, 3])
        for (w, h) in [(1, 1), (10, 10), (120, 60)] {
            let image = plot.render(width: w, height: h)
            #expect(image.width == w && image.height == h)
        }
    }

    @Test func niceTicks() {
        let axis = PlotAxis(values: [0.03, 0.93], targetTicks: 6)
        #expect(axis.step == 0.2)
        #expect(zip(axis.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0 - $1) < 1e-12 } && axis.ticks.count == 6)
        #expect(axis.ticks.map(axis.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let steps = PlotAxis(values: [0, 9999], targetTicks: 8)
        #expect(steps.step == 2000 && steps.ticks.map(steps.label) == ["0", "2000", "4000", "6000", "8000", "10000"])
        let flat = PlotAxis(values: [5, 5], targetTicks: 6)
        #expect(flat.lower < 5 && flat.upper > 5)
        let empty = PlotAxis(values: [], targetTicks: 6)
        #expect(empty.lower == 0 && empty.upper == 1)
        let big = PlotAxis(values: [0, 3e7], targetTicks: 6)
        #expect(big.label(big.ticks[1]) == "5e6")
        for value in [1.0, 2, 5, 10, 20, 50] {
            #expect([1.0, 2, 5].contains(PlotAxis.niceStep(span: value * 6 * 0.9, intervals: 6) / value))
        }
    }

    @Test func fontCoversPrintableASCII() {
        #expect(BitmapFont.glyphs.count == 95)
        for code in 33...126 {
            let character = Character(UnicodeScalar(UInt8(code)))
            #expect(BitmapFont.columns(of: character).contains { $0 != 0 }, "glyph for \(character)")
            #expect(BitmapFont.columns(of: character).allSatisfy { $0 < 0x80 }, "7 rows only")
        }
        #expect(BitmapFont.columns(of: " ") == [0, 0, 0, 0, 0])
        #expect(BitmapFont.columns(of: "é") == BitmapFont.columns(of: "?"))
        #expect(BitmapFont.width(of: "abc") == 17 && BitmapFont.width(of: "") == 0)
        // "I": a vertical bar in the middle column with serifs.
        #expect((0..<7).allSatisfy { BitmapFont.isSet("I", x: 2, y: $0) })
        #expect(!BitmapFont.isSet("I", x: 0, y: 3) && !BitmapFont.isSet("I", x: 9, y: 0))
    }

    @Test func writesADecodablePNG() throws {
        let dir = try TemporaryDirectory()
        var plot = LinePlot(title: "t")
        plot.add("s", values: [3, 1, 2])
        let url = dir.file("plot.png")
        try plot.write(to: url, width: 300, height: 200)
        let decoded = try DecodedPNG([UInt8](Data(contentsOf: url)))
        #expect(decoded.width == 300 && decoded.height == 200 && decoded.channels == 3)
        #expect(decoded.pixels == plot.render(width: 300, height: 200).pixels)
    }
}
