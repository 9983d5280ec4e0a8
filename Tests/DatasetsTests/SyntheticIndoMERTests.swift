import Autograd
import Datasets
import Foundation
import Testing
import Vocabulary

/// The synthetic IndoMER's statistics, checked on the generator's output (no model trained).
@Suite struct SyntheticIndoMERTests {
    /// Full clip counts with narrow features: fast, and every label statistic at full size.
    static let fullLabels: IndoMERDataset = {
        var config = SyntheticIndoMER.Configuration.tiny
        config.clipFraction = 1
        return SyntheticIndoMER.generate(config)
    }()

    static func jointCounts(_ clips: [Clip]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for c in clips {
            let key =
                "\(c.emotion)\(c.modalitySentiment[.text]!)"
                + "\(c.modalitySentiment[.audio]!)\(c.modalitySentiment[.video]!)"
            counts[key, default: 0] += 1
        }
        return counts
    }

    static func table(_ split: Split) -> [String: Int] {
        Dictionary(
            uniqueKeysWithValues: SyntheticIndoMER.jointCounts[split]!.map {
                ("\($0.e)\($0.t)\($0.a)\($0.v)", $0.n)
            })
    }

    @Test func jointLabelCountsAreTheReleaseTable() {
        let data = Self.fullLabels
        #expect(data.isSynthetic)
        for split in IndoMERRelease.splits {
            let clips = data.indices(in: split).map { data.clips[$0] }
            #expect(
                Self.jointCounts(clips) == Self.table(split),
                "\(split) joint (emotion, t, a, v) counts")
            #expect(
                clips.allSatisfy {
                    $0.sentiment == SyntheticIndoMER.sentiment(ofEmotion: $0.emotion)
                })
        }
        let train = data.indices(in: .train).map { data.clips[$0] }
        let val = data.indices(in: .val).map { data.clips[$0] }
        // The release's numbers (its README and count_release_labels.py's output).
        #expect(train.count == 1588 && val.count == 356)
        #expect(
            Set(train.map(\.sourceVideo)).count == 173 && Set(val.map(\.sourceVideo)).count == 34)
        #expect(
            (0..<7).map { k in train.filter { $0.emotion == k }.count } == [
                5, 33, 69, 142, 1054, 278, 7,
            ])
        #expect((0..<3).map { k in val.filter { $0.sentiment == k }.count } == [54, 262, 40])
        let agree = Modality.allCases.map { m in
            train.filter { $0.modalitySentiment[m] == $0.sentiment }.count
        }
        #expect(agree == [1073, 957, 1027], "text, audio, video agreement with the overall label")
        #expect(
            train.filter { c in
                Modality.allCases.allSatisfy { c.modalitySentiment[$0] == c.sentiment }
            }.count == 520)
        let perVideo = Dictionary(grouping: train, by: \.sourceVideo).values.map(\.count).sorted()
        #expect(
            perVideo.first! >= 1 && perVideo.last! >= 20,
            "skewed like the release's 1 ... 34: \(perVideo)")
    }

    /// The conflict analysis's groups (`SentimentLabels.agreement`) on the generator's clips:
    /// the release's counts per split (counted from the label files' strings by a separate
    /// script: `text_label`, `audio_label`, `video_label` against `label`), since the
    /// generator keeps the release's joint label table.
    @Test func agreementGroupsHaveTheReleaseCounts() {
        let data = Self.fullLabels
        for (split, expected) in [
            (Split.train, [520, 244, 189, 127, 508]), (.val, [111, 41, 52, 49, 103]),
        ] {
            let groups = data.indices(in: split).map { data.clips[$0].sentimentLabels!.agreement }
            #expect(
                AgreementGroup.allCases.map { g in groups.filter { $0 == g }.count } == expected,
                "\(split)")
        }
    }

    @Test(.enabled(if: RealLabels.available, RealLabels.skipReason))
    func theTableIsTheRealLabelFiles() throws {
        let clips = try ReleaseReader(root: RealLabels.folder!).readClips()
        for split in IndoMERRelease.splits {
            #expect(
                Self.jointCounts(clips.filter { $0.split == split }) == Self.table(split),
                "\(split)")
        }
    }

    /// A middle-sized set with the release's lengths and some width: events and averages.
    static let medium: SyntheticIndoMER.Generated = {
        var config = SyntheticIndoMER.Configuration()
        config.clipFraction = 0.3
        config.dims = [.text: 64, .audio: 18, .video: 40]
        // A weak signal, so that neither probe below saturates.
        config.signal = 0.3
        var generated = SyntheticIndoMER.generateRaw(config)
        generated.dataset.standardize()
        return generated
    }()

    @Test func eachModalityHasEventsInItsDocumentedFractionOfClips() {
        let g = Self.medium
        let n = Double(g.dataset.clips.count)
        for m in Modality.allCases {
            let withEvents = Double(g.events[m]!.filter { !$0.isEmpty }.count)
            let p = SyntheticIndoMER.eventRate[m]!
            // Within 4 binomial standard deviations.
            #expect(
                Swift.abs(withEvents / n - p) < 4 * (p * (1 - p) / n).squareRoot(),
                "\(m): \(withEvents / n) vs \(p)")
            let lengths = g.dataset.features[m]!.lengths
            for (c, events) in g.events[m]!.enumerated() {
                #expect(
                    events.allSatisfy {
                        $0.frames.lowerBound >= 0 && $0.frames.upperBound <= lengths[c]
                            && !$0.frames.isEmpty
                    })
            }
        }
        let overall = Modality.allCases.map { m in
            g.events[m]!.flatMap { $0 }.filter(\.overall).count
        }.reduce(0, +)
        let rate = Double(overall) / n
        #expect(
            rate > 0.3 && rate < SyntheticIndoMER.overallCueRate + 0.05,
            "overall cues in \(rate) of clips")
    }

    /// Class information in a clip summary, as Fisher's ratio: the spread of the class centres
    /// of each modality's own sentiment label over the mean spread of clips around their
    /// centre. The mean over the event frames separates the classes far better than the mean
    /// over the whole clip, which dilutes them with background frames.
    @Test func timeAveragesCarryLessClassInformationThanEvents() {
        let g = Self.medium
        let data = g.dataset
        for m in Modality.allCases {
            let f = data.features[m]!
            func mean(_ c: Int, rows: [Int]) -> [Double] {
                var v = [Double](repeating: 0, count: f.dim)
                let frames = Array(f.frames(of: c))
                for t in rows { for d in 0..<f.dim { v[d] += Double(frames[t * f.dim + d]) } }
                return v.map { $0 / Double(Swift.max(rows.count, 1)) }
            }
            // Clips whose events carry the modality's own label (no overall cue).
            let usable = data.clips.indices.filter { c in
                !g.events[m]![c].isEmpty && g.events[m]![c].allSatisfy { !$0.overall }
            }
            func fisher(_ summary: (Int) -> [Double]) -> Double {
                let vectors = usable.map(summary)
                let labels = usable.map { data.clips[$0].modalitySentiment[m]! }
                var centres = [[Double]](repeating: [Double](repeating: 0, count: f.dim), count: 3)
                var counts = [Double](repeating: 0, count: 3)
                for (v, y) in zip(vectors, labels) {
                    for d in 0..<f.dim { centres[y][d] += v[d] }
                    counts[y] += 1
                }
                centres = (0..<3).map { k in centres[k].map { $0 / counts[k] } }
                let grand = (0..<f.dim).map { d in (0..<3).map { centres[$0][d] }.reduce(0, +) / 3 }
                var between = 0.0
                for centre in centres {
                    for d in 0..<f.dim {
                        between += (centre[d] - grand[d]) * (centre[d] - grand[d]) / 3
                    }
                }
                var within = 0.0
                for (v, y) in zip(vectors, labels) {
                    for d in 0..<f.dim { within += (v[d] - centres[y][d]) * (v[d] - centres[y][d]) }
                }
                within /= Double(vectors.count)
                return between / within
            }
            let whole = fisher { c in mean(c, rows: Array(0..<f.length(of: c))) }
            let events = fisher { c in mean(c, rows: g.events[m]![c].flatMap { Array($0.frames) }) }
            #expect(
                events > 2 * whole,
                "\(m): Fisher ratio on events \(events), on whole-clip averages \(whole)")
            #expect(whole > 0.001, "\(m): the average still carries some information (\(whole))")
        }
    }

    @Test func rawFeaturesLookLikeTheExtractors() {
        var config = SyntheticIndoMER.Configuration()
        config.clipFraction = 0.05
        config.lengthScale = 0.5
        let raw = SyntheticIndoMER.generateRaw(config).dataset
        func column(_ m: Modality, _ d: Int) -> [Float] {
            let f = raw.features[m]!
            return stride(from: d, to: f.data.count, by: f.dim).map { f.data[$0] }
        }
        // GeMAPS (openSMILE's order): loudness >= 0; F0 in semitones or 0 when unvoiced;
        // jitter in [0, 0.5]; formant amplitudes -201 when unvoiced.
        #expect(raw.features[.audio]!.dim == 18)
        #expect(column(.audio, 0).allSatisfy { $0 >= 0 && $0 <= 4 })
        let f0 = column(.audio, 5)
        #expect(f0.allSatisfy { $0 == 0 || (12...62).contains($0) })
        let voiced = Double(f0.filter { $0 > 0 }.count) / Double(f0.count)
        #expect(voiced > 0.4 && voiced < 0.8, "voiced fraction \(voiced)")
        #expect(column(.audio, 6).allSatisfy { (0...0.5).contains($0) })
        for d in [13, 15, 17] {
            let a = column(.audio, d)
            #expect(a.allSatisfy { (-201...30).contains($0) } && a.contains(-201), "column \(d)")
            #expect(
                zip(a, f0).allSatisfy { ($0 == -201) == ($1 == 0) },
                "unvoiced exactly where F0 is 0")
        }
        #expect(column(.audio, 11).allSatisfy { (0...1800).contains($0) })  // F1 frequency (Hz)
        // OpenFace: face id 0, timestamps at 25 frames/s, AU intensities in [0, 5] with many
        // zeros, presences in {0, 1}, landmarks in pixels around a face in a 1280 x 720 frame.
        let f = raw.features[.video]!
        #expect(f.dim == 673)
        #expect(column(.video, 0).allSatisfy { $0 == 0 })
        let first = f.frames(of: 0)
        #expect(
            (0..<f.length(of: 0)).allSatisfy {
                first[first.startIndex + $0 * f.dim + 1] == Float($0) / 25
            })
        for d in 638..<655 {
            let au = column(.video, d)
            #expect(
                au.allSatisfy { (0...5).contains($0) } && au.contains(0), "AU intensity column \(d)"
            )
        }
        for d in 655..<673 {
            #expect(Set(column(.video, d)).isSubset(of: [0, 1]), "AU presence column \(d)")
        }
        let x = column(.video, 298)
        let meanX = x.reduce(0, +) / Float(x.count)
        #expect(meanX > 300 && meanX < 1000, "landmark x in pixels: mean \(meanX)")
        // BERT-like text: elements mostly within ±3 around zero, two outlier dimensions.
        let text = raw.features[.text]!.data
        let within = Double(text.filter { Swift.abs($0) < 3 }.count) / Double(text.count)
        #expect(within > 0.98, "fraction within ±3: \(within)")
        let outlier = column(.text, 308)
        #expect(outlier.reduce(0, +) / Float(outlier.count) < -2.5)
    }

    @Test func sameSeedSameDataOtherSeedOtherData() {
        let a = SyntheticIndoMER.generate(.tiny)
        let b = SyntheticIndoMER.generate(.tiny)
        var other = SyntheticIndoMER.Configuration.tiny
        other.seed = 7
        let c = SyntheticIndoMER.generate(other)
        #expect(
            a.clips == b.clips && a.features[.video]!.data == b.features[.video]!.data
                && a.fingerprint == b.fingerprint)
        #expect(
            a.features[.video]!.data != c.features[.video]!.data && a.fingerprint != c.fingerprint)
        #expect(a.source.hasPrefix("synthetic-indomer/\(SyntheticIndoMER.version) "))
    }

    @Test func realisticLengthsAtFullScale() {
        var config = SyntheticIndoMER.Configuration.tiny
        config.lengthScale = 1
        config.paddedLengths = [.text: 69, .audio: 2252, .video: 723]
        let data = SyntheticIndoMER.generate(config)
        let audio = data.features[.audio]!.lengths
        let video = data.features[.video]!.lengths
        let text = data.features[.text]!.lengths
        let meanSeconds = Double(audio.reduce(0, +)) / Double(audio.count) / 100
        #expect(Swift.abs(meanSeconds - 5.37) < 0.35, "mean clip \(meanSeconds) s")
        #expect(
            audio.allSatisfy { (150...900).contains($0) }
                && video.allSatisfy { (37...225).contains($0) })
        #expect(text.allSatisfy { (3...69).contains($0) })
        let median = text.sorted()[text.count / 2]
        #expect((12...16).contains(median), "median tokens \(median)")
    }

    @Test func cacheRoundTripKeepsTheSyntheticMark() throws {
        let data = SyntheticIndoMER.generate(.tiny)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "synthetic-\(UUID()).h5"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FeatureCache.write(data, to: path)
        let back = try FeatureCache.read(from: path)
        #expect(
            back.isSynthetic && back.fingerprint == data.fingerprint && back.source == data.source)
        #expect(back.features[.audio]!.data == data.features[.audio]!.data)
    }
}
