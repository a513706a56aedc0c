// What the process costs: resident memory from /proc/self/status, CPU time from getrusage and,
// per thread, from /proc/self/task/TID/stat (to tell the simulated workers' event loops from
// the coordinator). Linux only, like the farm.

#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// Resident set sizes of this process, in bytes.
struct ResidentMemory {
    /// VmRSS: resident now.
    var current: Int
    /// VmHWM: the peak since the process started, or since `resetPeak()`.
    var peak: Int

    /// Reads /proc/self/status; nil when it cannot be read (not Linux).
    static func read() -> ResidentMemory? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func kilobytes(_ key: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 2 ? Int(fields[1]).map { $0 * 1024 } : nil
        }
        guard let current = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        return ResidentMemory(current: current, peak: peak)
    }

    /// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs, Linux 4.0+), so the
    /// peak measured afterwards is the run's own. Returns false when the kernel refused.
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }
}

/// CPU seconds of the whole process (getrusage).
struct ProcessCPU {
    var user: Double
    var system: Double
    var total: Double { user + system }

    static func read() -> ProcessCPU {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
        return ProcessCPU(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    static func - (a: ProcessCPU, b: ProcessCPU) -> ProcessCPU {
        ProcessCPU(user: a.user - b.user, system: a.system - b.system)
    }
}

/// The calling thread's kernel id, from the /proc/thread-self link ("PID/task/TID"); -1 when it
/// cannot be read. (Glibc's `gettid` is not visible to Swift without _GNU_SOURCE.)
func currentThreadID() -> Int32 {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
        let last = target.split(separator: "/").last, let id = Int32(last)
    else { return -1 }
    return id
}

/// CPU seconds (user + system) the threads `ids` of this process have used so far; a thread
/// that has exited counts 0. Resolution: one clock tick (usually 10 ms).
func threadCPUSeconds(_ ids: [Int32]) -> Double {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var total = 0.0
    for id in ids {
        guard let text = try? String(contentsOfFile: "/proc/self/task/\(id)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { continue }
        // After "pid (comm)": state is field 3, utime 14, stime 15 (1-based over the whole line).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        total += (user + system) / ticks
    }
    return total
}

/// CPU seconds per thread of this process at one moment, by kernel thread id, with the thread's
/// name (`comm`, at most 15 characters).
struct ThreadTimes {
    var threads: [Int32: (name: String, seconds: Double)] = [:]

    /// Reads /proc/self/task/*/stat.
    static func read() -> ThreadTimes {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var result = ThreadTimes()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let id = Int32(entry),
                let text = try? String(contentsOfFile: "/proc/self/task/\(entry)/stat", encoding: .utf8),
                let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
            else { continue }
            let name = String(text[text.index(after: open)..<close])
            // After "pid (comm)": state is field 3, utime 14, stime 15 (1-based over the whole line).
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            result.threads[id] = (name, (user + system) / ticks)
        }
        return result
    }

    /// CPU seconds used since `earlier`, summed by role: the simulated workers' loops
    /// (`workerThreads`), the coordinator's event loops (other NIO threads), its commit pool, the
    /// main thread, Dispatch's threads (the journal's queue, ticks) and the rest.
    ///
    /// The commit pool's threads are recognised by having the process's own name: `CommitPool`
    /// sets `Thread.name` before `start()`, which Foundation on Linux does not pass to the kernel,
    /// and no other thread of this process is left unnamed.
    func byRole(since earlier: ThreadTimes, workerThreads: Set<Int32>) -> [String: Double] {
        var roles: [String: Double] = [:]
        let main = getpid()
        for (id, thread) in threads {
            let used = thread.seconds - (earlier.threads[id]?.seconds ?? 0)
            let role: String
            if workerThreads.contains(id) {
                role = "simulated_workers"
            } else if id == main {
                role = "main"
            } else if thread.name.hasPrefix("NIO-ELT") {
                role = "coordinator_event_loops"
            } else if thread.name.hasPrefix("scenefarm-commi") || thread.name == threads[main]?.name {
                role = "commit_pool"
            } else if thread.name.contains("qos") {
                role = "dispatch"
            } else {
                role = "other"
            }
            roles[role, default: 0] += used
        }
        return roles
    }
}

/// The file system `path` lives on, as "TYPE (DEVICE)" from /proc/self/mounts (the longest mount
/// point that prefixes the resolved path); "?" when unknown. Commit speed depends on it.
func fileSystem(of path: String) -> String {
    let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "?" }
    var best: (point: String, description: String)?
    for line in mounts.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 3 else { continue }
        let point = String(fields[1])
        let inside = point == "/" || resolved == point || resolved.hasPrefix(point + "/")
        if inside, point.count > (best?.point.count ?? -1) {
            best = (point, "\(fields[2]) (\(fields[0]) on \(point))")
        }
    }
    return best?.description ?? "?"
}

/// The whole machine's CPU time (the first line of /proc/stat), to tell how much of it other
/// processes took during a run: a shared machine makes the figures noisy.
struct MachineCPU {
    /// Seconds of all CPUs busy (user, nice, system, irq, softirq) and stolen by the hypervisor.
    var busy: Double
    var steal: Double
    var iowait: Double

    static func read() -> MachineCPU? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 8 else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        // user nice system idle iowait irq softirq steal
        return MachineCPU(
            busy: (values[0] + values[1] + values[2] + values[5] + values[6]) / ticks, steal: values[7] / ticks,
            iowait: values[4] / ticks)
    }

    static func - (a: MachineCPU, b: MachineCPU) -> MachineCPU {
        MachineCPU(busy: a.busy - b.busy, steal: a.steal - b.steal, iowait: a.iowait - b.iowait)
    }
}
