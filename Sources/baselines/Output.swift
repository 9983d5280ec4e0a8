import Foundation

// What every command shares for writing: diagnostics on standard error (standard output stays
// clean for results) and the columns of terminal tables.

/// A line on standard error: progress, notes, and `error:` lines.
func printNote(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// `warning: message` on standard error.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}

/// One JSON object per line on standard output (sorted keys).
func printJSONLine<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) {
        print(text)
    }
}

/// A text-table cell: `s` padded with spaces to `width` columns (one space after a longer one).
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}

/// `x` with `digits` decimals.
func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
