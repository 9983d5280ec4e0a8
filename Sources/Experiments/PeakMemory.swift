import Foundation

/// The process's peak resident memory (Linux `VmHWM`), which a run or a benchmark resets when
/// it starts so that the peak is its own.
public enum PeakMemory {
    /// Resets the peak to the current resident size (`/proc/self/clear_refs`, value 5; Linux
    /// 4.0 and later); false where it cannot, and the peak is then the process's since it
    /// started.
    @discardableResult
    public static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else {
            return false
        }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// The peak in bytes, or nil where `/proc/self/status` has none.
    public static func peakBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
            return nil
        }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:\t 715000 kB"; from 10 GB on the number meets the tab ("VmHWM:\t10485760 kB").
            let fields = line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace)
            return fields.compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        return nil
    }
}
