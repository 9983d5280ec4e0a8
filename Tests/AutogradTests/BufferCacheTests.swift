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
        #expect(r == p && reusedCapacity == capacity, "a cached block up to 1.5x the request is reused whole")
        let (s, fresh) = cache.allocate(bytes: big / 4)
        #expect(s != p && fresh == BufferCache.sizeClass(big / 4), "nothing cached fits: a fresh block")
        cache.release(r, bytes: reusedCapacity)
        let (t, _) = cache.allocate(bytes: big / 4)
        #expect(t != p, "a block more than 1.5x the request is not handed out")
        cache.release(s, bytes: fresh)
        cache.release(t, bytes: BufferCache.sizeClass(big / 4))
    }
}
