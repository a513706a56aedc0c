/// Which GPU objects (meshes, textures) stay resident: least-recently-used bookkeeping by asset key,
/// with no GL in it, so the policy is testable on its own.
///
/// An entry is evicted when it has not been used for more than `maxIdleFrames` frames, or, least
/// recently used first, while the set holds more than `budgetBytes`. Entries used by the frame being
/// prepared are never evicted, so a frame that alone needs more than the budget still draws (and
/// everything else is gone). Ties in last use are broken by key, so what is evicted does not depend
/// on dictionary order.
struct ResidentSet<Object> {
    struct Entry {
        var object: Object
        var bytes: Int
        var lastUsed: Int
    }

    var budgetBytes: Int
    var maxIdleFrames: Int
    private(set) var entries: [String: Entry] = [:]
    private(set) var bytes = 0
    /// Objects created and evicted since the start (counters for tests and reports).
    private(set) var insertions = 0
    private(set) var evictions = 0

    init(budgetBytes: Int, maxIdleFrames: Int) {
        self.budgetBytes = budgetBytes
        self.maxIdleFrames = maxIdleFrames
    }

    var count: Int { entries.count }

    /// The object for `key`, marked used in `frame`; nil when it is not resident.
    mutating func use(_ key: String, frame: Int) -> Object? {
        guard var entry = entries[key] else { return nil }
        entry.lastUsed = frame
        entries[key] = entry
        return entry.object
    }

    /// The object for `key` without marking it used.
    func peek(_ key: String) -> Object? { entries[key]?.object }

    mutating func insert(_ key: String, _ object: Object, bytes: Int, frame: Int) {
        if let old = entries[key] { self.bytes -= old.bytes }
        entries[key] = Entry(object: object, bytes: bytes, lastUsed: frame)
        self.bytes += bytes
        insertions += 1
    }

    /// Removes what the policy says must go after `frame`'s objects were marked, and returns the
    /// removed objects so that the caller deletes their GL names.
    mutating func evict(frame: Int) -> [Object] {
        let idleLimit = frame - maxIdleFrames
        let overBudget = bytes > budgetBytes
        guard overBudget || entries.values.contains(where: { $0.lastUsed < idleLimit }) else { return [] }
        let candidates = entries.filter { $0.value.lastUsed < frame }.sorted {
            $0.value.lastUsed != $1.value.lastUsed ? $0.value.lastUsed < $1.value.lastUsed : $0.key < $1.key
        }
        var removed: [Object] = []
        for (key, entry) in candidates {
            guard entry.lastUsed < idleLimit || bytes > budgetBytes else { break }
            entries[key] = nil
            bytes -= entry.bytes
            evictions += 1
            removed.append(entry.object)
        }
        return removed
    }

    /// Every object, for deletion when the renderer goes.
    var allObjects: [Object] { entries.values.map(\.object) }
}
