import Foundation

/// A line chart rendered to pixels without any graphics library, for
/// training curves (generator and discriminator loss per step, say).
///
/// White background, a boxed plot area with ticks at "nice" values
/// (1, 2 or 5 × 10ᵏ) and their labels, optional light gridlines, a title,
/// axis labels, and a legend listing each series' colour and name. Lines are
/// anti-aliased, 2 pixels wide. Non-finite points (NaN, ±∞) are skipped and
/// break the line; an isolated point is drawn as a dot; empty series appear
/// only in the legend; a constant series gets a small range around its value.
/// Curves take the colours of matplotlib's "tab10" cycle in the order they are added.
///
/// ```swift
/// var plot = LinePlot(title: "DCGAN on MNIST", xLabel: "step", yLabel: "loss")
/// plot.add("D loss", values: discriminatorLosses)
/// plot.add("G loss", values: generatorLosses)
/// try plot.write(to: URL(fileURLWithPath: "losses.png"))
/// ```
public struct LinePlot: Sendable {
    /// One named curve (internal: colours come from the palette, in order).
    struct Series: Sendable {
        /// The legend text.
        var name: String
        /// The line colour.
        var color: RGBColor
        /// The points in drawing order.
        var points: [(x: Double, y: Double)]

        /// Creates a series from explicit points.
        init(name: String, color: RGBColor, points: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.points = points
        }

        /// Creates a series from values at x = 0, 1, 2, ….
        init(name: String, color: RGBColor, values: [Double]) {
            self.init(name: name, color: color, points: values.enumerated().map { (Double($0.offset), $0.element) })
        }
    }

    /// Text above the plot (may be empty).
    public var title: String
    /// Text below the x axis (may be empty).
    public var xLabel: String
    /// Text along the y axis, reading upwards (may be empty).
    public var yLabel: String
    /// The curves, drawn in order (later ones on top).
    var series: [Series] = []
    /// Whether to draw light gray gridlines at the ticks.
    public var showsGrid: Bool

