import Datasets
import Experiments
import Foundation
import Testing
import Vocabulary

/// The report's numbers against an independent numpy computation
/// (`Fixtures/report_reference/make_report_reference.py`) on a hand-made run log of 21 runs:
/// means and sample standard deviations over seeds, bold cells, the best baseline, the cluster
/// (source-video) and clip bootstrap intervals from the same resample indices, the paired
/// p-values and Holm's adjustment.
@Suite struct ReportReferenceTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/report_reference")

    struct Expected: Decodable {
        struct Row: Decodable {
            let runs: Int
            let mean: [String: Double]
            let std: [String: Double]
            let clusterCI: [String: [Double]]
            let clipCI: [String: [Double]]
            let p: Double?
            let pHolm: Double?
            enum CodingKeys: String, CodingKey {
                case runs, mean, std, p
                case clusterCI = "cluster_ci"
                case clipCI = "clip_ci"
                case pHolm = "p_holm"
            }
        }
        struct Table: Decodable {
            let best: String
            let rows: [String: Row]
            let bold: [String: [String]]
            let videos: Int
            let clips: Int
        }
        struct GroupRow: Decodable {
            let mean: [String: Double]
            let std: [String: Double]
            let clusterCI: [String: [Double]]
            enum CodingKeys: String, CodingKey {
                case mean, std
                case clusterCI = "cluster_ci"
            }
        }
        struct Group: Decodable {
            let clips: Int
            let videos: Int
            let rows: [String: GroupRow]
        }
        let groups: [String: [String: Group]]
        let modalityAgreement: [String: [String: [Double]]]
        let seed: UInt64
        let resamples: Int
        let videos: [String]
        let firstClusterResamples: [[Int]]
        let firstClipResamples: [[Int]]
        let tables: [String: Table]
        enum CodingKeys: String, CodingKey {
            case groups, seed, resamples, videos, tables
            case modalityAgreement = "modality_agreement"
            case firstClusterResamples = "first_cluster_resamples"
            case firstClipResamples = "first_clip_resamples"
        }
    }

    static func load() throws -> (Expected, ReportBuilder) {
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        let records = RunStore(path: folder.appendingPathComponent("runs.jsonl").path).records()
        #expect(records.count == 21)
        return (expected, ReportBuilder(records: ReportBuilder.merge([records])))
    }

    static func row(_ name: String) -> ReportBuilder.ReportRow {
        ReportBuilder.ReportRow(model: ModelName(rawValue: name)!, classWeighted: false)
    }

    @Test func theResamplesAreTheReferencesIndices() throws {
        let (expected, _) = try Self.load()
        #expect(expected.seed == Bootstrap.seed && expected.resamples == Bootstrap.resamples)
        let videos = Bootstrap.draws(
            units: expected.videos.count, resamples: 3, seed: expected.seed)
        #expect(videos == expected.firstClusterResamples)
        #expect(
            Bootstrap.draws(units: 48, resamples: 2, seed: expected.seed)
                == expected.firstClipResamples)
    }

    @Test func meansIntervalsAndTestsEqualTheReference() throws {
        let (expected, builder) = try Self.load()
        let classNames = ClassificationTask.sentiment.classNames
        var compared = 0
        for (key, table) in expected.tables {
            let subset = String(key.split(separator: "/")[1])
            let summary = builder.summary(.sentiment, ModalitySubset(letters: subset)!)
            #expect(summary.best == Self.row(table.best), "\(key) best")
            #expect(summary.videos == table.videos && summary.clips == table.clips, "\(key) counts")
            #expect(summary.videosRecorded)
            #expect(
                Set(summary.rows.map(\.row)) == Set(table.rows.keys.map(Self.row)), "\(key) rows")
            for (model, want) in table.rows {
                let got = try #require(summary.row(Self.row(model)))
                #expect(got.runs.count == want.runs)
                for metric in ReportMetric.all(classes: 3) {
                    let name = metric.name(classNames)
                    let pairs: [(String, Double, Double)] = [
                        ("mean", got.mean[metric]!, want.mean[name]!),
                        ("std", got.std[metric]!, want.std[name]!),
                        ("video low", got.videoInterval[metric]!.low, want.clusterCI[name]![0]),
                        ("video high", got.videoInterval[metric]!.high, want.clusterCI[name]![1]),
                        ("clip low", got.clipInterval[metric]!.low, want.clipCI[name]![0]),
                        ("clip high", got.clipInterval[metric]!.high, want.clipCI[name]![1]),
                    ]
                    for (what, a, b) in pairs {
                        #expect(
                            Swift.abs(a - b) < 1e-12,
                            "\(key) \(model) \(name) \(what): \(a) vs \(b)")
                        compared += 1
                    }
                }
                #expect(
                    got.p == want.p && got.pHolm == want.pHolm,
                    "\(key) \(model) p \(String(describing: got.p))")
            }
        }
        #expect(compared == (5 + 2) * 7 * 6)
    }

    /// Bold cells of the written main and per-class tables (Markdown) against the reference's.
    @Test func boldMarksTheReferencesBestCells() throws {
        let (expected, builder) = try Self.load()
        let out = TemporaryFolder("report")
        _ = try builder.write(to: out.path)
        let markdown = try String(
            contentsOf: out.appendingPathComponent("tables.md"), encoding: .utf8)
        let table = try #require(expected.tables["sentiment/TAV"])
        func rows(_ heading: String) -> [String: [String]] {
            let body = markdown.components(separatedBy: "**\(heading)")[1].components(
                separatedBy: "\n**")[0]
            var rows: [String: [String]] = [:]
            for line in body.split(separator: "\n")
            where line.hasPrefix("| ") && !line.hasPrefix("| Model") {
                let cells = line.split(separator: "|").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                rows[cells[0]] = Array(cells.dropFirst())
            }
            return rows
        }
        let main = rows("Sentiment (3 classes)")
        let perClass = rows("Per-class F1, sentiment")
        let columns: [(String, [String: [String]], Int)] = [
            ("accuracy", main, 0), ("balanced_accuracy", main, 1), ("macro_f1", main, 2),
            ("weighted_f1", main, 3),
            ("f1_negative", perClass, 0), ("f1_neutral", perClass, 1), ("f1_positive", perClass, 2),
        ]
        for (metric, cells, column) in columns {
            let bold = Set(
                table.rows.keys.filter { model in
                    cells[Self.row(model).displayName]![column].hasPrefix("**")
                })
            #expect(bold == Set(table.bold[metric]!), "\(metric): \(bold.sorted())")
        }
        // The statistics table names what was resampled.
        let statistics = try String(
            contentsOf: out.appendingPathComponent("table_statistics_sentiment.tex"),
            encoding: .utf8)
        #expect(statistics.contains("9 source videos") && statistics.contains("48 clips"))
        #expect(statistics.contains("2000 resamples, seed 2024"))
    }

    /// The conflict analysis: each agreement group's clips and videos, and each model's mean,
    /// std and cluster-bootstrap interval on the group's clips (resampling the group's videos).
    @Test func agreementGroupsEqualTheReference() throws {
        let (expected, builder) = try Self.load()
        let groups = try #require(expected.groups["sentiment/TAV"])
        var compared = 0
        for group in AgreementGroup.allCases {
            let want = try #require(groups[group.rawValue], "\(group)")
            let got = builder.summary(.sentiment, "TAV", group: group)
            #expect(
                got.group == group && got.clips == want.clips && got.videos == want.videos,
                "\(group) counts")
            for (model, row) in want.rows {
                let r = try #require(got.row(Self.row(model)))
                for (metric, name) in [(ReportMetric.accuracy, "accuracy"), (.macroF1, "macro_f1")]
                {
                    let pairs = [
                        (r.mean[metric]!, row.mean[name]!), (r.std[metric]!, row.std[name]!),
                        (r.videoInterval[metric]!.low, row.clusterCI[name]![0]),
                        (r.videoInterval[metric]!.high, row.clusterCI[name]![1]),
                    ]
                    for (a, b) in pairs {
                        #expect(Swift.abs(a - b) < 1e-12, "\(group) \(model) \(name): \(a) vs \(b)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 5 * 5 * 8)
    }

    /// Unimodal (T) runs against the text label and the overall label, as the written table
    /// shows them (3 decimals).
    @Test func unimodalAgreementEqualsTheReference() throws {
        let (expected, builder) = try Self.load()
        let out = TemporaryFolder("report")
        _ = try builder.write(to: out.path)
        let markdown = try String(
            contentsOf: out.appendingPathComponent("tables.md"), encoding: .utf8)
        #expect(expected.modalityAgreement.count == 2)
        for (model, values) in expected.modalityAgreement {
            let own = String(format: "%.3f ± %.3f", values["own"]![0], values["own"]![1])
            let overall = String(
                format: "%.3f ± %.3f", values["overall"]![0], values["overall"]![1])
            let line = "| \(Self.row(model).displayName) | T | \(own) | \(overall) | 25 of 48 |"
            #expect(markdown.contains(line), "\(line)")
        }
    }
}
