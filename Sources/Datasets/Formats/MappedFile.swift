#if canImport(Glibc)
    import Glibc
#endif

/// A file mapped read-only into memory. Parsing a multi-gigabyte pickle through the map keeps
/// one copy of it, in the page cache, which the kernel may drop and re-read: the process never
/// holds a second, anonymous copy.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    let base: UnsafeRawPointer?

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DataError(
                file: path, message: "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError(file: path, message: "cannot stat") }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw DataError(file: path, message: "cannot map into memory")
        }
        madvise(mapped, count, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(mapped)
    }

    deinit { if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) } }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Tells the kernel that the whole pages inside `range` (a part of `bytes`) will not be
    /// read again, so that they leave this process's resident memory now rather than later.
    /// They are re-read from the file if touched again; correctness does not depend on this.
    func dropPages(_ range: UnsafeRawBufferPointer) {
        guard let base, let start = range.baseAddress, range.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let last = (Int(bitPattern: start) + range.count) / page * page
        let mapStart = Int(bitPattern: base)
        guard last > first, first >= mapStart, last <= mapStart + count else { return }
        madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, MADV_DONTNEED)
    }
}
