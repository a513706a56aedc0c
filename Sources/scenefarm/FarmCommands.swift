import ArgumentParser
import Coordinator
import Export
import FarmProtocol
import FarmTLS
import Foundation
import NIOCore
import NIOPosix
import RenderContext
import SceneCore
import Worker

/// HOST:PORT on the command line.
struct HostPort: ExpressibleByArgument, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        // "[::1]:7400", "10.0.0.1:7400", "coordinator:7400"
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// TLS towards a coordinator started with --tls-cert: workers and clients alike.
struct ClientTLSOptions: ParsableArguments {
    @Option(
        name: .customLong("tls-ca"),
        help: "Connect over TLS, trusting this PEM CA certificate (or the coordinator's self-signed one).")
    var caFile: String?

    @Option(
        name: .customLong("tls-server-name"),
        help: "The DNS name the coordinator's certificate must carry (default: the host connected to).")
    var serverName: String?

    func validate() throws {
        if serverName != nil && caFile == nil { throw ValidationError("--tls-server-name needs --tls-ca.") }
    }

    /// The TLS settings, or nil for plain TCP; exits with the error, naming the file, when the CA
    /// file cannot be used.
    func settings() throws -> FarmTLSClient? {
        guard let caFile else { return nil }
        do { return try FarmTLSClient(caFile: caFile, serverName: serverName) } catch { throw fail(error) }
    }
}

/// Options naming the coordinator a client talks to.
struct CoordinatorAddressOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's HOST:PORT.")
    var coordinator: HostPort = HostPort(host: "127.0.0.1", port: 7400)

    @Option(name: .long, help: "The file holding the farm's shared token.")
    var tokenFile: String

    @OptionGroup var tls: ClientTLSOptions

    func token() throws -> FarmToken {
        do { return try FarmToken(contentsOfFile: tokenFile) } catch { throw fail(error) }
    }

    func request(_ message: FarmMessage) throws -> FarmMessage {
        let token = try token()
        let settings = try tls.settings()
        do {
            return try FarmClient.request(
                message, host: coordinator.host, port: coordinator.port, token: token, tls: settings)
        } catch {
            throw fail(error)
        }
    }

    func status() throws -> FarmStatus {
        let reply = try request(.statusRequest)
        guard case .statusReport(let json) = reply else { throw fail(unexpected(reply)) }
        do { return try FarmStatus.decode(json: json) } catch { throw fail(error) }
    }

    func unexpected(_ reply: FarmMessage) -> FarmClientError {
        if case .requestFailed(let reason) = reply { return FarmClientError("coordinator \(coordinator): \(reason)") }
        return FarmClientError("coordinator \(coordinator) answered with \(reply.messageType)")
    }
}

struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run a farm coordinator: a queue of jobs leased to workers, written to DIR.",
        discussion: """
            Workers (`scenefarm worker`) and clients (`submit`, `status`, `cancel`) connect with the \
            shared token; with --tls-cert and --tls-key only over TLS 1.3 (they need --tls-ca). Job state lives in DIR/.scenefarm/journal.sqlite: after a crash, run the same \
            command again and every job resumes without rendering committed frames again. Datasets land \
            in DIR/NAME. HTTP: GET /status (JSON), /metrics (Prometheus), /healthz. SIGTERM or Ctrl-C \
            drains: no new leases, in-flight frames finish (up to --drain-seconds), then it exits.
            """)

    @Option(name: .long, help: "Address to listen on for workers and clients.")
    var listen: HostPort = HostPort(host: "127.0.0.1", port: 7400)

    @Option(name: .long, help: "The data directory (journal and datasets).")
    var data: String

    @Option(name: .long, help: "The file holding the farm's shared token.")
    var tokenFile: String

    @Option(name: .long, help: "Address of the HTTP status and metrics endpoint, or 'off'.")
    var http: String = "127.0.0.1:7401"

    @Option(name: .long, help: "Frames per shard (the unit of a lease).")
    var shardSize: Int = 8

    @Option(name: .long, help: "Seconds a lease lives without a heartbeat.")
    var leaseSeconds: Double = 30

    @Option(name: .long, help: "Seconds to wait for in-flight frames when draining.")
    var drainSeconds: Double = 60

    @Option(name: .long, help: "Serve workers and clients over TLS only, with this PEM certificate (chain).")
    var tlsCert: String?

    @Option(name: .long, help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain TCP.")
        }
        if shardSize < 1 { throw ValidationError("--shard-size must be at least 1, got \(shardSize).") }
        if leaseSeconds < 1 { throw ValidationError("--lease-seconds must be at least 1, got \(leaseSeconds).") }
        if http != "off" && HostPort(argument: http) == nil {
            throw ValidationError("--http must be HOST:PORT or 'off', got '\(http)'.")
        }
    }

    func run() throws {
        let token: FarmToken
        do { token = try FarmToken(contentsOfFile: tokenFile) } catch { throw fail(error) }
        var tls: FarmTLSServer?
        if let tlsCert, let tlsKey {
            do { tls = try FarmTLSServer(certificateFile: tlsCert, keyFile: tlsKey) } catch { throw fail(error) }
        }
        let configuration = CoordinatorConfiguration(
            root: data, token: token, lease: LeaseConfiguration(shardSize: shardSize, leaseDuration: leaseSeconds))
        let farm: RunningFarm
        do {
            farm = try RunningFarm(
                configuration: configuration, listen: listen, http: http == "off" ? nil : HostPort(argument: http),
                tls: tls)
        } catch {
            throw fail(error)
        }
        let stop = DispatchSemaphore(value: 0)
        let signals = SignalWatcher { stop.signal() }
        stop.wait()
        printError("coordinator: draining (up to \(Int(drainSeconds)) s; signal again to stop at once)")
        signals.onSignal = {
            farm.shutdown(); Foundation.exit(1)
        }
        farm.drain(seconds: drainSeconds)
        farm.shutdown()
        printError("coordinator: stopped")
    }
}

