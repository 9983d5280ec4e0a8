/// A non-empty set of modalities, spelled by its letters in T, A, V order (`TAV`, `TV`): the
/// grid's ablation axis, a run record's `modalities`, a table's column.
///
/// It encodes as its letters, so run records and specs hold `"TAV"`.
public struct ModalitySubset: Hashable, Sendable, Spelled, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The members, sorted (T, A, V) and without repeats.
    public let members: [Modality]

    public init(_ modalities: some Sequence<Modality>) {
        let members = Set(modalities).sorted()
        precondition(!members.isEmpty, "a modality subset needs at least one modality")
        self.members = members
    }

    /// `TAV`, `tv`, `VAT` (order and case ignored); nil for an empty string, an unknown letter
    /// or a repeated one.
    public init?(letters: String) {
        let members = letters.compactMap(Modality.init(letter:))
        guard !letters.isEmpty, members.count == letters.count, Set(members).count == members.count
        else { return nil }
        self.init(members)
    }

    /// A literal such as `"TV"`; a literal that is not a subset is a programming error.
    public init(stringLiteral letters: String) {
        guard let subset = ModalitySubset(letters: letters) else {
            preconditionFailure("'\(letters)' is not a modality subset (letters T, A, V)")
        }
        self = subset
    }

    /// All three modalities.
    public static let all = ModalitySubset(Modality.allCases)

    /// The seven subsets in the order every table lists them: unimodal, bimodal, all three.
    public static let tableOrder: [ModalitySubset] = {
        let (t, a, v) = (Modality.text, Modality.audio, Modality.video)
        return [[t], [a], [v], [t, a], [t, v], [a, v], [t, a, v]].map(ModalitySubset.init)
    }()

    public var letters: String { String(members.map(\.letter)) }
    public var description: String { letters }
    public func contains(_ modality: Modality) -> Bool { members.contains(modality) }

    /// The table order (`tableOrder`).
    public static func < (a: ModalitySubset, b: ModalitySubset) -> Bool {
        tableOrder.firstIndex(of: a)! < tableOrder.firstIndex(of: b)!
    }

    public var spelling: String { letters }
    public init?(spelling: String) { self.init(letters: spelling) }
    public static var expectedSpellings: String { "the modality subsets (letters T, A, V)" }
}
