// RenderContext: creating a current OpenGL 4.5 core context without a display.
//
// Non-goals: drawing anything (that is `Render`), windows (a later GLFW glue lives beside this).
// Two EGL platforms are supported, tried in this order when the caller does not choose:
//   1. EGL_EXT_platform_device: enumerate the EGL devices (NVIDIA's driver exposes each GPU as
//      one) and use a hardware device; `--gpu N` picks device N of that list.
//   2. EGL_MESA_platform_surfaceless: Mesa's platform with no window system at all; with no GPU it
//      runs llvmpipe, Mesa's multithreaded CPU rasterizer.
import CGL

/// Where the context comes from.
public enum EGLPlatformChoice: Equatable, Sendable {
    /// A hardware EGL device if there is one, otherwise Mesa's surfaceless platform.
    case automatic
    /// Mesa's surfaceless platform (llvmpipe when there is no GPU).
    case surfaceless
    /// EGL device number N from `EGLHeadlessContext.listDevices()`.
    case device(Int)
}

/// An error creating the context; its description says what to install or try.
public struct RenderContextError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }

    static let installHint =
        "Install an EGL driver: on Debian/Ubuntu `apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri` "
        + "(Mesa, works without a GPU), or NVIDIA's driver with its EGL library (libnvidia-gl) on a GPU machine."
}

/// One EGL device as reported by EGL_EXT_device_enumeration.
public struct EGLDeviceInfo: Sendable, CustomStringConvertible {
    public let index: Int
    /// EGL_EXT_device_drm node or the driver's name, when the driver tells.
    public let name: String
    /// Whether the device is Mesa's software device (llvmpipe).
    public let isSoftware: Bool
    public var description: String { "device \(index): \(name)\(isSoftware ? " (software)" : "")" }
}

/// A current, surfaceless OpenGL 4.5 core context on the calling thread.
///
/// The context is made current on the thread that creates it; use it (and every GL object made
/// with it) from that thread only.
public final class EGLHeadlessContext {
    public let display: EGLDisplay
    public let context: EGLContext
    /// Which platform was used, e.g. "surfaceless (Mesa)" or "device 0 (/dev/dri/renderD128)".
    public let platform: String
    public let eglVendor: String
    public let glVendor: String
    public let glRenderer: String
    public let glVersion: String

    /// A one-line summary of the driver and renderer chosen.
    public var summary: String { "\(glRenderer) — \(glVersion) [EGL \(eglVendor), \(platform)]" }

    public init(platform choice: EGLPlatformChoice = .automatic) throws {
        let clientExtensions = Self.clientExtensions()
        guard !clientExtensions.isEmpty else {
            throw RenderContextError(
                "No EGL client extensions: libEGL found no vendor library. " + RenderContextError.installHint)
        }
        var display: EGLDisplay? = nil
        var platformName = ""
        switch choice {
        case .device(let n):
            let devices = try Self.devices()
            guard n >= 0, n < devices.count else {
                let list =
                    devices.isEmpty
                    ? "none" : devices.map { "\($0.info.index): \($0.info.name)" }.joined(separator: ", ")
                throw RenderContextError("--gpu \(n): there is no EGL device \(n) (devices: \(list)).")
            }
            display = try Self.deviceDisplay(devices[n].handle)
            platformName = "device \(n) (\(devices[n].info.name))"
        case .surfaceless:
            display = try Self.surfacelessDisplay(clientExtensions)
            platformName = "surfaceless (Mesa)"
        case .automatic:
            if let hardware = (try? Self.devices())?.first(where: { !$0.info.isSoftware }),
                let d = try? Self.deviceDisplay(hardware.handle)
            {
                display = d
                platformName = "device \(hardware.info.index) (\(hardware.info.name))"
            } else {
                display = try Self.surfacelessDisplay(clientExtensions)
                platformName = "surfaceless (Mesa)"
            }
        }
        guard let display else { throw RenderContextError("No EGL display. " + RenderContextError.installHint) }

        var major: EGLint = 0, minor: EGLint = 0
        guard eglInitialize(display, &major, &minor) == EGLBoolean(EGL_TRUE) else {
            throw RenderContextError(
                "eglInitialize failed on \(platformName) (\(Self.errorName())). " + RenderContextError.installHint)
        }
        guard eglBindAPI(EGLenum(EGL_OPENGL_API)) == EGLBoolean(EGL_TRUE) else {
            eglTerminate(display)
            throw RenderContextError(
                "This EGL driver has no desktop OpenGL (\(Self.errorName())). " + RenderContextError.installHint)
        }
        let displayExtensions = String(cString: eglQueryString(display, EGL_EXTENSIONS) ?? Self.emptyCString)
        guard displayExtensions.contains("EGL_KHR_surfaceless_context") else {
            eglTerminate(display)
            throw RenderContextError("The EGL driver on \(platformName) lacks EGL_KHR_surfaceless_context.")
        }
        var config: EGLConfig? = nil
        var count: EGLint = 0
        let configAttributes: [EGLint] = [
            EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE,
        ]
        if eglChooseConfig(display, configAttributes, &config, 1, &count) != EGLBoolean(EGL_TRUE) || count == 0 {
            config = nil  // EGL_KHR_no_config_context: create without a config
            guard displayExtensions.contains("EGL_KHR_no_config_context") else {
                eglTerminate(display)
                throw RenderContextError("No EGL config for OpenGL on \(platformName) (\(Self.errorName())).")
            }
        }
        let contextAttributes: [EGLint] = [
            EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 5,
            EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
            EGL_NONE,
        ]
        guard let context = eglCreateContext(display, config, nil, contextAttributes) else {
            let error = Self.errorName()
            eglTerminate(display)
            throw RenderContextError(
                "Could not create an OpenGL 4.5 core context on \(platformName) (\(error)); the driver must support "
                    + "OpenGL 4.5. Mesa 20+ (llvmpipe) and NVIDIA's driver do.")
        }
        guard eglMakeCurrent(display, nil, nil, context) == EGLBoolean(EGL_TRUE) else {
            let error = Self.errorName()
            eglDestroyContext(display, context)
            eglTerminate(display)
            throw RenderContextError("eglMakeCurrent failed on \(platformName) (\(error)).")
        }
        self.display = display
        self.context = context
        self.platform = platformName
        self.eglVendor = String(cString: eglQueryString(display, EGL_VENDOR) ?? Self.emptyCString)
        self.glVendor = Self.glString(GLenum(GL_VENDOR))
        self.glRenderer = Self.glString(GLenum(GL_RENDERER))
        self.glVersion = Self.glString(GLenum(GL_VERSION))
    }

