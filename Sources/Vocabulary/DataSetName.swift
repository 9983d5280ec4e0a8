/// The names data sets go by in records, caches and captions, spelled once. An MMSA-format
/// file is named from its labels unless `--data-name` says otherwise (`CH-SIMS v2`).
public enum DataSetName {
    public static let indoMER = "IndoMER"
    public static let chsims = "CH-SIMS"
    public static let cmu = "CMU-MOSI/MOSEI"
}
