import Foundation

/// One status line on a terminal (rewritten in place); plain lines otherwise.
public enum StatusLine {
    nonisolated(unsafe) static var active = false
    static let isTerminal = isatty(STDERR_FILENO) != 0

    public static func show(_ text: String) {
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
            active = true
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    public static func finish() {
        if active { FileHandle.standardError.write(Data("\n".utf8)) }
        active = false
    }
}
