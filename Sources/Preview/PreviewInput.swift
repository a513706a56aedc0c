import CGLFW

/// What GLFW's callbacks report between two turns of the window loop. GLFW calls them on the main
/// thread from inside its event functions, so the loop reads this without locks.
final class PreviewInput {
    /// Keys pressed (or auto-repeated), in order.
    var keys: [Int32] = []
    /// Wheel steps since the last turn (positive: away from the user).
    var scroll = 0.0

    /// Registers the callbacks on `window`, which must keep `self` alive (it holds it unretained).
    func attach(to window: OpaquePointer, api: UnsafePointer<scenefarm_glfw_api>) {
        let glfw = api.pointee
        glfw.glfwSetWindowUserPointer(window, Unmanaged.passUnretained(self).toOpaque())
        _ = glfw.glfwSetKeyCallback(window) { window, key, _, action, _ in
            guard action == GLFW_PRESS || action == GLFW_REPEAT, let input = PreviewInput.of(window) else { return }
            input.keys.append(key)
        }
        _ = glfw.glfwSetScrollCallback(window) { window, _, y in
            PreviewInput.of(window)?.scroll += y
        }
    }

    private static func of(_ window: OpaquePointer?) -> PreviewInput? {
        guard let window, let api = scenefarm_glfw_loaded(),
            let raw = api.pointee.glfwGetWindowUserPointer(window)
        else { return nil }
        return Unmanaged<PreviewInput>.fromOpaque(raw).takeUnretainedValue()
    }
}
