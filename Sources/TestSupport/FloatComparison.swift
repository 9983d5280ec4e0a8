import Autograd
import Testing

/// Checks `actual` against `expected` elementwise: `|a − e| <= atol + rtol·|e|`.
///
/// NaN is equal only to NaN and an infinity only to the same infinity, on purpose: a kernel
/// that turns a masked −∞ into NaN must fail. The report names the worst element, its two
/// values and the largest absolute difference ("maxdiff"), so a failure shows how far off
/// it was and where.
public func expectClose(
    _ actual: [Float], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record(
            "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
        return
    }
    var worst: (index: Int, excess: Double)?
    var maxdiff = 0.0
    for (i, (a, e)) in zip(actual.map(Double.init), expected).enumerated() {
        if e.isNaN || a.isNaN || e.isInfinite || a.isInfinite {
            if !(a.isNaN && e.isNaN) && a != e, worst == nil { worst = (i, .infinity) }
            continue
        }
        let diff = Swift.abs(a - e)
        maxdiff = Swift.max(maxdiff, diff)
        let excess = diff - (atol + rtol * Swift.abs(e))
        if excess > 0, excess > (worst?.excess ?? 0) { worst = (i, excess) }
    }
    if let worst {
        Issue.record(
            """
            \(what): element \(worst.index) is \(actual[worst.index]), \
            expected \(expected[worst.index]) (rtol \(rtol), atol \(atol)); maxdiff \(maxdiff)
            """,
            sourceLocation: sourceLocation)
    }
}

public func expectClose(
    _ actual: [Float], _ expected: [Float], rtol: Double = 1e-5, atol: Double = 1e-6,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(
        actual, expected.map(Double.init), rtol: rtol, atol: atol, what,
        sourceLocation: sourceLocation)
}

public func expectClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    expectClose(
        actual.scalars, expected.scalars, rtol: rtol, atol: atol, what,
        sourceLocation: sourceLocation)
}