/// A coordinator with its TCP server, HTTP endpoint and event loops.
final class RunningFarm: @unchecked Sendable {
    let coordinator: FarmCoordinator
    let server: CoordinatorServer
    let http: StatusHTTPServer?
    private let group: MultiThreadedEventLoopGroup

    init(configuration: CoordinatorConfiguration, listen: HostPort, http: HostPort?, tls: FarmTLSServer? = nil) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        do {
            let coordinator = try FarmCoordinator(configuration: configuration)
            self.coordinator = coordinator
            server = try CoordinatorServer(
                coordinator: coordinator, host: listen.host, port: listen.port, group: group, tls: tls,
                status: { coordinator.status().json() })
            if let http {
                self.http = try StatusHTTPServer.start(
                    host: http.host, port: http.port, group: group, metrics: coordinator.metrics,
                    status: { coordinator.status() })
                configuration.log("coordinator: HTTP status on http://\(http)/status and /metrics")
            } else {
                self.http = nil
            }
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Stops new leases and waits up to `seconds` for live ones to finish.
    func drain(seconds: Double) {
        coordinator.beginDrain()
        let deadline = monotonicSeconds() + seconds
        while !coordinator.isQuiet && monotonicSeconds() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    }

    func shutdown() {
        server.close()
        try? http?.close()
        coordinator.shutdown()
        try? group.syncShutdownGracefully()
    }
}

/// Calls `onSignal` on SIGINT and SIGTERM (on a dispatch queue, not in the signal handler).
final class SignalWatcher: @unchecked Sendable {
    var onSignal: () -> Void
    private var sources: [DispatchSourceSignal] = []

