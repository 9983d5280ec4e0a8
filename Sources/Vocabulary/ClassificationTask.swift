/// A classification task of a data set: its name and its classes in label order.
///
/// Spellings, each in one place: `name` (`sentiment`) in the command line, specs, run records
/// and file names; `title` (`Sentiment (3 classes)`) in table captions and headings;
/// `classNames` in per-class tables. It encodes as its name; decoding looks the name up in
/// `known`, the tasks of every data set the package reads.
public struct ClassificationTask: Hashable, Sendable, Spelled, CustomStringConvertible {
    public let name: String
    /// Class names, index = class id.
    public let classNames: [String]

    public init(name: String, classNames: [String]) {
        self.name = name
        self.classNames = classNames
    }

    public var classCount: Int { classNames.count }
    public var description: String { name }

    /// `Sentiment (3 classes)`.
    public var title: String {
        name.prefix(1).uppercased() + name.dropFirst() + " (\(classCount) classes)"
    }

    /// IndoMER's overall sentiment, in the release's class order.
    public static let sentiment = ClassificationTask(
        name: "sentiment", classNames: ["negative", "neutral", "positive"])
    /// IndoMER's emotion, in the release's class order.
    public static let emotion = ClassificationTask(
        name: "emotion",
        classNames: ["fear", "disgust", "anger", "sadness", "neutral", "happiness", "surprise"])

    /// IndoMER's two tasks, in the order the reports list them.
    public static let indoMER: [ClassificationTask] = [.sentiment, .emotion]
    /// Every task the package knows by name.
    public static let known: [ClassificationTask] = indoMER

    /// The known task of this name; nil for any other.
    public init?(named name: String) {
        guard let task = Self.known.first(where: { $0.name == name }) else { return nil }
        self = task
    }

    public var spelling: String { name }
    public init?(spelling: String) { self.init(named: spelling) }
    public static var expectedSpellings: String {
        "the tasks " + known.map(\.name).joined(separator: ", ")
    }
}
