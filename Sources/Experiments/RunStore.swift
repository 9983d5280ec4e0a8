import Foundation

/// `results/runs.jsonl`: append-only, one finished run per line.
///
/// A record is appended with one `write` on a file opened with `O_APPEND`, then `fsync`: a run
/// killed at any moment loses only itself. Reading skips a torn last line (and says so), and
/// a record that is there already is never appended twice.
public struct RunStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// NaN and infinities (a diverged run's curve) as the strings "nan", "inf", "-inf".
    static let nonFinite = (
        encoding: JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan"),
        decoding: JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    )

    public func records(warn: (String) -> Void = { _ in }) -> [RunRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var result: [RunRecord] = []
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = Self.nonFinite.decoding
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated()
        where !line.isEmpty {
            do {
                result.append(try decoder.decode(RunRecord.self, from: Data(line)))
            } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
                // A whole record holding a value this code does not know (a task, a model).
                warn(
                    "\(path): line \(number + 1) is not a record this code reads "
                        + "(\(context.codingPath.map(\.stringValue).joined(separator: ".")): "
                        + "\(context.debugDescription)); ignored")
            } catch {
                warn(
                    "\(path): line \(number + 1) is not a complete run record "
                        + "(an interrupted write?); ignored")
            }
        }
        return result
    }

    /// A run being trained by this process: an exclusive `flock` on
    /// `<store>.locks/<run id>`, released by `release()` or when the process ends (a killed
    /// run leaves no stale lock). Two processes on one store never train one run twice: a
    /// process that cannot take the lock skips the run, and one that takes it reads the store
    /// again before training. On a cluster filesystem this needs working `flock` (NFSv4 and
    /// most parallel filesystems mounted with lock support); where the filesystem has none,
    /// `claim` says so once and runs without locks, which is safe for one process only.
    public final class Claim {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        private var held = true
        public func release() {
            guard held else { return }
            held = false
            flock(fd, LOCK_UN)
            close(fd)
        }
        deinit { release() }
    }

    public enum ClaimResult {
        case claimed(Claim)
        /// Another process holds the run.
        case busy
        /// The filesystem has no locks: the reason.
        case unlocked(String)
    }

    public func claim(_ runID: String) -> ClaimResult {
        let directory = path + ".locks"
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        let fd = open("\(directory)/\(runID)", O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            return .unlocked(
                "cannot create \(directory)/\(runID) (\(String(cString: strerror(errno))))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return .claimed(Claim(fd: fd)) }
        let error = errno
        if error == EWOULDBLOCK {
            close(fd)
            return .busy
        }
        close(fd)
        return .unlocked("flock on \(directory) failed (\(String(cString: strerror(error))))")
    }

    /// A record as one line of a run log (sorted keys, non-finite numbers as strings), without
    /// the newline.
    public static func line(_ record: RunRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFinite.encoding
        return try encoder.encode(record)
    }

    public func append(_ record: RunRecord) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var line = try Self.line(record)
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw SpecError(file: path, message: "cannot open for appending") }
        defer { close(fd) }
        // One writer at a time (appends from several hosts on a network filesystem interleave).
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        // A torn line from an earlier kill must not swallow this record: start on a new line.
        if let existing = FileManager.default.contents(atPath: path), let last = existing.last,
            last != UInt8(ascii: "\n")
        {
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw SpecError(file: path, message: "short write (\(written) of \(line.count) bytes)")
        }
        fsync(fd)
    }
}
