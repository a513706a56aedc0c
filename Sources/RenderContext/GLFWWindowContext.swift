// A window with a current OpenGL 4.5 core context, through GLFW (X11/GLX on Linux), for
// `scenefarm preview`. The renderer draws into its own offscreen targets exactly as under EGL; the
// window only shows the result.
//
// Non-goals: input handling and drawing (the Preview module does both through `api`), more than one
// window, any thread but the main one (GLFW's rule: create, poll and destroy on the main thread).
import CGL
import CGLFW

#if canImport(Glibc)
    import Glibc
#endif

/// A GLFW window whose OpenGL 4.5 core context is current on the calling (main) thread.
public final class GLFWWindowContext {
    /// The loaded GLFW entry points (see CGLFW's header: GLFW is loaded at run time).
    public let api: UnsafePointer<scenefarm_glfw_api>
    public let window: OpaquePointer
    public let glRenderer: String
    public let glVersion: String

    /// A one-line summary of the driver and renderer.
    public var summary: String { "\(glRenderer) — \(glVersion) [GLFW window]" }

    /// Opens a window of `width`x`height` screen units titled `title` and makes its context current.
    ///
    /// Throws a `RenderContextError` that says what to do when there is no display (`DISPLAY` unset:
    /// use the headless path or `xvfb-run`), no GLFW library, or no OpenGL 4.5 core context.
    public init(width: Int, height: Int, title: String, visible: Bool = true) throws {
        let display = getenv("DISPLAY").map { String(cString: $0) } ?? ""
        if display.isEmpty {
            throw RenderContextError(
                "No display: DISPLAY is not set, so no window can be opened. Render a contact sheet without a "
                    + "display with `scenefarm preview SCENE --png OUT.png`, or run the window under a virtual X "
                    + "server: `xvfb-run -a scenefarm preview SCENE`.")
        }
        var message = [CChar](repeating: 0, count: 512)
        guard let api = scenefarm_glfw_load(&message, message.count) else {
            throw RenderContextError(
                "\(String(cString: message)). Install GLFW 3.3+: on Debian/Ubuntu `apt-get install libglfw3` "
                    + "(scripts/setup.sh installs it).")
        }
        self.api = api
        let glfw = api.pointee
        _ = glfw.glfwSetErrorCallback { code, description in
            let text = description.map { String(cString: $0) } ?? "unknown error"
            GLFWWindowContext.lastError = "GLFW error 0x\(String(code, radix: 16)): \(text)"
        }
        guard glfw.glfwInit() == GLFW_TRUE else {
            throw RenderContextError(
                "Could not start GLFW: \(Self.lastError ?? "no reason given"). Is the X server at DISPLAY=\(display) "
                    + "running? Without a display, use `--png OUT.png` or `xvfb-run -a`.")
        }
        glfw.glfwDefaultWindowHints()
        glfw.glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 4)
        glfw.glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 5)
        glfw.glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE)
        glfw.glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE)
        glfw.glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE)
        // The frame arrives as sRGB-encoded bytes; a plain RGBA8 back buffer shows them unchanged.
        glfw.glfwWindowHint(GLFW_SRGB_CAPABLE, GLFW_FALSE)
        glfw.glfwWindowHint(GLFW_SAMPLES, 0)
        glfw.glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE)
        guard
            let window = glfw.glfwCreateWindow(
                Int32(clamping: max(1, width)), Int32(clamping: max(1, height)), title, nil, nil)
        else {
            let reason = Self.lastError ?? "no reason given"
            glfw.glfwTerminate()
            throw RenderContextError(
                "Could not open a window with an OpenGL 4.5 core context (\(reason)). The X server's GLX must "
                    + "offer OpenGL 4.5 core: Mesa 20+ (llvmpipe, also under Xvfb) and NVIDIA's driver do.")
        }
        self.window = window
        glfw.glfwMakeContextCurrent(window)
        glfw.glfwSwapInterval(1)
        glRenderer = glGetString(GLenum(GL_RENDERER)).map { String(cString: $0) } ?? "unknown"
        glVersion = glGetString(GLenum(GL_VERSION)).map { String(cString: $0) } ?? "unknown"
    }

    deinit {
        api.pointee.glfwMakeContextCurrent(nil)
        api.pointee.glfwDestroyWindow(window)
        api.pointee.glfwTerminate()
    }

    /// The last message GLFW's error callback reported (GLFW calls back on the main thread only).
    nonisolated(unsafe) public private(set) static var lastError: String?
}
