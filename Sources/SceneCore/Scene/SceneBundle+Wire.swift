import Foundation

// The canonical byte form of a SceneBundle: what a coordinator journals and sends to workers, and
// what the job's scene digest is computed over. Deterministic (files sorted by key), so the same
// files always give the same bytes and digest.
//
//   "SFB1"  root: u32 length + UTF-8  count: u32  then per file, keys ascending:
//           key: u32 length + UTF-8  bytes: u32 length + bytes
// All integers big-endian.

extension SceneBundle {
    /// Limits a decoder enforces (a bundle arrives from the network or a journal).
    public static let maxFiles = 4096
    public static let maxTotalBytes = 512 << 20

    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = Array("SFB1".utf8)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).bigEndian) { out += $0 } }
        func string(_ s: String) {
            let b = Array(s.utf8)
            u32(b.count)
            out += b
        }
        string(root)
        u32(files.count)
        for key in files.keys.sorted() {
            string(key)
            let bytes = files[key] ?? []
            u32(bytes.count)
            out += bytes
        }
        return out
    }

    /// Decodes `canonicalBytes`; throws SceneFileError naming what is wrong.
    public init(canonicalBytes bytes: [UInt8]) throws {
        var offset = 0
        func take(_ n: Int, _ what: String) throws -> ArraySlice<UInt8> {
            guard n >= 0, n <= bytes.count - offset else {
                throw SceneFileError("scene bundle is truncated (reading \(what) at byte \(offset))")
            }
            defer { offset += n }
            return bytes[offset..<(offset + n)]
        }
        func u32(_ what: String) throws -> Int {
            try take(4, what).reduce(0) { $0 << 8 | Int($1) }
        }
        func string(_ what: String) throws -> String {
            let n = try u32(what)
            guard let s = String(bytes: try take(n, what), encoding: .utf8) else {
                throw SceneFileError("scene bundle: \(what) is not UTF-8")
            }
            return s
        }
        guard Array(try take(4, "magic")) == Array("SFB1".utf8) else {
            throw SceneFileError("not a scene bundle (expected the magic SFB1)")
        }
        let root = try string("root")
        let count = try u32("file count")
        guard count <= Self.maxFiles else {
            throw SceneFileError("scene bundle has \(count) files, more than the \(Self.maxFiles) allowed")
        }
        var files: [String: [UInt8]] = [:]
        var total = 0
        for i in 0..<count {
            let key = try string("file \(i) name")
            let n = try u32("file `\(key)` length")
            total += n
            guard total <= Self.maxTotalBytes else {
                throw SceneFileError("scene bundle is larger than \(Self.maxTotalBytes >> 20) MiB")
            }
            guard files[key] == nil else { throw SceneFileError("scene bundle has `\(key)` twice") }
            guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains("..") else {
                throw SceneFileError("scene bundle has a file with an unsafe name `\(key)`")
            }
            files[key] = Array(try take(n, "file `\(key)`"))
        }
        guard offset == bytes.count else {
            throw SceneFileError("scene bundle has \(bytes.count - offset) bytes after its last file")
        }
        guard files[root] != nil else { throw SceneFileError("scene bundle lacks its root file `\(root)`") }
        self.init(root: root, files: files)
    }

    /// The root file's text (lossy for non-UTF-8), for display and journals.
    public var rootText: String { String(decoding: files[root] ?? [], as: UTF8.self) }
}
