import ArgumentParser
import Foundation
import Overlays
import Preview
import SceneCore

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Look at a scene while writing it: a live window, or a contact sheet PNG without a display.",
        discussion: """
            With no --png, opens a window (OpenGL 4.5 over GLX; needs a display, or `xvfb-run -a`) showing \
            one frame, reloaded whenever the scene file changes. A free camera replaces only the frame's \
            camera pose, so the overlays of that view are still its exact labels.

            \(PreviewControls.help)

            With --png OUT, renders a contact sheet headless (EGL, no display): one row per frame, one \
            column per overlay (rgb, semantic, instance, depth, boxes = rgb with tight boxes, amodal = rgb \
            with amodal boxes), each cell captioned with its frame, weather condition and overlay. Several \
            scenes make one sheet, each scene's frames in turn (--frames once for all, or once per scene), \
            captioned with the scene's name; give --size when their resolutions differ. An invalid scene prints every issue and writes nothing.
            """)

    @Argument(help: "The scene file (YAML or JSON); with --png, one or more.")
    var scenes: [String]

    @Option(name: .long, help: "Random seed (default: the scene's `seed`).")
    var seed: UInt64?

    @Option(name: .long, help: "Render at WxH instead of the scene's resolution (same field of view), e.g. 640x360.")
    var size: String?

    @Option(name: .long, help: "The frame the window starts on (default 0).")
    var frame: Int?

    @Option(name: .long, help: "The overlay the window starts with: rgb (default), semantic, instance or depth.")
    var mode: String?

    @Option(name: .long, help: "The 2D boxes the window starts with: none (default), tight or amodal.")
    var boxes: String?

    @Option(name: .long, help: "Write a contact sheet to this PNG instead of opening a window.")
    var png: String?

    @Option(
        name: .long,
        help:
            "With --png: the frames, comma-separated (e.g. 0,1,2,3); with several scenes, once for all or once per scene."
    )
    var frames: [String] = []

    @Option(name: .long, help: "With --png: this many frames spread evenly over the scene (default 4).")
    var count: Int?

    @Option(name: .long, help: "With --png: cells per row (default: one per overlay, so one row per frame).")
    var columns: Int?

    @Option(
        name: .long,
        help:
            "With --png: the columns, comma-separated, from rgb, semantic, instance, depth, boxes, amodal (default \(PreviewCommand.defaultOverlays))."
    )
    var overlays: String?

    @Option(name: .long, help: "With --png: scale of each panel relative to the render size, 0.05...1 (default 0.5).")
    var scale: Double?

    @OptionGroup var renderer: RendererOptions

    // Switches for tests that drive the window without a person.
    @Option(name: .long, help: .hidden) var exitAfterFrames: Int?
    @Option(name: .long, help: .hidden) var exitAfterReloads: Int?
    @Option(name: .long, help: .hidden) var screenshot: String?

    func validate() throws {
        if png == nil, scenes.count > 1 {
            throw ValidationError("The window shows one scene; several scenes make a contact sheet with --png OUT.")
        }
        if let size, PreviewSize(parsing: size) == nil {
            throw ValidationError("--size must be WxH with each side 1...16384 (e.g. 640x360), got `\(size)`.")
        }
        if let frame, frame < 0 { throw ValidationError("--frame must be 0 or more, got \(frame).") }
        if let mode, PreviewMode(rawValue: mode) == nil {
            throw ValidationError(
                "--mode must be one of \(PreviewMode.allCases.map(\.rawValue).joined(separator: ", ")), got `\(mode)`.")
        }
        if let boxes, BoxOverlay(rawValue: boxes) == nil {
            throw ValidationError("--boxes must be none, tight or amodal, got `\(boxes)`.")
        }
        if png == nil {
            for (name, given) in [
                ("--frames", !frames.isEmpty), ("--count", count != nil), ("--columns", columns != nil),
                ("--overlays", overlays != nil), ("--scale", scale != nil),
            ] where given {
                throw ValidationError("\(name) belongs to the contact sheet: use it with --png OUT.")
            }
        } else {
            for (name, given) in [
                ("--frame", frame != nil), ("--mode", mode != nil), ("--boxes", boxes != nil),
                ("--exit-after-frames", exitAfterFrames != nil), ("--exit-after-reloads", exitAfterReloads != nil),
                ("--screenshot", screenshot != nil),
            ] where given {
                throw ValidationError("\(name) belongs to the window, not to --png.")
            }
        }
        if !frames.isEmpty && count != nil { throw ValidationError("--frames and --count cannot be used together.") }
        if frames.count > 1, frames.count != scenes.count {
            throw ValidationError(
                "--frames is given \(frames.count) times for \(scenes.count) scenes: give it once for all or once per scene."
            )
        }
        for list in frames { _ = try frameList(list, frameCount: nil) }
        _ = try overlayList()
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count).") }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1, got \(columns).") }
        if let scale, !(0.05...1).contains(scale) {
            throw ValidationError("--scale must be in 0.05...1, got \(scale).")
        }
        if let n = exitAfterFrames, n < 1 { throw ValidationError("--exit-after-frames must be at least 1.") }
        if let n = exitAfterReloads, n < 1 { throw ValidationError("--exit-after-reloads must be at least 1.") }
    }

    /// The frames of the sheet for one scene: those `list`ed, or `count` spread evenly over the scene's
    /// frames. With `frameCount` nil only the list's syntax is checked; `scene` names the scene in errors.
    func frameList(_ list: String?, frameCount: Int?, scene: String = "the scene") throws -> [Int] {
        if let frames = list {
            var out: [Int] = []
            for part in frames.split(separator: ",", omittingEmptySubsequences: false) {
                let text = part.trimmingCharacters(in: .whitespaces)
                guard let i = Int(text), i >= 0 else {
                    throw ValidationError("--frames must list frame indices (0 or more), found `\(text)`.")
                }
                if let frameCount, i >= frameCount {
                    throw ValidationError("--frames: frame \(i) is not in \(scene) (it has \(frameCount) frames).")
                }
                out.append(i)
            }
            return out
        }
        guard let frameCount else { return [] }
        let n = min(count ?? 4, frameCount)
        return (0..<n).map { $0 * frameCount / n }
    }

    static let defaultOverlays = "rgb,semantic,instance,depth,boxes"

    func overlayList() throws -> [SheetOverlay] {
        try (overlays ?? Self.defaultOverlays).split(separator: ",", omittingEmptySubsequences: false).map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let overlay = SheetOverlay(rawValue: name) else {
                throw ValidationError(
                    "--overlays: unknown overlay `\(name)`; choose from "
                        + SheetOverlay.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            return overlay
        }
    }

    func run() throws {
        let size = self.size.flatMap(PreviewSize.init(parsing:))
        if let png {
            try writeSheet(to: png, size: size)
            return
        }
        var options = PreviewWindowOptions()
        options.frame = frame ?? 0
        options.seed = seed
        options.mode = mode.flatMap(PreviewMode.init(rawValue:)) ?? .rgb
        options.boxes = boxes.flatMap(BoxOverlay.init(rawValue:)) ?? .none
        options.size = size
        options.exitAfterFrames = exitAfterFrames
        options.exitAfterReloads = exitAfterReloads
        options.screenshot = screenshot
        do { try PreviewWindow.run(scenePath: scenes[0], options: options) } catch { throw fail(error) }
    }

    private func writeSheet(to out: String, size: PreviewSize?) throws {
        var loaded: [PreviewScene] = []
        for scene in scenes {
            do { loaded.append(try PreviewScene.load(path: scene, seed: seed)) } catch { throw fail(error) }
        }
        let entries = try loaded.enumerated().map { i, scene in
            let list = frames.isEmpty ? nil : frames[frames.count == 1 ? 0 : i]
            let indices = try frameList(
                list, frameCount: scene.frameCount, scene: loaded.count > 1 ? scene.path : "the scene")
            return (scene: scene, frames: indices)
        }
        let overlays = try overlayList()
        do {
            let gl = try HeadlessGLRenderer(platform: renderer.platform, computesCoverage: overlays.contains(.amodal))
            let sheet = try PreviewSheet.render(
                scenes: entries, overlays: overlays, columns: columns, scale: scale ?? 0.5, size: size,
                renderer: gl)
            try PreviewOutput.writePNG(sheet.image, to: out)
            print(
                "wrote \(out) (\(sheet.image.width)x\(sheet.image.height)): \(sheet.layout.rows) rows of \(sheet.layout.columns)"
            )
            print(
                "cells, left to right: "
                    + sheet.cells.prefix(sheet.layout.columns).map { "\($0.overlay.rawValue)" }.joined(separator: ", "))
            for (scene, indices) in entries {
                let classes = scene.description.classes.map { "\($0.id) \($0.name) \($0.color)" }
                let owner = loaded.count > 1 ? " of \(scene.description.name)" : ""
                print("frames\(owner): " + indices.map(String.init).joined(separator: ", "))
                print("classes\(owner): " + (classes.isEmpty ? "none" : classes.joined(separator: "; ")))
            }
        } catch {
            throw fail(error)
        }
    }
}
