import Foundation
import Testing

/// Runs the built `baselines` executable as a child process, with a chosen environment.
enum ExecutableRunner {
    /// The `baselines` binary that SwiftPM built beside this test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("baselines")
    }

    /// Starts `baselines arguments...`, waits until a checkpoint appears in `checkpoints` (an
    /// epoch is saved), lets it go a little into the next epoch and kills it with SIGKILL.
    static func killAfterFirstCheckpoint(_ arguments: [String], checkpoints: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && process.isRunning
            && ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path))?.contains {
                $0.hasSuffix(".h5")
            } != true)
        {
            usleep(2_000)
        }
        usleep(40_000)  // into a later epoch
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `baselines arguments...` with this process's environment minus `unset` plus `set`.
    static func run(
        _ arguments: [String], set: [String: String] = [:], unset: [String] = []
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for key in unset { environment[key] = nil }
        for (key, value) in set { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The one JSON object printed by a `--json` command.
    static func json(_ output: Output) throws -> [String: Any] {
        let line = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(line)")
    }
}
