// Pixel conversions for the image-folder reader: channel conversion to planar
// floats, centre crop to an aspect ratio, and separable resampling (area
// averaging when shrinking an axis, bilinear when enlarging it).

enum ImageResampling {
    /// The image as planar floats `[channels, height, width]` with values in 0…255.
    ///
    /// With `.composite(over:)`, a pixel with alpha α (0…1) becomes `c · α + background · (1 − α)`
    /// first, in RGB; then gray to RGB repeats the gray value, and RGB to gray uses the
    /// ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B` (as PIL's `convert("L")`, without its
    /// rounding). With `.keep`, `channels` is 2 or 4 and the last plane is α · 255 (255 for
    /// an image without alpha).
    /// - Precondition: `channels` is 1 or 3 when compositing, 2 or 4 when keeping alpha;
    ///   `image.channels` is 1 to 4.
    static func planes(of image: RasterImage, channels: Int, alpha: AlphaHandling) -> [Float] {
        let count = image.width * image.height
        let stride = image.channels
        let hasAlpha = stride == 2 || stride == 4
        let colour = alpha == .keep ? channels - 1 : channels
        var background: (Float, Float, Float) = (0, 0, 0)
        if case .composite(let b) = alpha { background = (Float(b.red), Float(b.green), Float(b.blue)) }
        var out = [Float](repeating: 0, count: channels * count)
        image.pixels.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { planes in
                for i in 0..<count {
                    let p = i * stride
                    var (r, g, b) = stride >= 3 ? (Float(pixels[p]), Float(pixels[p + 1]), Float(pixels[p + 2]))
                                                : (Float(pixels[p]), Float(pixels[p]), Float(pixels[p]))
                    let a: Float = hasAlpha ? Float(pixels[p + stride - 1]) : 255
                    if alpha != .keep && hasAlpha {
                        let w = a / 255
                        r = r * w + background.0 * (1 - w)
                        g = g * w + background.1 * (1 - w)
                        b = b * w + background.2 * (1 - w)
                    }
                    if colour == 1 {
                        // An RGB source's luma; a gray source's value (its three copies are equal).
                        planes[i] = stride >= 3 || (alpha != .keep && hasAlpha) ? 0.299 * r + 0.587 * g + 0.114 * b : r
                    } else {
                        planes[i] = r; planes[count + i] = g; planes[2 * count + i] = b
                    }
                    if alpha == .keep { planes[colour * count + i] = a }
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

    /// Images `[N, C, H, W]` in [−1, 1] resized to `height`×`width` as ``resample(_:channels:height:width:crop:targetHeight:targetWidth:into:)``
    /// does (centre crop to the aspect ratio, area averaging to shrink, bilinear to enlarge).
    static func resize(_ images: Tensor, height: Int, width: Int) -> Tensor {
        let (count, channels, sourceHeight, sourceWidth) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        var out = Tensor(zeros: [count, channels, height, width])
        let crop = centreCrop(height: sourceHeight, width: sourceWidth, targetHeight: height, targetWidth: width)
        let itemIn = channels * sourceHeight * sourceWidth, itemOut = channels * height * width
        images.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for index in 0..<count {
                    let planes = source[(index * itemIn)..<((index + 1) * itemIn)].map { ($0 + 1) * 127.5 }
                    resample(planes, channels: channels, height: sourceHeight, width: sourceWidth, crop: crop,
                             targetHeight: height, targetWidth: width, into: target.baseAddress! + index * itemOut)
                }
            }
        }
        return out
    }
}
