/// One value per modality, in MMSA's (text, audio, video) order: per-modality
/// hyperparameters and settings, and each modality's own label.
public struct PerModality<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    public var text: Value
    public var audio: Value
    public var video: Value

    public init(text: Value, audio: Value, video: Value) {
        self.text = text
        self.audio = audio
        self.video = video
    }

    public subscript(_ m: Modality) -> Value {
        switch m {
        case .text: text
        case .audio: audio
        case .video: video
        }
    }
}
