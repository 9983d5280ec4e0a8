import Testing

@testable import Autograd

@Suite struct BufferCacheTests {
    /// A freed block serves the next request of its size class, and of a nearby smaller class
    /// (up to 1.5x the request), instead of fresh, page-faulting memory.
    @Test func reusesTheSameAndANearbyLargerClass() {
        let cache = BufferCache()
        let big = 10 << 20
        let (p, capacity) = cache.allocate(bytes: big)
        #expect(capacity == BufferCache.sizeClass(big))
        cache.release(p, bytes: capacity)
        let (q, again) = cache.allocate(bytes: big - 4096)
        #expect(q == p && again == capacity, "same class: the cached block")
        cache.release(q, bytes: again)
        let smaller = big * 3 / 4  // a smaller class, within 1.5x of the cached one
        #expect(BufferCache.sizeClass(smaller) < capacity)
        let (r, reusedCapacity) = cache.allocate(bytes: smaller)
        #expect(
            r == p && reusedCapacity == capacity,
            "a cached block up to 1.5x the request is reused whole")
        let (s, fresh) = cache.allocate(bytes: big / 4)
        #expect(
            s != p && fresh == BufferCache.sizeClass(big / 4), "nothing cached fits: a fresh block")
        cache.release(r, bytes: reusedCapacity)
        let (t, _) = cache.allocate(bytes: big / 4)
        #expect(t != p, "a block more than 1.5x the request is not handed out")
        cache.release(s, bytes: fresh)
        cache.release(t, bytes: BufferCache.sizeClass(big / 4))
    }

    /// Live and cached bytes stay within the most ever live at once (here with no floor): a
    /// step's blocks are found again next step, and blocks of sizes no longer asked for are
    /// freed before fresh memory is taken.
    @Test func keepsWhatThePeakStepNeededAndNoMore() {
        let cache = BufferCache(floorBytes: 0)
        let mib = 1 << 20
        let (a, ca) = cache.allocate(bytes: 3 * mib)
        let (b, cb) = cache.allocate(bytes: 3 * mib)
        cache.release(a, bytes: ca)
        cache.release(b, bytes: cb)
        #expect(cache.cachedBytes == ca + cb, "the peak step's blocks are kept")
        let (again, _) = cache.allocate(bytes: 3 * mib)
        #expect(again == a || again == b, "and handed out again")
        cache.release(again, bytes: ca)
        let (other, co) = cache.allocate(bytes: mib)  // no cached block fits (3 MiB is over 1.5x)
        #expect(
            cache.cachedBytes == ca,
            "one cached block freed: live + cached stay within the 6 MiB peak")
        let (c, cc) = cache.allocate(bytes: 3 * mib)
        #expect(c == a || c == b, "the remaining block still serves")
        #expect(cache.cachedBytes == 0)
        cache.release(other, bytes: co)
        cache.release(c, bytes: cc)
    }
}
