import Foundation

/// The two IndoMER tasks, with a fixed class order and English class names.
public enum IndoMERTask: String, Codable, CaseIterable, Sendable {
    case sentiment
    case emotion

    /// English class names, index = class id.
    public var classNames: [String] {
        switch self {
        case .sentiment: ["negative", "neutral", "positive"]
        case .emotion: ["fear", "disgust", "anger", "sadness", "neutral", "happiness", "surprise"]
        }
    }

    /// The release's Indonesian labels, in the same order as `classNames`.
    public var releaseLabels: [String] {
        switch self {
        case .sentiment: ["negatif", "netral", "positif"]
        case .emotion:
            ["ketakutan", "jijik", "kemarahan", "kesedihan", "netral", "kebahagiaan", "surprise"]
        }
    }

    public var classCount: Int { classNames.count }

    /// The class id of a release label (case and surrounding spaces ignored).
    public func classIndex(ofReleaseLabel label: String) -> Int? {
        releaseLabels.firstIndex(of: label.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

/// The three modalities, in the order every table uses (T, A, V).
public enum Modality: String, Codable, CaseIterable, Sendable, Comparable {
    case text, audio, video

    public var letter: Character {
        switch self {
        case .text: "T"
        case .audio: "A"
        case .video: "V"
        }
    }

    /// The release's padded shape per clip: frames x features.
    public var releaseShape: (frames: Int, features: Int) {
        switch self {
        case .text: (69, 768)
        case .audio: (2252, 18)
        case .video: (723, 673)
        }
    }

    public static func < (a: Modality, b: Modality) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The release's two splits. Train and val share no source video.
public enum Split: String, Codable, CaseIterable, Sendable {
    case train, val
}
