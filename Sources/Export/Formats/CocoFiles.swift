#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The two kinds of file an exporter uses to write a document too large to hold in memory:
// per-frame fragments appended to a scratch file as frames arrive (`FragmentFile`), and the final
// document streamed into a temporary file and renamed into place (`StreamedFile`).

/// A scratch file that pieces of JSON are appended to; each append returns where its bytes are so
/// they can be read back in any order. Not thread-safe (the owner holds a lock).
final class FragmentFile {
    let path: String
    private var fd: Int32
    private(set) var size = 0

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ExportError(path: path, "cannot create scratch file: \(AtomicFile.errnoText())") }
    }

    deinit { close() }

    func close() {
        if fd >= 0 { _ = Glibc_close(fd) }
        fd = -1
    }

    /// Appends `bytes`; returns their offset.
    func append(_ bytes: [UInt8]) throws -> Int {
        let offset = size
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ExportError(path: path, "cannot write: \(AtomicFile.errnoText())")
                }
                done += n
            }
        }
        size += bytes.count
        return offset
    }

    /// The `count` bytes at `offset`.
    func read(offset: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { raw in
            var done = 0
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ExportError(path: path, "cannot read: \(AtomicFile.errnoText())")
                }
                guard n > 0 else { throw ExportError(path: path, "scratch file is shorter than expected") }
                done += n
            }
        }
        return out
    }
}

/// A file written front to back through a buffer under a temporary name in its final folder
/// (`.NAME.tmp-<pid>-<tag>`), renamed into place by `commit()`. Dropped without `commit()`, it
/// unlinks the temporary file, so a failed export leaves nothing under the final name.
final class StreamedFile {
    let path: String
    let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private static let flushSize = 1 << 20

    init(path: String, tag: Int) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporary = dir + ".\(name).tmp-\(getpid())-\(tag)"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError(path: temporary, "cannot create file: \(AtomicFile.errnoText())") }
        buffer.reserveCapacity(Self.flushSize)
    }

    deinit {
        if fd >= 0 { _ = Glibc_close(fd) }
        if !committed { unlink(temporary) }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= Self.flushSize { try flush() }
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    private func flush() throws {
        try AtomicFile.writeAll(fd, buffer, path: temporary)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the file into place.
    func commit() throws {
        try flush()
        let status = Glibc_close(fd)
        fd = -1
        guard status == 0 else { throw ExportError(path: temporary, "cannot close: \(AtomicFile.errnoText())") }
        guard rename(temporary, path) == 0 else {
            throw ExportError(path: path, "cannot rename \(temporary) into place: \(AtomicFile.errnoText())")
        }
        committed = true
    }
}

/// Removes a scratch folder and the files directly in it.
func removeScratchDirectory(_ path: String) {
    for name in AtomicFile.list(path) { unlink(path + "/" + name) }
    rmdir(path)
}

@inline(__always)
private func Glibc_close(_ fd: Int32) -> Int32 {
    close(fd)
}
