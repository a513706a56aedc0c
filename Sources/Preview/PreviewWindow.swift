import CGL
import CGLFW
import Foundation
import Labels
import Overlays
import Render
import RenderContext
import SceneCore

/// How the window starts, and the switches tests use to drive it.
public struct PreviewWindowOptions {
    public var frame = 0
    public var seed: UInt64?
    public var mode = PreviewMode.rgb
    public var boxes = BoxOverlay.none
    /// Render at this size instead of the scene's resolution (a smaller one keeps the window responsive).
    public var size: PreviewSize?
    /// Close after this many frames were presented (a present happens at least every `pollInterval`).
    public var exitAfterFrames: Int?
    /// Close after this many successful reloads of the scene.
    public var exitAfterReloads: Int?
    /// On closing, write what the window shows (the picture's rectangle of the back buffer) here as PNG.
    public var screenshot: String?

    public init() {}
}

/// The live preview: a GLFW window showing one frame of a scene, re-rendered when the view, the
/// frame, the overlay or the scene file changes.
///
/// ```
///  events ──▶ keys / drags / wheel ──▶ state (frame, mode, boxes, camera) ──┐
///  every 0.5 s: scene files changed? ──▶ reload (or keep the last good frame) ┤
///                                                                            ▼
///  FrameSpec (camera replaced) ─▶ GLRenderer ─▶ LabelDeriver ─▶ FramePicture ─▶ texture ─▶ blit
/// ```
///
/// Everything runs on the main thread, which GLFW requires; lines for the terminal go to standard
/// output (state changes: `preview: loaded`, `preview: reloaded`) and standard error (every issue).
public final class PreviewWindow {
    /// How often the scene's files are checked for changes (and the longest wait for an event).
    static let pollInterval = 0.5
    /// Speed of the fly camera in metres per second (four times that with Shift).
    static let flySpeed = 5.0

    private let scenePath: String
    private let options: PreviewWindowOptions
    private let context: GLFWWindowContext
    private var renderer: GLRenderer?
    private var presenter: WindowPresenter?
    private let input = PreviewInput()

    private var scene: PreviewScene?
    private var watcher = SceneWatcher(paths: [])
    /// Problems with the scene's files: while there are any, nothing is rendered (the last good frame stays).
    private var sceneIssues: [String] = []
    /// Problems rendering the current frame (it could not be sampled, rendered or labelled).
    private var frameIssues: [String] = []
    private var frameIndex: Int
    private var mode: PreviewMode
    private var boxes: BoxOverlay
    private var camera = PreviewCamera.scene
    /// The last picture rendered without a problem, and what it showed.
    private var goodPicture: RGBImage?
    private var goodLabels: FrameLabels?
    private var goodPose: Mat4?
    private var frameMilliseconds = 0.0
    private var randomState: UInt64

    private var needsRender = true
    private var presents = 0
    private var reloads = 0
    private var cursor: (x: Double, y: Double)?
    private var lastTurn = monotonicSeconds()

    /// Opens the window for the scene at `scenePath` and runs until it is closed (or a testing switch
    /// ends it). A scene with errors opens too, showing them, and is picked up when it is fixed.
    public static func run(scenePath: String, options: PreviewWindowOptions) throws {
        let window = try PreviewWindow(scenePath: scenePath, options: options)
        try window.loop()
    }

    private init(scenePath: String, options: PreviewWindowOptions) throws {
        self.scenePath = scenePath
        self.options = options
        frameIndex = max(0, options.frame)
        mode = options.mode
        boxes = options.boxes
        randomState = options.seed ?? 0x5CE7_EFA2_0000_0001
        let first = Self.loadScene(scenePath, seed: options.seed)
        let size =
            options.size
            ?? (try? first.scene.get()).map {
                PreviewSize(width: $0.description.camera.width, height: $0.description.camera.height)
            }
            ?? PreviewSize(width: 640, height: 360)
        let window = Self.windowSize(for: size)
        context = try GLFWWindowContext(width: window.width, height: window.height, title: "SceneFarm preview")
        input.attach(to: context.window, api: context.api)
        presenter = WindowPresenter()
        say("preview: \(context.summary); press H in the window for the controls")
        apply(first, reload: false)
    }

