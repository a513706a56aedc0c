#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// POSIX file helpers: write-to-temporary-then-rename, and `mkdir -p` with errors naming the path.
enum AtomicFile {
    /// Writes `bytes` to `path` through a temporary file in the same directory
    /// (`.NAME.tmp-<pid>-<tag>`), then renames it into place: a reader, or a crash, never sees a
    /// half-written file under the final name. Unlinks the temporary file on failure.
    static func write(_ bytes: [UInt8], to path: String, tag: Int, sync: Bool) throws {
        let (dir, name) = split(path)
        let temporary = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())-\(tag)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError(path: temporary, "cannot create file: \(errnoText())") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            try writeAll(fd, bytes, path: temporary)
            if sync, fsync(fd) != 0 { throw ExportError(path: temporary, "cannot fsync: \(errnoText())") }
        }
        guard rename(temporary, path) == 0 else {
            throw ExportError(path: path, "cannot rename \(temporary) into place: \(errnoText())")
        }
        ok = true
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR; errors name `path`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ExportError(path: path, "cannot write: \(errnoText())")
                }
                offset += n
            }
        }
    }

    /// Creates `path` and its missing parents. Throws naming the first component that is not a
    /// directory or cannot be created.
    static func makeDirectories(_ path: String) throws {
        guard !path.isEmpty else { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if mkdir(prefix, 0o755) == 0 { continue }
            let code = errno
            var st = stat()
            if stat(prefix, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw ExportError(path: path, "cannot create directory: \(prefix) exists and is not a directory")
                }
                continue
            }
            throw ExportError(path: path, "cannot create directory \(prefix): \(String(cString: strerror(code)))")
        }
        // Writable? Fail here, naming the directory, rather than at the first frame.
        guard access(path, W_OK | X_OK) == 0 else {
            throw ExportError(path: path, "directory is not writable: \(errnoText())")
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ExportError(path: path, "cannot open: \(errnoText())") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError(path: path, "cannot read: \(errnoText())")
            }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    /// Names in a directory, excluding "." and "..", sorted; empty when it cannot be read.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    private static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
