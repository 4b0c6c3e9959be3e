// Pixel conversions for the image-folder reader: channel conversion to planar
// floats, centre crop to an aspect ratio, and separable resampling (area
// averaging when shrinking an axis, bilinear when enlarging it).

enum ImageResampling {
    /// The image as planar floats `[channels, height, width]` with values in 0…255.
    ///
    /// Gray (+ alpha) to RGB repeats the gray value; RGB(A) to gray uses the
    /// ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B` (as PIL's `convert("L")`,
    /// without its rounding). Alpha is dropped, not composited.
    /// - Precondition: `channels` is 1 or 3 and `image.channels` is 1 to 4.
    static func planes(of image: RasterImage, channels: Int) -> [Float] {
        let count = image.width * image.height
        let stride = image.channels
        var out = [Float](repeating: 0, count: channels * count)
        image.pixels.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { planes in
                switch (stride >= 3, channels) {
                case (false, 1):
                    for i in 0..<count { planes[i] = Float(pixels[i * stride]) }
                case (false, _):
                    for i in 0..<count {
                        let gray = Float(pixels[i * stride])
                        planes[i] = gray; planes[count + i] = gray; planes[2 * count + i] = gray
                    }
                case (true, 1):
                    for i in 0..<count {
                        let p = i * stride
                        planes[i] = 0.299 * Float(pixels[p]) + 0.587 * Float(pixels[p + 1]) + 0.114 * Float(pixels[p + 2])
                    }
                case (true, _):
                    for i in 0..<count {
                        let p = i * stride
                        planes[i] = Float(pixels[p])
                        planes[count + i] = Float(pixels[p + 1])
                        planes[2 * count + i] = Float(pixels[p + 2])
                    }
                }
            }
        }
        return out
    }

    /// The centred window of a `height`×`width` image with the aspect ratio of
    /// `targetHeight`×`targetWidth`, as (top, left, height, width); the longer
    /// side is cut equally on both ends (rounded towards the top/left).
    static func centreCrop(height: Int, width: Int, targetHeight: Int, targetWidth: Int)
        -> (top: Int, left: Int, height: Int, width: Int) {
        if width * targetHeight > height * targetWidth {
            let cropWidth = max(1, Int((Double(height) * Double(targetWidth) / Double(targetHeight)).rounded()))
            return (0, (width - cropWidth) / 2, height, cropWidth)
        }
        let cropHeight = max(1, Int((Double(width) * Double(targetHeight) / Double(targetWidth)).rounded()))
        return ((height - cropHeight) / 2, 0, cropHeight, width)
    }

    /// For each of `destination` output positions along one axis: the first
    /// source index (absolute, from `start`) and the weights of consecutive
    /// source pixels, summing to 1.
    ///
    /// Shrinking (`length ≥ destination`) averages the source pixels each
    /// output pixel covers, weighted by overlap (area averaging, like OpenCV's
    /// `INTER_AREA`); enlarging interpolates linearly between the two nearest
    /// source pixel centres (half-pixel centres, edges clamped, like
    /// `align_corners=False`).
    static func axisWeights(start: Int, length: Int, destination: Int) -> [(first: Int, weights: [Float])] {
        let scale = Double(length) / Double(destination)
        return (0..<destination).map { o in
            if length >= destination {
                let low = Double(o) * scale, high = Double(o + 1) * scale
                let first = Int(low.rounded(.down)), last = min(length, Int(high.rounded(.up)))
                let weights = (first..<last).map { i in
                    Float((min(high, Double(i + 1)) - max(low, Double(i))) / scale)
                }
                return (start + first, weights)
            }
            let centre = min(max((Double(o) + 0.5) * scale - 0.5, 0), Double(length - 1))
            let first = Int(centre.rounded(.down))
            let fraction = Float(centre - Double(first))
            return first + 1 < length ? (start + first, [1 - fraction, fraction]) : (start + first, [1])
        }
    }

    /// Resamples the window (`top`, `left`, `cropHeight`, `cropWidth`) of planar
    /// `[channels, height, width]` floats to `[channels, targetHeight, targetWidth]`,
    /// writing `value / 127.5 − 1` into `out`.
    static func resample(_ planes: [Float], channels: Int, height: Int, width: Int,
                         crop: (top: Int, left: Int, height: Int, width: Int),
                         targetHeight: Int, targetWidth: Int, into out: UnsafeMutablePointer<Float>) {
        let columns = axisWeights(start: crop.left, length: crop.width, destination: targetWidth)
        let rows = axisWeights(start: crop.top, length: crop.height, destination: targetHeight)
        // Horizontal pass over the cropped rows: [channels, crop.height, targetWidth].
        var horizontal = [Float](repeating: 0, count: channels * crop.height * targetWidth)
        planes.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { middle in
                for c in 0..<channels {
                    for y in 0..<crop.height {
                        let sourceRow = (c * height + crop.top + y) * width
                        let middleRow = (c * crop.height + y) * targetWidth
                        for (x, column) in columns.enumerated() {
                            var sum: Float = 0
                            for (k, weight) in column.weights.enumerated() { sum += weight * source[sourceRow + column.first + k] }
                            middle[middleRow + x] = sum
                        }
                    }
                }
            }
        }
        // Vertical pass into the output, scaled to [-1, 1].
        horizontal.withUnsafeBufferPointer { middle in
            for c in 0..<channels {
                for (y, row) in rows.enumerated() {
                    let outRow = (c * targetHeight + y) * targetWidth
                    for x in 0..<targetWidth {
                        var sum: Float = 0
                        for (k, weight) in row.weights.enumerated() {
                            sum += weight * middle[(c * crop.height + row.first - crop.top + k) * targetWidth + x]
                        }
                        out[outRow + x] = sum / 127.5 - 1
                    }
                }
            }
        }
    }
}
