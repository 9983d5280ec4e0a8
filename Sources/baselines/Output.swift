import Foundation

// What every command shares for writing: diagnostics on standard error (standard output stays
// clean for results). Text-table columns and numbers: `TextTable` (Experiments).

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
