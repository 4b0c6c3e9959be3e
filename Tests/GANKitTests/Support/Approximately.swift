import Testing
@testable import GANKit

/// The worst element-wise disagreement between two arrays.
struct ApproximationReport: CustomStringConvertible {
    /// Largest |actual − expected| and where it occurs.
    var maxAbsoluteError = 0.0, maxAbsoluteIndex = -1
    /// Largest |actual − expected| / |expected| and where it occurs.
    var maxRelativeError = 0.0, maxRelativeIndex = -1
    /// Elements outside the tolerance, and the first of them.
    var failures = 0, firstFailure = -1

    var description: String {
        "max abs error \(maxAbsoluteError) at [\(maxAbsoluteIndex)], "
            + "max rel error \(maxRelativeError) at [\(maxRelativeIndex)], "
            + "\(failures) element(s) out of tolerance, first at [\(firstFailure)]"
    }
}

/// Compares element by element: `|a − e| ≤ absolute + relative·|e|` (NaN never passes,
/// equal infinities do), and reports the worst errors.
func approximationReport(_ actual: [Double], _ expected: [Double],
                         absolute: Double, relative: Double) -> ApproximationReport {
    var report = ApproximationReport()
    for index in 0..<min(actual.count, expected.count) {
        let a = actual[index], e = expected[index]
        if a == e { continue }  // includes equal infinities
        let error = abs(a - e)
        let relativeError = e == 0 ? (error == 0 ? 0 : .infinity) : error / abs(e)
        if !(error <= report.maxAbsoluteError) { (report.maxAbsoluteError, report.maxAbsoluteIndex) = (error, index) }
        if !(relativeError <= report.maxRelativeError) {
            (report.maxRelativeError, report.maxRelativeIndex) = (relativeError, index)
        }
        if !(error <= absolute + relative * abs(e)) {
            report.failures += 1
            if report.firstFailure < 0 { report.firstFailure = index }
        }
    }
    return report
}

/// Records an issue unless `actual` and `expected` have the same count and every element
/// satisfies `|a − e| ≤ absolute + relative·|e|`; the message gives the max abs/rel error and its index.
func expectApproximatelyEqual(_ actual: [Double], _ expected: [Double],
                              absolute: Double = 1e-6, relative: Double = 1e-5,
                              _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(comment) count \(actual.count) ≠ expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let report = approximationReport(actual, expected, absolute: absolute, relative: relative)
    if report.failures > 0 {
        let i = report.firstFailure
        Issue.record("""
            \(comment) not approximately equal (abs \(absolute), rel \(relative)): \(report); \
            at [\(i)] actual \(actual[i]), expected \(expected[i])
            """, sourceLocation: sourceLocation)
    }
}

/// `Float` values against `Double` expectations (see the `Double` overload).
func expectApproximatelyEqual(_ actual: [Float], _ expected: [Double],
                              absolute: Double = 1e-6, relative: Double = 1e-5,
                              _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    expectApproximatelyEqual(actual.map(Double.init), expected, absolute: absolute, relative: relative,
                             comment, sourceLocation: sourceLocation)
}

/// A tensor against `Double` expectations; also checks the shape when given.
func expectApproximatelyEqual(_ actual: Tensor, _ expected: [Double], shape: TensorShape? = nil,
                              absolute: Double = 1e-6, relative: Double = 1e-5,
                              _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    if let shape, actual.shape != shape {
        Issue.record("\(comment) shape \(actual.shape) ≠ expected \(shape)", sourceLocation: sourceLocation)
        return
    }
    expectApproximatelyEqual(actual.scalars, expected, absolute: absolute, relative: relative,
                             comment, sourceLocation: sourceLocation)
}

/// A scalar against a `Double` expectation.
func expectApproximatelyEqual(_ actual: Float, _ expected: Double,
                              absolute: Double = 1e-6, relative: Double = 1e-5,
                              _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    expectApproximatelyEqual([Double(actual)], [expected], absolute: absolute, relative: relative,
                             comment, sourceLocation: sourceLocation)
}
