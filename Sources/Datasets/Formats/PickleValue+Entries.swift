import Foundation

extension PickleValue {
    /// What `baselines inspect` prints for a feature pickle: one line per array of each entry
    /// (a list's items, or the value itself), `name<TAB>shape<TAB>dtype<TAB>sum` (`strings` for a string array), the name
    /// taken from the entry's `*name`, `sample_id` or `id` string (else `#index`).
    public var entryLines: [String] {
        let entries: [PickleValue] = if case .list(let l) = self { l.items } else { [self] }
        var lines: [String] = []
        for (index, entry) in entries.enumerated() {
            var name = "#\(index)"
            var arrays: [NumPyArray] = []
            if case .dict(let d) = entry {
                for (key, v) in d.items {
                    if case .string(let s) = v, case .string(let k) = key,
                        k.hasSuffix("name") || k == "sample_id" || k == "id"
                    {
                        name = s
                    }
                    if case .array(let a) = v { arrays.append(a) }
                }
            } else if case .array(let a) = entry {
                arrays.append(a)
            }
            for a in arrays {
                let shape = a.shape.map(String.init).joined(separator: "x")
                let sum =
                    a.isNumeric
                    ? String(format: "%.3f", a.floats().reduce(0.0) { $0 + Double($1) }) : "strings"
                lines.append("\(name)\t\(shape)\t\(a.dtype)\t\(sum)")
            }
        }
        return lines
    }
}