    deinit {
        // GL objects go while the window's context is still current (it is destroyed after this).
        renderer = nil
        presenter = nil
    }

    /// The window's size for pictures of `size`: the same, or shrunk to fit an ordinary screen.
    static func windowSize(for size: PreviewSize) -> PreviewSize {
        let fit = min(1, 1600 / Double(size.width), 1000 / Double(size.height))
        return PreviewSize(width: max(1, Int(Double(size.width) * fit)), height: max(1, Int(Double(size.height) * fit)))
    }

    // MARK: - The loop

    private func loop() throws {
        let glfw = context.api.pointee
        var nextPoll = monotonicSeconds() + Self.pollInterval
        while glfw.glfwWindowShouldClose(context.window) == 0 {
            let now = monotonicSeconds()
            let dt = min(0.25, now - lastTurn)
            lastTurn = now
            handleKeys()
            let flying = handleFlyKeys(dt: dt)
            handleMouse()
            if now >= nextPoll {
                nextPoll = now + Self.pollInterval
                if !watcher.changedPaths().isEmpty { reload() }
            }
            if needsRender { render() }
            present()
            if let n = options.exitAfterFrames, presents >= n { break }
            if let n = options.exitAfterReloads, reloads >= n { break }
            if flying {
                glfw.glfwPollEvents()
            } else {
                glfw.glfwWaitEventsTimeout(max(0.001, min(Self.pollInterval, nextPoll - monotonicSeconds())))
            }
        }
        if let path = options.screenshot, let presenter {
            try drawPicture()
            let shot = presenter.readBack()
            try PreviewOutput.writePNG(shot, to: path)
            say("preview: wrote screenshot \(path) (\(shot.width)x\(shot.height))")
        }
    }

    private func present() {
        do {
            try drawPicture()
        } catch {
            frameIssues = ["\(error)"]
            report(frameIssues)
        }
        context.api.pointee.glfwSwapBuffers(context.window)
        presents += 1
    }

    private func drawPicture() throws {
        var width: Int32 = 0, height: Int32 = 0
        context.api.pointee.glfwGetFramebufferSize(context.window, &width, &height)
        presenter?.draw(width: Int(width), height: Int(height))
        let code = glGetError()
        guard code == GLenum(GL_NO_ERROR) else {
            while glGetError() != GLenum(GL_NO_ERROR) {}
            throw PreviewError("OpenGL error 0x\(String(code, radix: 16)) while drawing the window")
        }
    }

    // MARK: - Scene and frames

    private struct LoadResult {
        var scene: Result<PreviewScene, Error>
        var watcher: SceneWatcher
    }

    /// Loads the scene; the watch stamps are taken before reading, so a save during the read is still
    /// noticed.
    private static func loadScene(_ path: String, seed: UInt64?) -> LoadResult {
        let before = SceneWatcher.stamp(path)
        let result = Result { try PreviewScene.load(path: path, seed: seed) }
        var stamps: [String: SceneWatcher.Stamp?] = [path: before]
        if case .success(let scene) = result {
            for file in scene.files where file != path { stamps[file] = SceneWatcher.stamp(file) }
        }
        return LoadResult(scene: result, watcher: SceneWatcher(stamps: stamps))
    }

    private func reload() {
        apply(Self.loadScene(scenePath, seed: options.seed), reload: true)
    }

    private func apply(_ loaded: LoadResult, reload: Bool) {
        watcher = loaded.watcher
        switch loaded.scene {
        case .success(let s):
            scene = s
            frameIndex = min(frameIndex, max(0, s.frameCount - 1))
            sceneIssues = []
            needsRender = true
            let k = s.description.camera
            say(
                "preview: \(reload ? "reloaded" : "loaded") \(scenePath) (\(s.description.name), \(s.frameCount) frames, "
                    + "\(k.width)x\(k.height))")
            if reload { reloads += 1 }
        case .failure(let error):
            sceneIssues = (error as? SceneLoadError)?.issues.map(\.description) ?? ["\(error)"]
            report(sceneIssues)
        }
    }