    init(_ onSignal: @escaping () -> Void) {
        self.onSignal = onSignal
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.onSignal() }
            source.resume()
            sources.append(source)
        }
    }
}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a farm worker: render the frames a coordinator leases to it.",
        discussion: """
            Connects to the coordinator with the shared token (over TLS with --tls-ca), renders leased \
            frames on its own thread, labels, encodes and checksums them on the other cores, and streams \
            them back. \
            Reconnects with backoff when the coordinator goes away (also across its restarts). \
            SIGTERM or Ctrl-C drains: no new leases, the held ones finish, then it exits.
            """)

    @Option(name: .long, help: "The coordinator's HOST:PORT.")
    var connect: HostPort

    @Option(name: .long, help: "The file holding the farm's shared token.")
    var tokenFile: String

    @OptionGroup var tls: ClientTLSOptions

    @Option(name: .long, help: "This worker's name in logs and status (default: HOST-PID).")
    var id: String?

    @Option(name: .long, help: "Threads that label, encode and checksum frames (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Log only problems.")
    var quiet = false

    @Option(name: .long, help: .hidden)
    var parent: Int32?

    @OptionGroup var renderer: RendererOptions

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    }

    func run() throws {
        let token: FarmToken
        do { token = try FarmToken(contentsOfFile: tokenFile) } catch { throw fail(error) }
        let tlsSettings = try tls.settings()
        let platform = renderer.platform
        // Probe the driver first: a machine without one says so and exits instead of
        // connecting and failing every lease.
        let summary: String
        let gpuName: String?
        do {
            let context = try EGLHeadlessContext(platform: platform)
            summary = context.summary
            gpuName = context.glRenderer.lowercased().contains("llvmpipe") ? nil : context.glRenderer
        } catch {
            throw fail(error)
        }
        let quiet = self.quiet
        let name = id ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let log: @Sendable (String) -> Void = { line in
            if !quiet { printError("worker \(name): \(line)") }
        }
        if !quiet { printError("worker \(name): renderer \(summary)") }
        var configuration = WorkerConfiguration(
            host: connect.host, port: connect.port, token: token, tls: tlsSettings, workerID: name,
            capabilities: WorkerCapabilities(
                renderer: summary, gpuName: gpuName, cores: ProcessInfo.processInfo.activeProcessorCount),
            makeRenderer: { options in
                try HeadlessGLRenderer(platform: platform, computesCoverage: options.computesCoverage)
            })
        configuration.encoderThreads = threads
        configuration.log = log
        configuration.exitOnRefusal = true
        let worker = FarmWorker(configuration: configuration)
        var stops = 0
        let signals = SignalWatcher {
            stops += 1
            worker.stop()
            if stops > 1 { Foundation.exit(1) }
        }
        if let parent { Self.exitWhenParentDies(parent) }
        do {
            try worker.run()
        } catch {
            throw fail(error)
        }
        withExtendedLifetime(signals) {}
        log("stopped after \(worker.framesSent) frames")
    }

    /// The embedded `render` starts workers with `--parent`: they exit when it is gone, even
    /// after `kill -9`, instead of reconnecting forever.
    static func exitWhenParentDies(_ parent: Int32) {
        let thread = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.25) }
            Foundation.exit(0)
        }
        thread.start()
    }
}

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a job on a coordinator; the dataset lands in the coordinator's DIR/NAME.",
        discussion: """
            The scene is validated here first. Submitting the same NAME with the same scene and \
            settings again resumes that job (or reports it complete); with another scene it is refused.
            """)

    @OptionGroup var sceneOptions: SceneOptions
    @OptionGroup var address: CoordinatorAddressOptions

    @Option(name: .long, help: "The job's name: its dataset folder under the coordinator's data directory.")
    var out: String

    @Option(name: .long, help: "Also export while rendering into NAME/exports/FORMAT (repeatable).")
    var format: [ExportFormat] = []

    @Flag(name: .long, help: "Skip the hidden-pixel pass (no amodal boxes, visibility or truncation).")
    var noAmodal = false

    @Flag(name: .long, help: "Wait until the job is complete, showing progress; exit non-zero if it fails.")
    var wait = false

    func run() throws {
        let (scene, bundle) = try sceneOptions.loadWithBundle()
        let request = JobRequest(
            name: out, sceneFile: sceneOptions.scene, scene: bundle, frames: sceneOptions.frames,
            seed: sceneOptions.seed, options: JobOptions(computesCoverage: !noAmodal), formats: format.map(\.rawValue))
        let reply = try address.request(.submit(request))
        guard case .submitted(let jobID, let resumed) = reply else { throw fail(address.unexpected(reply)) }
        printError("job \(jobID) \(resumed ? "resumed" : "queued") on \(address.coordinator)")
        if scene.isMultiCamera {
            printError(
                "cameras \(scene.cameraNames.joined(separator: ", ")): one dataset per camera in \(out)/CAMERA, "
                    + "the rig in \(out)/\(CameraRigInfo.fileName)")
        }
        guard wait else { return }
        var progress: ProgressReporter?
        while true {
            let status = try address.status()
            guard let job = status.jobs.first(where: { $0.id == jobID }) else {
                throw fail(FarmClientError("coordinator \(address.coordinator) no longer lists job \(jobID)"))
            }
            if progress == nil { progress = ProgressReporter(total: job.frameCount, label: jobID) }
            progress?.update(job.framesCommitted)
            switch job.state {
            case "complete":
                printError("job \(jobID) complete: \(job.frameCount) frames in \(job.dataset)")
                return
            case "failed", "cancelled":
                throw fail(FarmClientError("job \(jobID) \(job.state): \(job.message ?? "no reason given")"))
            default:
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a coordinator's jobs and workers (frames/s, ETA).")

    @OptionGroup var address: CoordinatorAddressOptions

    @Flag(name: .long, help: "Print the status as JSON (the same document as HTTP /status).")
    var json = false

    func run() throws {
        let status = try address.status()
        print(json ? status.json() : status.renderText())
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job on a coordinator; what it committed stays on disk.")

    @Argument(help: "The job's name.")
    var name: String

    @OptionGroup var address: CoordinatorAddressOptions

    func run() throws {
        let reply = try address.request(.cancel(jobID: name))
        guard case .cancelled = reply else { throw fail(address.unexpected(reply)) }
        printError("job \(name) cancelled")
    }
}
