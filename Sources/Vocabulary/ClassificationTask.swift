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
    /// What the task labels, for titles (`Sentiment`); the capitalised name when nil.
    public let heading: String?

    public init(name: String, classNames: [String], heading: String? = nil) {
        self.name = name
        self.classNames = classNames
        self.heading = heading
    }

    public var classCount: Int { classNames.count }

    /// A task is its name (names are unique in `known`): comparing and hashing the name alone
    /// keeps label lookups (`Clip.labels[task]`, per clip of every batch) cheap.
    public static func == (a: ClassificationTask, b: ClassificationTask) -> Bool {
        a.name == b.name
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    public var description: String { name }

    /// `Sentiment (3 classes)`.
    public var title: String {
        (heading ?? name.prefix(1).uppercased() + name.dropFirst()) + " (\(classCount) classes)"
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

    /// CH-SIMS (and v2): MMSA's bins of the sentiment score in [−1, 1] (`Mult_acc_2/3/5`).
    public static let sims2 = ClassificationTask(
        name: "sims-2", classNames: ["negative", "positive"], heading: "Sentiment")
    public static let sims3 = ClassificationTask(
        name: "sims-3", classNames: ["negative", "neutral", "positive"], heading: "Sentiment")
    public static let sims5 = ClassificationTask(
        name: "sims-5",
        classNames: ["negative", "weakly negative", "neutral", "weakly positive", "positive"],
        heading: "Sentiment")
    public static let sims: [ClassificationTask] = [sims2, sims3, sims5]

    /// CMU-MOSI and CMU-MOSEI: MMSA's readings of the sentiment score in [−3, 3]: negative
    /// against non-negative (`Has0_acc_2`), negative against positive with the neutral clips left
    /// out (`Non0_acc_2`), and the score rounded to 5 and 7 classes (`Mult_acc_5/7`).
    public static let cmuHas0 = ClassificationTask(
        name: "cmu-2-has0", classNames: ["negative", "non-negative"],
        heading: "Sentiment, negative or not")
    public static let cmuNon0 = ClassificationTask(
        name: "cmu-2-non0", classNames: ["negative", "positive"],
        heading: "Sentiment, neutral clips left out")
    public static let cmu5 = ClassificationTask(
        name: "cmu-5",
        classNames: ["strongly negative", "negative", "neutral", "positive", "strongly positive"],
        heading: "Sentiment")
    public static let cmu7 = ClassificationTask(
        name: "cmu-7",
        classNames: [
            "strongly negative", "negative", "weakly negative", "neutral", "weakly positive",
            "positive", "strongly positive",
        ],
        heading: "Sentiment")
    public static let cmu: [ClassificationTask] = [cmuHas0, cmuNon0, cmu5, cmu7]

    /// Every task the package knows by name.
    public static let known: [ClassificationTask] = indoMER + sims + cmu

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