    /// Shows `lines` (scene or frame issues, already stored) as the current problems: printed in full,
    /// counted in the title, and the last good picture darkened with a red border.
    private func report(_ lines: [String]) {
        printError(
            "preview: \(scenePath): \(lines.count) error\(lines.count == 1 ? "" : "s"); showing the last good frame")
        for line in lines { printError(line) }
        var picture =
            goodPicture
            ?? RGBImage(
                width: options.size?.width ?? 640, height: options.size?.height ?? 360, fill: Color8(40, 40, 40))
        picture.dim(by: 0.45, tint: Color8(120, 0, 0), tintWeight: 0.25)
        let border = max(3, min(picture.width, picture.height) / 60)
        picture.drawRectangle(
            x0: 0, y0: 0, x1: picture.width - 1, y1: picture.height - 1, color: Color8(230, 30, 30), thickness: border)
        presenter?.upload(picture)
        updateTitle()
    }

    private func render() {
        guard let scene, sceneIssues.isEmpty else { return }
        needsRender = false
        let start = monotonicSeconds()
        do {
            let spec = try scene.spec(frameIndex, size: options.size, worldFromCamera: camera.worldFromCamera)
            let renderer = try currentRenderer()
            let frame = try renderer.render(spec)
            let labels = try LabelDeriver.derive(frame, spec: spec)
            let picture = FramePicture.compose(frame: frame, labels: labels, spec: spec, mode: mode, boxes: boxes)
            frameMilliseconds = (monotonicSeconds() - start) * 1000
            goodPicture = picture
            goodLabels = labels
            goodPose = spec.camera.worldFromCamera
            frameIssues = []
            presenter?.upload(picture)
            updateTitle()
        } catch {
            frameIssues = ["\(error)"]
            report(frameIssues)
        }
    }

    /// The renderer; it counts hidden pixels only while amodal boxes are shown (that costs a second pass).
    private func currentRenderer() throws -> GLRenderer {
        let coverage = boxes == .amodal
        if let renderer, renderer.computesCoverage == coverage { return renderer }
        renderer = nil
        let made = try GLRenderer(computesCoverage: coverage, description: context.summary)
        renderer = made
        return made
    }

