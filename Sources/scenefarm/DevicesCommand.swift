import ArgumentParser
import RenderContext

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List EGL devices and show which driver and renderer SceneFarm would use.")

    @OptionGroup var renderer: RendererOptions

    func run() throws {
        let devices = EGLHeadlessContext.listDevices()
        if devices.isEmpty {
            print("EGL devices: none enumerated")
        } else {
            print("EGL devices:")
            for d in devices { print("  \(d)") }
        }
        do {
            let context = try EGLHeadlessContext(platform: renderer.platform)
            print("chosen: \(context.platform)")
            print("  GL vendor:   \(context.glVendor)")
            print("  GL renderer: \(context.glRenderer)")
            print("  GL version:  \(context.glVersion)")
            print("  EGL vendor:  \(context.eglVendor)")
        } catch {
            throw fail(error)
        }
    }
}
