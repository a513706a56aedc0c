#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Notices when any of a scene's files changes, by polling: cheap for the handful of files a scene
/// reads, works on every file system (network and container mounts included, where change
/// notification often does not), and catches editors that save by writing a new file and renaming
/// it over the old one (the inode changes).
public struct SceneWatcher {
    /// What identifies one version of a file: modification time, size and inode; nil while the file
    /// does not exist (its appearance is a change too).
    struct Stamp: Hashable {
        var seconds: Int
        var nanoseconds: Int
        var size: Int64
        var inode: UInt64
    }

    private var stamps: [String: Stamp?]

    /// Starts watching `paths` with the versions given by `stamps` (from `stamp(_:)`, taken before the
    /// files were read, so that a save during the read is still seen as a change).
    init(stamps: [String: Stamp?]) { self.stamps = stamps }

    /// Starts watching `paths` as they are now.
    public init(paths: [String]) {
        var stamps: [String: Stamp?] = [:]
        for p in paths { stamps[p] = Self.stamp(p) }
        self.stamps = stamps
    }

    /// The paths whose file changed, appeared or disappeared since the watch started; sorted.
    public func changedPaths() -> [String] {
        stamps.keys.sorted().filter { Self.stamp($0) != stamps[$0] ?? nil }
    }

    static func stamp(_ path: String) -> Stamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
            let time = st.st_mtimespec
        #else
            let time = st.st_mtim
        #endif
        return Stamp(
            seconds: Int(time.tv_sec), nanoseconds: Int(time.tv_nsec), size: Int64(st.st_size),
            inode: UInt64(st.st_ino))
    }
}