    private func updateTitle() {
        var parts: [String] = []
        let errors = sceneIssues.count + frameIssues.count
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s") — see terminal") }
        if let scene {
            parts.append(scene.description.name)
            parts.append("frame \(frameIndex) of \(scene.frameCount)")
        } else {
            parts.append((scenePath as NSString).lastPathComponent)
        }
        var view = mode.rawValue
        if boxes != .none { view += " + \(boxes.rawValue) boxes" }
        if camera != .scene { view += ", free camera" }
        parts.append(view)
        if let goodLabels { parts.append("\(goodLabels.objects.count) objects") }
        parts.append(String(format: "%.0f ms", frameMilliseconds))
        context.api.pointee.glfwSetWindowTitle(context.window, parts.joined(separator: " — "))
    }

    // MARK: - Input

    private func handleKeys() {
        let events = input.keys
        input.keys.removeAll()
        for key in events {
            switch key {
            case GLFW_KEY_ESCAPE: context.api.pointee.glfwSetWindowShouldClose(context.window, GLFW_TRUE)
            case GLFW_KEY_N, GLFW_KEY_RIGHT: stepFrame(by: 1)
            case GLFW_KEY_P, GLFW_KEY_LEFT: stepFrame(by: -1)
            case GLFW_KEY_R: randomFrame()
            case GLFW_KEY_1: setMode(.rgb)
            case GLFW_KEY_2: setMode(.semantic)
            case GLFW_KEY_3: setMode(.instance)
            case GLFW_KEY_4: setMode(.depth)
            case GLFW_KEY_B:
                boxes = boxes.next
                needsRender = true
            case GLFW_KEY_C:
                if camera != .scene {
                    camera = .scene
                    needsRender = true
                }
            case GLFW_KEY_F:
                guard let pose = camera.worldFromCamera ?? goodPose else { break }
                camera = camera.isFlying ? .orbit(from: pose, distance: orbitDistance()) : .fly(from: pose)
                needsRender = true
            case GLFW_KEY_H: say(PreviewControls.help)
            default: break
            }
        }
    }

    private func setMode(_ m: PreviewMode) {
        guard m != mode else { return }
        mode = m
        needsRender = true
    }

    private func stepFrame(by step: Int) {
        guard let scene, scene.frameCount > 0 else { return }
        frameIndex = ((frameIndex + step) % scene.frameCount + scene.frameCount) % scene.frameCount
        needsRender = true
    }

    /// A frame chosen by a SplitMix64 sequence from the seed: "random" for the user, the same on every run.
    private func randomFrame() {
        guard let scene, scene.frameCount > 1 else { return }
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let offset = 1 + Int(z % UInt64(scene.frameCount - 1))
        stepFrame(by: offset)
    }

    /// Distance to the surface at the centre of the last picture (where an orbit should turn), else 10 m.
    private func orbitDistance() -> Double {
        guard let labels = goodLabels, labels.width > 0, labels.height > 0 else { return 10 }
        let mm = labels.depthMillimetres[(labels.height / 2) * labels.width + labels.width / 2]
        return mm > 0 ? Double(mm) / 1000 : 10
    }

    /// Moves the fly camera while W A S D Q E are held; returns whether one is (the loop then keeps rendering).
    private func handleFlyKeys(dt: Double) -> Bool {
        let glfw = context.api.pointee
        func held(_ key: Int32) -> Double { glfw.glfwGetKey(context.window, key) == GLFW_PRESS ? 1 : 0 }
        let forward = held(GLFW_KEY_W) - held(GLFW_KEY_S)
        let right = held(GLFW_KEY_D) - held(GLFW_KEY_A)
        let up = held(GLFW_KEY_E) - held(GLFW_KEY_Q)
        guard forward != 0 || right != 0 || up != 0 else { return false }
        if !camera.isFlying {
            guard let pose = camera.worldFromCamera ?? goodPose else { return false }
            camera = .fly(from: pose)
        }
        let fast = max(held(GLFW_KEY_LEFT_SHIFT), held(GLFW_KEY_RIGHT_SHIFT)) > 0 ? 4.0 : 1.0
        let step = Self.flySpeed * fast * dt
        camera.move(forward: forward * step, right: right * step, up: up * step)
        needsRender = true
        return true
    }

    private func handleMouse() {
        let glfw = context.api.pointee
        var x = 0.0, y = 0.0
        glfw.glfwGetCursorPos(context.window, &x, &y)
        let left = glfw.glfwGetMouseButton(context.window, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS
        let right = glfw.glfwGetMouseButton(context.window, GLFW_MOUSE_BUTTON_RIGHT) == GLFW_PRESS
        defer { cursor = left || right ? (x, y) : nil }
        let scroll = input.scroll
        input.scroll = 0
        if scroll != 0 {
            ensureOrbit()
            camera.zoom(steps: scroll)
            needsRender = true
        }
        guard let last = cursor, left || right else { return }
        let dx = x - last.x, dy = y - last.y
        guard dx != 0 || dy != 0 else { return }
        if left {
            if camera == .scene { ensureOrbit() }
            camera.rotate(dx: dx, dy: dy)
        } else {
            ensureOrbit()
            camera.pan(dx: dx, dy: dy)
        }
        needsRender = true
    }

    /// Switches to an orbit camera starting from the current view (no jump).
    private func ensureOrbit() {
        if case .orbit = camera { return }
        guard let pose = camera.worldFromCamera ?? goodPose else { return }
        camera = .orbit(from: pose, distance: orbitDistance())
    }

    // MARK: - Terminal

    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