    /// Creates a plot with no curves; ``add(_:points:)`` and ``add(_:values:)`` add them.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", showsGrid: Bool = true) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.showsGrid = showsGrid
    }

    /// A plot of `series` (for tests that choose colours).
    init(series: [Series]) {
        self.init()
        self.series = series
    }

    /// Appends a curve through `points`, in the next colour of matplotlib's
    /// "tab10" cycle (blue, orange, green, red, …).
    public mutating func add(_ name: String, points: [(x: Double, y: Double)]) {
        let palette = RGBColor.palette
        add(name, color: palette[series.count % palette.count], points: points)
    }

    /// Appends a curve through `values` at x = 0, 1, 2, …, in the next colour of the cycle.
    public mutating func add(_ name: String, values: [Double]) {
        add(name, points: values.enumerated().map { (Double($0.offset), $0.element) })
    }

    /// Appends a curve in `color`.
    mutating func add(_ name: String, color: RGBColor, points: [(x: Double, y: Double)]) {
        series.append(Series(name: name, color: color, points: points))
    }

    /// Appends a curve through `values` at x = 0, 1, 2, … in `color`.
    mutating func add(_ name: String, color: RGBColor, values: [Double]) {
        add(name, color: color, points: values.enumerated().map { (Double($0.offset), $0.element) })
    }

    /// Draws the plot.
    /// - Parameters:
    ///   - width: Image width in pixels (at least 1; below about 200 the labels crowd).
    ///   - height: Image height in pixels (at least 1).
    /// - Returns: An RGB `RasterImage` of exactly `width` × `height`.
    public func render(width: Int = 800, height: Int = 500) -> RasterImage {
        var canvas = Canvas(width: width, height: height, background: .white)
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xAxis = PlotAxis(values: finite.map(\.x), targetTicks: 8)
        let yAxis = PlotAxis(values: finite.map(\.y), targetTicks: 6)
        let yLabels = yAxis.ticks.map { yAxis.label($0) }
        let xLabels = xAxis.ticks.map { xAxis.label($0) }
        let glyphHeight = BitmapFont.glyphHeight

        // Margins sized to the text around the plot area.
        let top = title.isEmpty ? 16 : 12 + 2 * glyphHeight + 12
        let yTickWidth = yLabels.map { BitmapFont.width(of: $0) }.max() ?? 0
        let left = 10 + (yLabel.isEmpty ? 0 : glyphHeight + 10) + yTickWidth + 8
        let bottom = 8 + glyphHeight + 8 + (xLabel.isEmpty ? 0 : glyphHeight + 10)
        let right = 12 + (BitmapFont.width(of: xLabels.last ?? "") + 1) / 2
        let area = PixelRect(x: left, y: top, width: max(canvas.width - left - right, 2),
                             height: max(canvas.height - top - bottom, 2))
        let gray = RGBColor(hex: 0x404040)

        // Data map into the area less a small inset, so lines at the extremes are not cut by the frame.
        let inset = area.width > 40 && area.height > 40 ? 6 : 0
        let inner = PixelRect(x: area.x + inset, y: area.y + inset, width: area.width - 2 * inset,
                              height: area.height - 2 * inset)
        func pixelX(_ x: Double) -> Double { Double(inner.x) + xAxis.fraction(x) * Double(inner.width - 1) }
        func pixelY(_ y: Double) -> Double { Double(inner.maxY - 1) - yAxis.fraction(y) * Double(inner.height - 1) }

        // Gridlines, ticks and tick labels.
        for (tick, label) in zip(yAxis.ticks, yLabels) {
            let y = Int(pixelY(tick).rounded())
            if showsGrid { canvas.fill(PixelRect(x: area.x, y: y, width: area.width, height: 1), RGBColor(hex: 0xE6E6E6)) }
            canvas.fill(PixelRect(x: area.x - 4, y: y, width: 4, height: 1), gray)
            canvas.text(label, x: area.x - 7 - BitmapFont.width(of: label), y: y - glyphHeight / 2, gray)
        }
        for (tick, label) in zip(xAxis.ticks, xLabels) {
            let x = Int(pixelX(tick).rounded())
            if showsGrid { canvas.fill(PixelRect(x: x, y: area.y, width: 1, height: area.height), RGBColor(hex: 0xE6E6E6)) }
            canvas.fill(PixelRect(x: x, y: area.maxY, width: 1, height: 4), gray)
            canvas.text(label, x: x - BitmapFont.width(of: label) / 2, y: area.maxY + 7, gray)
        }
        canvas.stroke(PixelRect(x: area.x - 1, y: area.y - 1, width: area.width + 2, height: area.height + 2), gray)

        // The curves: polylines broken at non-finite points.
        for curve in series {
            var run: [(x: Double, y: Double)] = []
            func flush() {
                if run.count == 1 { canvas.line(from: run[0], to: run[0], curve.color, thickness: 4, clip: area) }
                for (a, b) in zip(run, run.dropFirst()) { canvas.line(from: a, to: b, curve.color, thickness: 2, clip: area) }
                run.removeAll(keepingCapacity: true)
            }
            for point in curve.points {
                if point.x.isFinite && point.y.isFinite { run.append((pixelX(point.x), pixelY(point.y))) } else { flush() }
            }
            flush()
        }

        // Title, axis labels, legend.
        if !title.isEmpty {
            canvas.text(title, x: (canvas.width - BitmapFont.width(of: title, scale: 2)) / 2, y: 12, .black, scale: 2)
        }
        if !xLabel.isEmpty {
            canvas.text(xLabel, x: area.x + (area.width - BitmapFont.width(of: xLabel)) / 2,
                        y: area.maxY + 8 + glyphHeight + 10, .black)
        }
        if !yLabel.isEmpty {
            canvas.text(yLabel, x: 10, y: area.y + (area.height + BitmapFont.width(of: yLabel)) / 2, .black, rotated: true)
        }
        drawLegend(on: &canvas, in: area)
        return canvas.image
    }

    /// Renders the plot and writes it as a PNG file, atomically.
    /// - Throws: `PNGError` if the file cannot be written.
    public func write(to url: URL, width: Int = 800, height: Int = 500) throws {
        try render(width: width, height: height).writePNG(to: url)
    }

    /// A boxed legend in the top-right corner of the plot area: a solid
    /// swatch of each series' exact colour, then its name.
    private func drawLegend(on canvas: inout Canvas, in area: PixelRect) {
        guard !series.isEmpty else { return }
        let rowHeight = BitmapFont.glyphHeight + 6
        let nameWidth = series.map { BitmapFont.width(of: $0.name) }.max() ?? 0
        let box = PixelRect(x: area.maxX - 8 - (8 + 18 + 6 + nameWidth + 8), y: area.y + 8,
                            width: 8 + 18 + 6 + nameWidth + 8, height: series.count * rowHeight + 8)
        canvas.fill(box, .white)
        canvas.stroke(box, RGBColor(hex: 0xB0B0B0))
        for (row, curve) in series.enumerated() {
            let y = box.y + 4 + row * rowHeight + 3
            canvas.fill(PixelRect(x: box.x + 8, y: y + BitmapFont.glyphHeight / 2 - 1, width: 18, height: 4), curve.color)
            canvas.text(curve.name, x: box.x + 8 + 18 + 6, y: y, .black)
        }
    }
}

