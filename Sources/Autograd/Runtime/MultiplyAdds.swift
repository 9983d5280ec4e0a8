internal import CPlatform

/// Counts the multiply-adds (GEMMs and attention) of the work one caller starts: its own
/// thread's and its parallel loops' workers', not other threads' (tests or grids running side
/// by side). `RunCost` uses it to rank a grid's runs by cost.
public enum MultiplyAdds {
    /// `body`'s result and the multiply-adds it performed.
    public static func counting<T>(_ body: () throws -> T) rethrows -> (T, Int) {
        let counter = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        counter.initialize(to: 0)
        defer { counter.deallocate() }
        let saved = cplatform_counter()
        cplatform_set_counter(counter)
        defer { cplatform_set_counter(saved) }
        let result = try body()
        return (result, counter.pointee)
    }

    /// Adds `n` to the current count, if this thread is counting.
    static func add(_ n: Int) { cplatform_count(n) }
}
