/// The three modalities, in the order every table uses (T, A, V).
///
/// Spellings, each in one place: the raw value (`text`) in the command line, specs and run
/// records; `letter` (`T`) in subsets and tables; `stateDictLetter(_:)` in MMSA's parameter
/// names.
public enum Modality: String, Codable, CaseIterable, Sendable, Comparable {
    case text, audio, video

    public var letter: Character {
        switch self {
        case .text: "T"
        case .audio: "A"
        case .video: "V"
        }
    }

    /// The modality of a subset letter (`T`, `A`, `V`; case ignored).
    public init?(letter: Character) {
        guard
            let m = Self.allCases.first(where: { String($0.letter) == String(letter).uppercased() })
        else { return nil }
        self = m
    }

    /// How MMSA's models name a modality inside parameter keys: MulT says `l` (language) for
    /// text (`proj_l`, `trans_l_with_a`), MISA says `t` (`private_t`); audio and video are `a`
    /// and `v` in both.
    public enum StateDictStyle: Sendable { case mult, misa }

    public func stateDictLetter(_ style: StateDictStyle) -> String {
        switch (self, style) {
        case (.text, .mult): "l"
        case (.text, .misa): "t"
        case (.audio, _): "a"
        case (.video, _): "v"
        }
    }

    public static func < (a: Modality, b: Modality) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