    deinit {
        eglMakeCurrent(display, nil, nil, nil)
        eglDestroyContext(display, context)
        eglTerminate(display)
    }

    /// The EGL devices the driver enumerates (empty when EGL_EXT_device_enumeration is missing).
    public static func listDevices() -> [EGLDeviceInfo] {
        ((try? devices()) ?? []).map(\.info)
    }

    // MARK: - Internals

    private static let emptyCString: UnsafePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    private static func glString(_ name: GLenum) -> String {
        guard let p = glGetString(name) else { return "unknown" }
        return String(cString: p)
    }

    static func clientExtensions() -> String {
        guard let p = eglQueryString(nil, EGL_EXTENSIONS) else { return "" }
        return String(cString: p)
    }

    static func errorName() -> String {
        let code = eglGetError()
        let names: [EGLint: String] = [
            EGL_SUCCESS: "EGL_SUCCESS", EGL_NOT_INITIALIZED: "EGL_NOT_INITIALIZED", EGL_BAD_ACCESS: "EGL_BAD_ACCESS",
            EGL_BAD_ALLOC: "EGL_BAD_ALLOC", EGL_BAD_ATTRIBUTE: "EGL_BAD_ATTRIBUTE", EGL_BAD_CONFIG: "EGL_BAD_CONFIG",
            EGL_BAD_CONTEXT: "EGL_BAD_CONTEXT", EGL_BAD_DISPLAY: "EGL_BAD_DISPLAY", EGL_BAD_MATCH: "EGL_BAD_MATCH",
            EGL_BAD_PARAMETER: "EGL_BAD_PARAMETER", EGL_BAD_SURFACE: "EGL_BAD_SURFACE",
        ]
        return names[code] ?? "EGL error 0x\(String(code, radix: 16))"
    }

    private static func surfacelessDisplay(_ clientExtensions: String) throws -> EGLDisplay {
        guard clientExtensions.contains("EGL_MESA_platform_surfaceless") else {
            throw RenderContextError(
                "EGL_MESA_platform_surfaceless is not available and no EGL GPU device was found. "
                    + RenderContextError.installHint)
        }
        guard let d = eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_SURFACELESS_MESA), nil, nil) else {
            throw RenderContextError(
                "eglGetPlatformDisplay(surfaceless) failed (\(errorName())). " + RenderContextError.installHint)
        }
        return d
    }

    private static func deviceDisplay(_ device: EGLDeviceEXT) throws -> EGLDisplay {
        guard let d = eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_DEVICE_EXT), device, nil) else {
            throw RenderContextError("eglGetPlatformDisplay(device) failed (\(errorName())).")
        }
        return d
    }

    private typealias QueryDevices =
        @convention(c) (EGLint, UnsafeMutablePointer<EGLDeviceEXT?>?, UnsafeMutablePointer<EGLint>?) -> EGLBoolean
    private typealias QueryDeviceString = @convention(c) (EGLDeviceEXT?, EGLint) -> UnsafePointer<CChar>?

    private static func devices() throws -> [(handle: EGLDeviceEXT, info: EGLDeviceInfo)] {
        let ext = clientExtensions()
        guard ext.contains("EGL_EXT_device_enumeration") || ext.contains("EGL_EXT_device_base"),
            ext.contains("EGL_EXT_platform_device"),
            let queryPointer = eglGetProcAddress("eglQueryDevicesEXT")
        else {
            throw RenderContextError(
                "This EGL has no device enumeration (EGL_EXT_device_enumeration, EGL_EXT_platform_device).")
        }
        let query = unsafeBitCast(queryPointer, to: QueryDevices.self)
        let queryString = eglGetProcAddress("eglQueryDeviceStringEXT").map {
            unsafeBitCast($0, to: QueryDeviceString.self)
        }
        var count: EGLint = 0
        guard query(0, nil, &count) == EGLBoolean(EGL_TRUE), count > 0 else { return [] }
        var handles = [EGLDeviceEXT?](repeating: nil, count: Int(count))
        guard query(count, &handles, &count) == EGLBoolean(EGL_TRUE) else { return [] }
        return handles.prefix(Int(count)).enumerated().compactMap { index, handle in
            guard let handle else { return nil }
            let extensions = queryString.flatMap { $0(handle, EGL_EXTENSIONS) }.map { String(cString: $0) } ?? ""
            var name = "EGL device"
            if extensions.contains("EGL_EXT_device_drm"), let p = queryString?(handle, EGL_DRM_DEVICE_FILE_EXT) {
                name = String(cString: p)
            }
            let software = extensions.contains("EGL_MESA_device_software")
            if software { name = "Mesa software device" }
            return (handle, EGLDeviceInfo(index: index, name: name, isSoftware: software))
        }
    }
}
