/// The columns of the terminal's text tables and the numbers in log lines, in one place for
/// the libraries and the command line.
public enum TextTable {
    /// `text` padded with spaces to `width` columns (one space after a longer one).
    public static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// `x` with `digits` decimals (3 by default: the precision of the metrics in logs).
    public static func number(_ x: Double, _ digits: Int = 3) -> String {
        String(format: "%.\(digits)f", x)
    }
}
