/// A NumPy dtype as a pickle describes it: `numpy.dtype('f4', False, True)` then its state.
public struct NumPyDType: CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        case float = "f"
        case signed = "i"
        case unsigned = "u"
        case bool = "b"
        /// Fixed-width UTF-32 strings (`<U12`: 12 characters, 48 bytes), as NumPy stores `str`.
        case unicode = "U"
        /// Fixed-width byte strings (`S12`).
        case bytes = "S"
        case object = "O"
        case other = "?"
    }
    public var kind: Kind
    /// Bytes per element (for `U`, four per character).
    public var itemSize: Int
    /// `<` little, `>` big, `|` not applicable, `=` native.
    public var byteOrder: Character

    public var description: String { "\(byteOrder)\(kind.rawValue)\(itemSize)" }

    var isBigEndian: Bool { byteOrder == ">" }

    /// Parses NumPy's type string (`f4`, `<f8`, `float32`, `i8`, `O`, ...).
    init(typeString: String) {
        var s = Substring(typeString)
        var order: Character = "="
        if let first = s.first, "<>|=".contains(first) {
            order = first
            s = s.dropFirst()
        }
        let named: [String: (Kind, Int)] = [
            "float16": (.float, 2), "float32": (.float, 4), "float64": (.float, 8),
            "half": (.float, 2),
            "single": (.float, 4), "double": (.float, 8), "int64": (.signed, 8),
            "int32": (.signed, 4),
            "bool": (.bool, 1), "object": (.object, 8),
        ]
        if let (k, size) = named[String(s)] {
            (kind, itemSize) = (k, size)
        } else if let c = s.first {
            kind = Kind(rawValue: String(c)) ?? .other
            let size = Int(s.dropFirst()) ?? (kind == .object ? 8 : 0)
            itemSize = kind == .unicode ? 4 * size : size
        } else {
            (kind, itemSize) = (.other, 0)
        }
        byteOrder = order
    }
}
