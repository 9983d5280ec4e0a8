internal import CPlatform
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A 64-byte-aligned buffer of `Float`s, shared by every tensor that views the same data.
///
/// Reshapes share a storage; every other op writes a fresh one. The buffer is
/// uninitialised on allocation: each kernel writes all of its output.
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    let base: UnsafeMutablePointer<Float>
    private let capacityBytes: Int

    init(count: Int) {
        self.count = count
        let (pointer, bytes) = BufferCache.shared.allocate(
            bytes: max(count, 1) * MemoryLayout<Float>.stride)
        base = pointer.bindMemory(to: Float.self, capacity: max(count, 1))
        capacityBytes = bytes
    }

    deinit { BufferCache.shared.release(UnsafeMutableRawPointer(base), bytes: capacityBytes) }

    var buffer: UnsafeMutableBufferPointer<Float> { .init(start: base, count: count) }
}

/// Reuses large freed buffers instead of returning them to the kernel.
///
/// A training step allocates the same large temporaries every step. Fresh pages from the
/// kernel cost a page fault per 4 KiB, which made a 16M-float elementwise add 4x slower than
/// `memcpy`; a block kept from the last step is already mapped. Sizes are rounded up to size
/// classes a quarter of a power of two apart (at most 25% slack) so that sequences of
/// slightly different lengths share blocks. Small blocks go to malloc, which already reuses
/// them.
///
/// How much is kept: live and cached bytes together stay within the larger of `floorBytes`
/// and the most ever live at once, so a step that needs 10 GB finds its blocks again next
/// step (MISA at full length re-faulted 8 GB a step under a fixed 2 GB cache, a sixth of its
/// time), while resident memory never exceeds what the peak step already needed plus the
/// floor. When a fresh block would break the bound, cached blocks are freed first, largest
/// first (a run of another model asks for other sizes).
final class BufferCache: Sendable {
    static let shared = BufferCache()

    /// Blocks under this size go straight to malloc.
    static let minimumCachedBytes = 64 << 10
    let floorBytes: Int

    private struct State {
        /// Block addresses by size class (addresses as integers: pointers are not `Sendable`).
        var free: [Int: [UInt]] = [:]
        var cachedBytes = 0
        /// Bytes handed out and not yet released (cached-size blocks only), and their maximum.
        var liveBytes = 0
        var peakLiveBytes = 0
    }
    private let state = Mutex(State())

    init(floorBytes: Int = 2 << 30) {
        self.floorBytes = floorBytes
        // Also let malloc keep freed blocks below 32 MiB (glibc's ceiling) in its heap.
        _ = cplatform_keep_freed_memory(32 << 20, 256 << 20)
    }

    /// Cached bytes now (for tests).
    var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    static func sizeClass(_ bytes: Int) -> Int {
        guard bytes > minimumCachedBytes else { return bytes }
        let top = Int.bitWidth - 1 - bytes.leadingZeroBitCount  // 2^top <= bytes
        let quarter = 1 << (top - 2)
        return (bytes + quarter - 1) / quarter * quarter
    }

    func allocate(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let size = Self.sizeClass(bytes)
        guard size >= Self.minimumCachedBytes else { return (Self.fresh(size), size) }
        // The block of this size class, else the smallest cached one up to 1.5x as large:
        // batches of different lengths ask for neighbouring classes, and a fresh block
        // costs a page fault per 4 KiB.
        var evicted: [UInt] = []
        let reused = state.withLock { s -> (UInt, Int)? in
            let fit =
                s.free[size]?.isEmpty == false
                ? size
                : s.free.keys.filter {
                    $0 > size && $0 <= size + size / 2 && s.free[$0]?.isEmpty == false
                }.min()
            if let fit, let address = s.free[fit]?.popLast() {
                s.cachedBytes -= fit
                s.liveBytes += fit
                s.peakLiveBytes = Swift.max(s.peakLiveBytes, s.liveBytes)
                return (address, fit)
            }
            // A fresh block: make room under the bound by freeing cached blocks, largest first.
            let bound = Swift.max(floorBytes, s.peakLiveBytes)
            while s.liveBytes + s.cachedBytes + size > bound,
                let largest = s.free.filter({ !$0.value.isEmpty }).keys.max()
            {
                evicted.append(s.free[largest]!.removeLast())
                s.cachedBytes -= largest
            }
            s.liveBytes += size
            s.peakLiveBytes = Swift.max(s.peakLiveBytes, s.liveBytes)
            return nil
        }
        for address in evicted { free(UnsafeMutableRawPointer(bitPattern: address)) }
        if let (address, capacity) = reused, let p = UnsafeMutableRawPointer(bitPattern: address) {
            return (p, capacity)
        }
        return (Self.fresh(size), size)
    }

    private static func fresh(_ size: Int) -> UnsafeMutableRawPointer {
        var raw: UnsafeMutableRawPointer?
        // 64 bytes: a cache line and an AVX-512 register, so BLAS and vector loops start aligned.
        let status = posix_memalign(&raw, 64, size)
        precondition(status == 0 && raw != nil, "cannot allocate \(size) bytes")
        return raw!
    }

    func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= Self.minimumCachedBytes {
            let address = UInt(bitPattern: pointer)
            let kept = state.withLock { s -> Bool in
                s.liveBytes -= bytes
                guard s.liveBytes + s.cachedBytes + bytes <= Swift.max(floorBytes, s.peakLiveBytes)
                else { return false }
                s.free[bytes, default: []].append(address)
                s.cachedBytes += bytes
                return true
            }
            if kept { return }
        }
        free(pointer)
    }
}