/// One axis: a padded data range snapped outwards to "nice" tick values.
struct PlotAxis {
    let lower: Double
    let upper: Double
    let step: Double
    let ticks: [Double]

    /// Chooses a 1-2-5 step giving about `targetTicks` intervals over the
    /// finite `values`; no values gives 0…1, a single value a small range around it.
    init(values: [Double], targetTicks: Int) {
        // Keep spans finite even for values near ±Double.greatestFiniteMagnitude.
        var low = max(values.min() ?? 0, -1e300)
        var high = min(values.max() ?? 1, 1e300)
        if high - low < max(abs(low), abs(high)) * 1e-12 || high - low < 1e-300 {
            let pad = max(abs(low) * 0.1, 1e-9)
            low -= pad
            high += pad
        }
        let step = PlotAxis.niceStep(span: high - low, intervals: max(targetTicks, 1))
        let first = (low / step).rounded(.down) * step
        let last = (high / step).rounded(.up) * step
        let count = Int(((last - first) / step).rounded())
        lower = first
        upper = last
        self.step = step
        ticks = (0...min(max(count, 1), 1000)).map { index in
            let value = first + Double(index) * step
            return abs(value) < step * 1e-9 ? 0 : value
        }
    }

    /// The smallest of 1, 2, 5 × 10ᵏ at least `span / intervals`.
    static func niceStep(span: Double, intervals: Int) -> Double {
        let raw = span / Double(intervals)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        let step = nice * magnitude
        return step.isFinite && step > 0 ? step : 1
    }

    /// Where `value` falls between `lower` (0) and `upper` (1).
    func fraction(_ value: Double) -> Double {
        upper > lower ? (value - lower) / (upper - lower) : 0.5
    }

    /// A tick label with as many decimals as the step needs, or scientific
    /// notation for very large or very small magnitudes.
    func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        let largest = max(abs(lower), abs(upper))
        let stepExponent = Int(log10(step).rounded(.down))
        if largest >= 1e6 || largest < 1e-3 || stepExponent < -6 {
            let digits = min(max(Int(log10(abs(value)).rounded(.down)) - stepExponent, 0), 6)
            return String(format: "%.\(digits)e", value)
                .replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-")
                .replacingOccurrences(of: "e+", with: "e")
        }
        return String(format: "%.\(max(0, -stepExponent))f", value)
    }
}
