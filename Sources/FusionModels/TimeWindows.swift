/// The frame windows that every time average uses, defined once: audio pooling (fixed
/// windows, in the batcher) and alignment onto text tokens (equal slices,
/// `FusionBatch.aligningToText()`). Both average a clip's true frames only.
public enum TimeWindows {
    /// `⌈L/k⌉` windows of `k` frames, the last one shorter: `t·k ..< min((t+1)·k, L)`. Lazy:
    /// the batcher walks them for every clip of every batch without building an array.
    public static func pooled(
        length: Int, window: Int
    )
        -> LazyMapSequence<StrideTo<Int>, Range<Int>>
    {
        stride(from: 0, to: length, by: window).lazy.map { $0..<Swift.min($0 + window, length) }
    }

    /// `n` equal slices of `L` frames, one per text token:
    /// `⌊j·L/n⌋ ..< min(max(⌊(j+1)·L/n⌋, ⌊j·L/n⌋ + 1), L)`, so that a clip with fewer frames
    /// than tokens repeats frames and every slice holds at least one; none when `L` is 0.
    public static func slices(length: Int, count n: Int) -> [Range<Int>] {
        guard length > 0 else { return [] }
        return (0..<n).map { j in
            let lo = j * length / n
            return lo..<Swift.min(Swift.max((j + 1) * length / n, lo + 1), length)
        }
    }
}
