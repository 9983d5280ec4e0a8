import Foundation

/// A fresh folder name under the temporary directory (not created), removed with what it holds
/// when the value goes away: where a test writes a report.
final class TemporaryFolder {
    let url: URL

    init(_ prefix: String) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString)")
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var path: String { url.path }
    func appendingPathComponent(_ component: String) -> URL {
        url.appendingPathComponent(component)
    }
}
