// Render: the OpenGL 4.5 core renderer behind `FrameRenderer`.
//
// Non-goals: creating a context (RenderContext does that; this takes a current one), windows,
// labels (derived in Labels from what this returns).
//
// One frame is one pass into three render targets (see Shaders.swift), then an asynchronous
// readback of all three into pixel buffer objects guarded by a fence. Up to `maxFramesInFlight`
// frames are in flight, so the readback of one overlaps the drawing of the next.
//
// Orientation: the projection (`CameraIntrinsics.clipFromCamera`) puts image row 0 at GL window
// row 0, so buffers read back top row first with no flip. That mirrors the image vertically in GL
// terms, which turns counter-clockwise (outward) triangles clockwise: front faces are GL_CW here.
import CGL
import SceneCore

#if canImport(Glibc)
    import Glibc
#endif

public final class GLRenderer: FrameRenderer {
    /// How finished frames get from the render targets into host memory.
    public enum Readback: String, Sendable {
        /// Into pixel buffer objects at submit, fenced, copied out at receive: the GPU keeps drawing
        /// the next frame while this one crosses the bus. Several frames in flight.
        case pixelBuffers
        /// Straight from the targets into the returned arrays at receive, one frame in flight. On a
        /// CPU rasterizer (llvmpipe) "GPU memory" is host memory, so this saves a full copy of every
        /// buffer (and the page faults of the driver's staging memory): measured 15% faster there.
        case direct
    }

    public let maxFramesInFlight: Int
    public let readback: Readback
    /// Whether each frame also counts every object's hidden pixels (`RenderedFrame.coverage`), for
    /// amodal boxes and visibility. Costs a second rasterization of every object (about +50% render
    /// time on llvmpipe).
    public let computesCoverage: Bool
    public let backendDescription: String

    private let coverageProgram: GLuint
    /// Whether the coverage pass rasterizes objects only where they may be hidden (see
    /// `OcclusionRegions`); off draws every object over the whole image (tests compare the two).
    var usesOcclusionRegions = true
    /// Per-frame DrawList records (vertex buffer binding 1).
    private var recordBuffer: GLuint = 0
    /// R32UI 2D array: one bit per (pixel, instance slot), 32 slots per layer.
    private var coverageTexture: GLuint = 0
    private var coverageLayers = 0
    private var coverageSize = (width: 0, height: 0)
    /// Per-frame coverage results waiting for `receive`, in submission order.
    private var pendingCoverage: [[InstanceCoverage]] = []
    let vao: GLuint
    /// Meshes, textures and material uniforms (GLRenderer+Meshes.swift).
    let resources: SurfaceResources
    /// Render targets and readback buffers of each image size in use, the current one first: a
    /// rig whose cameras differ in size switches between them without reallocating. At most
    /// `maxTargetSizes`; the least recently used without a frame in flight goes first.
    private var targets: [Targets] = []
    private var target: Targets? { targets.first }
    private var maxTargetSizes: Int { max(4, maxFramesInFlight + 1) }
    private var pending: [(width: Int, height: Int, slot: Int, index: Int, submitStart: Double)] = []
    /// Render-target sets created so far (tests check that alternating sizes reuse them).
    private(set) var targetAllocations = 0

    /// The color shader's variants (ColorPrograms.swift).
    private let colorPrograms = ColorPrograms()

    /// Edge of the sun's square shadow map in texels (see `SunShadowFit`). Only casters are drawn
    /// into it (`SunShadowFit.casters`); each vertex carries its map coordinates and each pixel makes
    /// 4 bilinear comparisons. `scenefarm bench --effects` on llvmpipe, 1280x720 street: a frame
    /// with shadows takes about 1.6x the time of a plain one, 0.65x what a plain one took when
    /// every frame ran the weather code (one bilinear comparison instead of 4: 1.43x, harder edges).
    public var shadowMapSize = 1024
    /// The shadow map covers the camera's view from the near plane to this camera z (metres);
    /// shadows fade out over its last fifth.
    public var shadowDistance = 60.0
    /// Turns sun shadows off whatever the frame asks (for `scenefarm bench --effects`).
    public var shadowsEnabled = true
    /// Turns shadows from local lights off whatever the lights ask (GLRenderer+LocalShadows.swift).
    /// `scenefarm bench --effects` on llvmpipe, 1280x720 street at night with 4 of its lamps
    /// casting: 1.4x to 1.5x the time of the same frame with the lights alone, nearly all of it the
    /// lookups (the maps themselves cost little).
    public var localShadowsEnabled = true
    /// Depth-only program of the sun's and the local lights' shadow maps.
    let shadowProgram: GLuint
    /// The local lights' shadow maps (GLRenderer+LocalShadows.swift).
    let localShadowMaps = LocalShadowMaps()
    /// Weather on surfaces, local lights and particles (WeatherRendering.swift).
    private let weather: WeatherRendering
    private var shadowFramebuffer: GLuint = 0
    private var shadowTexture: GLuint = 0
    private var shadowTextureSize = 0
    /// The render targets of one resolution, and its readback slots (one per frame in flight).
    private struct Targets {
        var width: Int
        var height: Int
        var framebuffer: GLuint = 0
        var color: GLuint = 0
        var ids: GLuint = 0
        var depth: GLuint = 0
        var depthStencil: GLuint = 0
        var slots: [ReadbackSlot] = []
        var nextSlot = 0
    }

    /// Pixel buffers for one frame in flight.
    private struct ReadbackSlot {
        var color: GLuint = 0
        var ids: GLuint = 0
        var depth: GLuint = 0
        var fence: GLsync? = nil
    }

    /// Creates the renderer on the calling thread, which must have a current GL 4.5 core context.
    /// - Parameter readback: nil chooses `.direct` on a software rasterizer and `.pixelBuffers` otherwise.
    public init(
        maxFramesInFlight: Int = 2, readback: Readback? = nil, computesCoverage: Bool = true, description: String = ""
    ) throws {
        self.computesCoverage = computesCoverage
        precondition(maxFramesInFlight >= 1, "maxFramesInFlight must be at least 1")
        let rendererName = glGetString(GLenum(GL_RENDERER)).map { String(cString: $0) } ?? ""
        let software = ["llvmpipe", "softpipe", "swrast"].contains { rendererName.contains($0) }
        self.readback = readback ?? (software ? .direct : .pixelBuffers)
        self.maxFramesInFlight = self.readback == .direct ? 1 : maxFramesInFlight
        var major: GLint = 0, minor: GLint = 0
        glGetIntegerv(GLenum(GL_MAJOR_VERSION), &major)
        glGetIntegerv(GLenum(GL_MINOR_VERSION), &minor)
        guard major * 10 + minor >= 45 else {
            throw RenderError("OpenGL 4.5 is required; the current context is \(major).\(minor)")
        }
        if description.isEmpty {
            let renderer = glGetString(GLenum(GL_RENDERER)).map { String(cString: $0) } ?? "unknown"
            let version = glGetString(GLenum(GL_VERSION)).map { String(cString: $0) } ?? "unknown"
            backendDescription = "\(renderer), OpenGL \(version)"
        } else {
            backendDescription = description
        }

        _ = try colorPrograms.variant([])  // the plain shading: fail here, not at the first frame
        coverageProgram = try GL.linkProgram(vertex: Shaders.coverageVertex, fragment: Shaders.coverageFragment)
        shadowProgram = try GL.linkProgram(vertex: Shaders.shadowVertex, fragment: Shaders.shadowFragment)
        weather = try WeatherRendering()

        // Mesh buffers are bound per batch (MeshCache); the vertex array only declares the layouts.
        resources = SurfaceResources()
        var vertexArray: GLuint = 0
        glCreateVertexArrays(1, &vertexArray)
        vao = vertexArray
        MeshCache.declareAttributes(vao)
        glCreateBuffers(1, &recordBuffer)
        DrawList.declareAttributes(vao)

        // Reversed, infinite depth: z_ndc = near / z in [0, 1], cleared to 0, nearer is greater.
        glClipControl(GLenum(GL_LOWER_LEFT), GLenum(GL_ZERO_TO_ONE))
        glEnable(GLenum(GL_DEPTH_TEST))
        glDepthFunc(GLenum(GL_GREATER))
        glEnable(GLenum(GL_CULL_FACE))
        glCullFace(GLenum(GL_BACK))
        glFrontFace(GLenum(GL_CW))
        glDisable(GLenum(GL_BLEND))
        glDisable(GLenum(GL_DITHER))
        glDisable(GLenum(GL_MULTISAMPLE))
        // The color target is sRGB: the shader writes linear light, the driver encodes it on store.
        glEnable(GLenum(GL_FRAMEBUFFER_SRGB))
        glPixelStorei(GLenum(GL_PACK_ALIGNMENT), 1)
        try GL.checkError("renderer set-up")
    }

    deinit {
        // Fences of frames still in flight go with their slots.
        destroyTargets()
        glDeleteProgram(coverageProgram)
        glDeleteProgram(shadowProgram)
        if shadowTexture != 0 { glDeleteTextures(1, [shadowTexture]) }
        if shadowFramebuffer != 0 { glDeleteFramebuffers(1, [shadowFramebuffer]) }
        if coverageTexture != 0 { glDeleteTextures(1, [coverageTexture]) }
        var vertexArray = vao
        glDeleteVertexArrays(1, &vertexArray)
        glDeleteBuffers(1, [recordBuffer])
    }

    // MARK: - FrameRenderer

    public func submit(_ spec: FrameSpec) throws {
        guard pending.count < maxFramesInFlight else {
            throw RenderError("submit called with \(pending.count) frames in flight; call receive first")
        }
        let start = monotonicSeconds()
        let k = spec.camera.intrinsics
        guard k.width > 0, k.height > 0, k.width <= 16384, k.height <= 16384 else {
            throw RenderError("frame \(spec.index): resolution \(k.width)x\(k.height) is outside 1...16384")
        }
        guard spec.surfaces.count < Int(UInt32.max) else { throw RenderError("frame \(spec.index): too many surfaces") }
        try ensureTargets(width: k.width, height: k.height)
        guard let t = target else { throw RenderError("no render targets") }
        try resources.prepare(spec)

        let light = spec.lighting
        // Weather, exposure and shadows change the color output only; without them the frame is
        // shaded exactly as before they existed.
        let effects = light.weather != nil || light.exposure != 1 || light.shadows || !light.lights.isEmpty
        let shadow =
            effects && shadowsEnabled && light.castsSunShadows
            ? SunShadowFit(
                camera: spec.camera, sunDirection: light.sunDirection, distance: shadowDistance, mapSize: shadowMapSize)
            : nil
        if let shadow { try shadowPass(spec, fit: shadow) }
        let grid = effects ? LightGrid(spec: spec, castsShadows: localShadowsEnabled) : nil
        let localShadows = grid.map { Self.localShadowFits($0, eye: spec.camera.worldFromCamera.translation) } ?? []
        if !localShadows.isEmpty { try localShadowPass(spec, fits: localShadows) }

        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), t.framebuffer)
        glViewport(0, 0, GLsizei(t.width), GLsizei(t.height))
        let bg = effects ? light.backgroundColor * light.exposure : light.backgroundColor
        let background: [Float] = [Float(bg.x), Float(bg.y), Float(bg.z), 1]  // linear; encoded on store
        let zeroU: [GLuint] = [0, 0, 0, 0]
        let zeroF: [Float] = [0, 0, 0, 0]
        glClearNamedFramebufferfv(t.framebuffer, GLenum(GL_COLOR), 0, background)
        glClearNamedFramebufferuiv(t.framebuffer, GLenum(GL_COLOR), 1, zeroU)
        glClearNamedFramebufferfv(t.framebuffer, GLenum(GL_COLOR), 2, zeroF)
        glClearNamedFramebufferfv(t.framebuffer, GLenum(GL_DEPTH), 0, zeroF)

        var features: ColorFeatures = []
        if effects {
            features = [.effects]
            if shadow != nil { features.insert(.shadows) }
            if light.fog != nil { features.insert(.fog) }
        }
        features.formUnion(weather.prepare(spec, grid: grid))
        if !localShadows.isEmpty { features.insert(.localShadows) }
        let color = try colorPrograms.variant(features)
        let uniforms = color.uniforms
        glUseProgram(color.program)
        glBindVertexArray(vao)
        glUniform3f(
            uniforms.sunDirection, Float(light.sunDirection.x), Float(light.sunDirection.y), Float(light.sunDirection.z)
        )
        glUniform3f(uniforms.sunColor, Float(light.sunColor.x), Float(light.sunColor.y), Float(light.sunColor.z))
        glUniform3f(uniforms.skyColor, Float(light.skyColor.x), Float(light.skyColor.y), Float(light.skyColor.z))
        glUniform3f(
            uniforms.groundColor, Float(light.groundColor.x), Float(light.groundColor.y), Float(light.groundColor.z))
        // The view direction of the material shading comes from the pixel, the intrinsics and the
        // camera's rotation.
        glUniform4f(uniforms.intrinsics, Float(k.fx), Float(k.fy), Float(k.cx), Float(k.cy))
        let rotation: [Float] = (0..<3).flatMap { c in (0..<3).map { r in Float(spec.camera.worldFromCamera[r, c]) } }
        glUniformMatrix3fv(uniforms.worldFromCameraLinear, 1, GLboolean(GL_FALSE), rotation)
        setEffectUniforms(spec, uniforms, enabled: effects, shadow: shadow)
        if !localShadows.isEmpty { setLocalShadowUniforms(localShadows, uniforms) }

        // clip <- camera <- world, composed in double precision so distant scenes stay exact.
        let clipFromWorld = k.clipFromCamera * spec.camera.cameraFromWorld
        draw(DrawList(spec: spec, clipFromWorld: clipFromWorld, items: Self.drawOrder(spec).map { ($0, 0) }))

        pendingCoverage.append(computesCoverage ? try coveragePass(spec, clipFromWorld: clipFromWorld, targets: t) : [])
        try weather.drawParticles(spec, color: t.color, depth: t.depthStencil, width: t.width, height: t.height)

        if readback == .direct {
            glFlush()
            try GL.checkError("frame \(spec.index)")
            pending.append((t.width, t.height, 0, spec.index, start))
            return
        }
        // Asynchronous readback of the three targets into this slot's pixel buffers.
        let slotIndex = t.nextSlot
        targets[0].nextSlot = (slotIndex + 1) % maxFramesInFlight
        let slot = t.slots[slotIndex]
        let pixels = t.width * t.height
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), slot.color)
        glGetTextureImage(t.color, 0, GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), GLsizei(pixels * 4), nil)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), slot.ids)
        glGetTextureImage(t.ids, 0, GLenum(GL_RED_INTEGER), GLenum(GL_UNSIGNED_INT), GLsizei(pixels * 4), nil)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), slot.depth)
        glGetTextureImage(t.depth, 0, GLenum(GL_RED), GLenum(GL_FLOAT), GLsizei(pixels * 4), nil)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), 0)
        targets[0].slots[slotIndex].fence = glFenceSync(GLenum(GL_SYNC_GPU_COMMANDS_COMPLETE), 0)
        glFlush()
        try GL.checkError("frame \(spec.index)")
        pending.append((t.width, t.height, slotIndex, spec.index, start))
    }

    public func receive() throws -> RenderedFrame {
        guard !pending.isEmpty else { throw RenderError("receive called with no frame in flight") }
        let p = pending.removeFirst()
        guard let ti = targets.firstIndex(where: { $0.width == p.width && $0.height == p.height }) else {
            throw RenderError("no render targets")
        }
        let t = targets[ti]
        let coverage = pendingCoverage.removeFirst()
        if readback == .direct {
            var frame = try receiveDirect(p.index, submitStart: p.submitStart, targets: t)
            frame.coverage = coverage
            return frame
        }
        let slot = t.slots[p.slot]
        if let fence = slot.fence {
            // Wait in slices so a hung driver surfaces as an error rather than a silent hang.
            var waited = 0
            while true {
                let r = glClientWaitSync(fence, GLbitfield(GL_SYNC_FLUSH_COMMANDS_BIT), 1_000_000_000)
                if r == GLenum(GL_ALREADY_SIGNALED) || r == GLenum(GL_CONDITION_SATISFIED) { break }
                if r == GLenum(GL_WAIT_FAILED) { throw RenderError("frame \(p.index): glClientWaitSync failed") }
                waited += 1
                if waited >= 120 { throw RenderError("frame \(p.index): the GPU did not finish within 120 s") }
            }
            glDeleteSync(fence)
            targets[ti].slots[p.slot].fence = nil
        }
        let rendered = monotonicSeconds()
        let pixels = t.width * t.height
        let color: [UInt8] = try Self.copyOut(slot.color, count: pixels * 4)
        let ids: [UInt32] = try Self.copyOut(slot.ids, count: pixels)
        let depth: [Float] = try Self.copyOut(slot.depth, count: pixels)
        let done = monotonicSeconds()
        return RenderedFrame(
            index: p.index, width: t.width, height: t.height, color: color, surfaceIDs: ids, depth: depth,
            coverage: coverage, renderSeconds: rendered - p.submitStart, readbackSeconds: done - rendered)
    }

    // MARK: - Internals

    /// Weather, exposure and shadow uniforms of the color shading (see `Shaders.fragment`).
    private func setEffectUniforms(
        _ spec: FrameSpec, _ uniforms: ColorPrograms.Uniforms, enabled: Bool, shadow: SunShadowFit?
    ) {
        guard enabled else { return }
        let light = spec.lighting, pose = spec.camera.worldFromCamera
        glUniform1f(uniforms.exposure, Float(light.exposure))
        let fog = light.fog
        let cameraHeight = pose.translation.z
        glUniform3f(
            uniforms.fog, Float(fog?.density ?? 0), Float(fog?.heightFalloff ?? 0), Float(cameraHeight))
        let fogColor = fog?.color ?? .zero
        glUniform3f(uniforms.fogColor, Float(fogColor.x), Float(fogColor.y), Float(fogColor.z))
        glUniform3f(uniforms.worldUpInCamera, Float(pose[2, 0]), Float(pose[2, 1]), Float(pose[2, 2]))
        guard let shadow else { return }
        let shadowFromClip = shadow.textureFromClip(spec.camera)
        glUniformMatrix4fv(uniforms.shadowFromClip, 1, GLboolean(GL_FALSE), shadowFromClip.m.map { Float($0) })
        let linear: [Float] = (0..<3).flatMap { c in (0..<3).map { r in Float(shadow.textureFromWorld[r, c]) } }
        glUniformMatrix3fv(uniforms.shadowFromWorldLinear, 1, GLboolean(GL_FALSE), linear)
        // Receiver bias: 1.5 texels along the normal, and 3 cm of light depth.
        glUniform4f(
            uniforms.shadowParams, Float(0.03 / shadow.depthRange), Float(1.5 * shadow.texelMetres),
            Float(1 / Double(shadowMapSize)), Float(shadowDistance))
        glBindTextureUnit(1, shadowTexture)
    }

    /// Draws the depth of the surfaces that can cast into the view (`SunShadowFit.casters`) as seen
    /// from the sun into the shadow map. Its own framebuffer: the frame's targets are untouched.
    private func shadowPass(_ spec: FrameSpec, fit: SunShadowFit) throws {
        let size = shadowMapSize
        if shadowTexture == 0 || shadowTextureSize != size {
            if shadowTexture != 0 { glDeleteTextures(1, [shadowTexture]) }
            if shadowFramebuffer != 0 { glDeleteFramebuffers(1, [shadowFramebuffer]) }
            glCreateTextures(GLenum(GL_TEXTURE_2D), 1, &shadowTexture)
            glTextureStorage2D(shadowTexture, 1, GLenum(GL_DEPTH_COMPONENT32F), GLsizei(size), GLsizei(size))
            GL.setShadowComparison(shadowTexture)
            glCreateFramebuffers(1, &shadowFramebuffer)
            glNamedFramebufferTexture(shadowFramebuffer, GLenum(GL_DEPTH_ATTACHMENT), shadowTexture, 0)
            glNamedFramebufferDrawBuffer(shadowFramebuffer, GLenum(GL_NONE))
            glNamedFramebufferReadBuffer(shadowFramebuffer, GLenum(GL_NONE))
            let status = glCheckNamedFramebufferStatus(shadowFramebuffer, GLenum(GL_FRAMEBUFFER))
            guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
                throw RenderError(
                    "shadow framebuffer \(size)x\(size) incomplete (status 0x\(String(status, radix: 16)))")
            }
            shadowTextureSize = size
        }
        glBindTextureUnit(1, 0)
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), shadowFramebuffer)
        glViewport(0, 0, GLsizei(size), GLsizei(size))
        let zero: [Float] = [0]
        glClearNamedFramebufferfv(shadowFramebuffer, GLenum(GL_DEPTH), 0, zero)
        glUseProgram(shadowProgram)
        glBindVertexArray(vao)
        // Both faces: planes (ground, road) are one-sided, and the receiver bias handles acne.
        glDisable(GLenum(GL_CULL_FACE))
        defer { glEnable(GLenum(GL_CULL_FACE)) }
        let casters = fit.casters(of: spec, mapSize: size)
        draw(DrawList(spec: spec, clipFromWorld: fit.clipFromWorld, items: casters.map { ($0, 0) }))
        try GL.checkError("shadow pass of frame \(spec.index)")
    }

    private func upload(_ list: DrawList) {
        guard !list.records.isEmpty else { return }
        glNamedBufferData(recordBuffer, list.records.count * 4, list.records, GLenum(GL_STREAM_DRAW))
        glVertexArrayVertexBuffer(vao, 1, recordBuffer, 0, GLsizei(DrawList.stride))
    }

    /// Draws the surface of `list`'s item `item` alone (its record is already uploaded).
    private func drawRecord(_ list: DrawList, item: Int, spec: FrameSpec) {
        let record = list.recordOfItem[item]
        guard let range = resources.meshes.bind(list.meshOfItem[item], to: vao) else { return }
        if list.mirroredItem[item] { glFrontFace(GLenum(GL_CCW)) }
        glDrawElementsInstancedBaseVertexBaseInstance(
            GLenum(GL_TRIANGLES), GLsizei(range.count), GLenum(GL_UNSIGNED_INT),
            UnsafeRawPointer(bitPattern: range.firstIndex * 4), 1, GLint(range.baseVertex), GLuint(record))
        if list.mirroredItem[item] { glFrontFace(GLenum(GL_CW)) }
    }

    /// Uploads the records and issues one instanced draw per batch with the current program.
    func draw(_ list: DrawList) {
        guard !list.records.isEmpty else { return }
        upload(list)
        for batch in list.batches {
            guard let range = resources.bind(batch, to: vao) else { continue }
            // A mirrored transform flips the winding; draw those with the other face in front.
            if batch.mirrored { glFrontFace(GLenum(GL_CCW)) }
            glDrawElementsInstancedBaseVertexBaseInstance(
                GLenum(GL_TRIANGLES), GLsizei(range.count), GLenum(GL_UNSIGNED_INT),
                UnsafeRawPointer(bitPattern: range.firstIndex * 4), GLsizei(batch.count), GLint(range.baseVertex),
                GLuint(batch.first))
            if batch.mirrored { glFrontFace(GLenum(GL_CW)) }
        }
    }

    /// Slots per batch of the coverage pass: 8 layers of 32 bits (a 1280x720 frame: 30 MB).
    static let coverageSlotsPerBatch = 256

    /// Counts every instance's unoccluded silhouette (see `Shaders.coverageFragment`). Instances go
    /// in batches of 256 slots; the counts are small and read back at once.
    private func coveragePass(_ spec: FrameSpec, clipFromWorld: Mat4, targets t: Targets) throws -> [InstanceCoverage] {
        var surfacesOf: [Int: [Int]] = [:]
        for (i, s) in spec.surfaces.enumerated() where s.instanceID > 0 {
            surfacesOf[s.instanceID, default: []].append(i)
        }
        let ids = surfacesOf.keys.sorted()
        guard !ids.isEmpty else { return [] }

        let batch = Self.coverageSlotsPerBatch
        let layers = (min(ids.count, batch) + 31) / 32
        // Grown, never shrunk: cameras of other sizes use its top-left corner, so a rig alternating
        // between sizes does not reallocate it every frame.
        if coverageTexture == 0 || coverageLayers < layers || coverageSize.width < t.width
            || coverageSize.height < t.height
        {
            if coverageTexture != 0 { glDeleteTextures(1, [coverageTexture]) }
            coverageLayers = max(coverageLayers, layers)
            coverageSize = (max(coverageSize.width, t.width), max(coverageSize.height, t.height))
            glCreateTextures(GLenum(GL_TEXTURE_2D_ARRAY), 1, &coverageTexture)
            glTextureStorage3D(
                coverageTexture, 1, GLenum(GL_R32UI), GLsizei(coverageSize.width), GLsizei(coverageSize.height),
                GLsizei(coverageLayers))
        }
        var buffers = [GLuint](repeating: 0, count: 2)
        glCreateBuffers(2, &buffers)
        defer { glDeleteBuffers(2, buffers) }
        let statsBuffer = buffers[0], surfaceInstanceBuffer = buffers[1]
        glNamedBufferStorage(statsBuffer, batch * 5 * 4, nil, GLbitfield(GL_DYNAMIC_STORAGE_BIT))
        let surfaceInstance = [UInt32(0)] + spec.surfaces.map { UInt32(max(0, $0.instanceID)) }
        glNamedBufferStorage(surfaceInstanceBuffer, surfaceInstance.count * 4, surfaceInstance, 0)

        // Only fragments behind what the main pass shows; the ID target is read, not written.
        glUseProgram(coverageProgram)
        glBindVertexArray(vao)
        glDepthFunc(GLenum(GL_LESS))
        glDepthMask(GLboolean(GL_FALSE))
        let none = [GLenum](repeating: GLenum(GL_NONE), count: 3)
        glNamedFramebufferDrawBuffers(t.framebuffer, 3, none)
        defer {
            glDepthFunc(GLenum(GL_GREATER))
            glDepthMask(GLboolean(GL_TRUE))
            let all: [GLenum] = [
                GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_COLOR_ATTACHMENT1), GLenum(GL_COLOR_ATTACHMENT2),
            ]
            glNamedFramebufferDrawBuffers(t.framebuffer, 3, all)
            glBindTextureUnit(0, 0)
        }
        glBindTextureUnit(0, t.ids)
        glBindImageTexture(0, coverageTexture, 0, GLboolean(GL_TRUE), 0, GLenum(GL_READ_WRITE), GLenum(GL_R32UI))
        glBindBufferBase(GLenum(GL_SHADER_STORAGE_BUFFER), 1, statsBuffer)
        glBindBufferBase(GLenum(GL_SHADER_STORAGE_BUFFER), 2, surfaceInstanceBuffer)

        let occlusion = OcclusionRegions(spec: spec)
        var out: [InstanceCoverage] = []
        out.reserveCapacity(ids.count)
        var start = 0
        while start < ids.count {
            let slice = ids[start..<min(start + batch, ids.count)]
            // Previous image writes (last frame or batch) must land before the clear.
            glMemoryBarrier(GLbitfield(GL_ALL_BARRIER_BITS))
            var zero: GLuint = 0
            glClearTexImage(coverageTexture, 0, GLenum(GL_RED_INTEGER), GLenum(GL_UNSIGNED_INT), &zero)
            var initial = [UInt32](repeating: 0, count: slice.count * 5)
            for k in 0..<slice.count {
                initial[k * 5 + 1] = .max
                initial[k * 5 + 2] = .max
            }
            glNamedBufferSubData(statsBuffer, 0, initial.count * 4, initial)
            glMemoryBarrier(GLbitfield(GL_ALL_BARRIER_BITS))
            // Each object only where something nearer may hide it (OcclusionRegions), scissored.
            var items: [(surface: Int, slot: Int)] = []
            var itemsOfSlot: [Range<Int>] = []
            for (slot, id) in slice.enumerated() {
                let first = items.count
                for i in surfacesOf[id] ?? [] { items.append((i, slot)) }
                itemsOfSlot.append(first..<items.count)
            }
            let list = DrawList(spec: spec, clipFromWorld: clipFromWorld, items: items)
            upload(list)
            glEnable(GLenum(GL_SCISSOR_TEST))
            for (slot, id) in slice.enumerated() {
                let whole = OcclusionRegions.Rect(x0: 0, y0: 0, x1: t.width - 1, y1: t.height - 1)
                for r in usesOcclusionRegions ? occlusion.regions[id] ?? [] : [whole] {
                    glScissor(GLint(r.x0), GLint(r.y0), GLsizei(r.x1 - r.x0 + 1), GLsizei(r.y1 - r.y0 + 1))
                    for item in itemsOfSlot[slot] { drawRecord(list, item: item, spec: spec) }
                }
            }
            glDisable(GLenum(GL_SCISSOR_TEST))
            glMemoryBarrier(GLbitfield(GL_ALL_BARRIER_BITS))
            var stats = [UInt32](repeating: 0, count: slice.count * 5)
            glGetNamedBufferSubData(statsBuffer, 0, stats.count * 4, &stats)
            for (slot, id) in slice.enumerated() {
                let b = slot * 5
                let n = Int(stats[b])
                out.append(
                    n == 0
                        ? InstanceCoverage(instanceID: id, pixels: 0, xmin: 0, ymin: 0, xmax: -1, ymax: -1)
                        : InstanceCoverage(
                            instanceID: id, pixels: n, xmin: Int(stats[b + 1]), ymin: Int(stats[b + 2]),
                            xmax: Int(stats[b + 3]), ymax: Int(stats[b + 4])))
            }
            start += batch
        }
        try GL.checkError("coverage pass of frame \(spec.index)")
        return out
    }

    /// Near things first, then stuff (ground, road, markings): the depth test then rejects hidden
    /// fragments before shading them, which matters on a CPU rasterizer. The order is a pure
    /// function of the spec, and exact depth ties cannot occur between surfaces the scene format
    /// separates (markings sit 1 cm above the road), so the IDs do not depend on it.
    static func drawOrder(_ spec: FrameSpec) -> [Int] {
        let eye = spec.camera.worldFromCamera.translation
        let keys: [(stuff: Bool, distance: Double, index: Int)] = spec.surfaces.enumerated().map { i, s in
            (s.instanceID == 0, (s.worldFromObject.translation - eye).length, i)
        }
        return keys.sorted { a, b in
            if a.stuff != b.stuff { return !a.stuff }
            if a.distance != b.distance { return a.distance < b.distance }
            return a.index < b.index
        }.map(\.index)
    }

    private func receiveDirect(_ index: Int, submitStart: Double, targets t: Targets) throws -> RenderedFrame {
        glFinish()
        let rendered = monotonicSeconds()
        let pixels = t.width * t.height
        func read<T>(_ texture: GLuint, _ format: Int32, _ type: Int32, _ as: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: pixels) { out, initialized in
                glGetTextureImage(
                    texture, 0, GLenum(format), GLenum(type), GLsizei(pixels * MemoryLayout<T>.stride), out.baseAddress)
                initialized = pixels
            }
        }
        let color = [UInt8](unsafeUninitializedCapacity: pixels * 4) { out, initialized in
            glGetTextureImage(
                t.color, 0, GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), GLsizei(pixels * 4), out.baseAddress)
            initialized = pixels * 4
        }
        let ids = read(t.ids, GL_RED_INTEGER, GL_UNSIGNED_INT, UInt32.self)
        let depth = read(t.depth, GL_RED, GL_FLOAT, Float.self)
        try GL.checkError("reading back frame \(index)")
        let done = monotonicSeconds()
        return RenderedFrame(
            index: index, width: t.width, height: t.height, color: color, surfaceIDs: ids, depth: depth,
            renderSeconds: rendered - submitStart, readbackSeconds: done - rendered)
    }

    private static func copyOut<T>(_ buffer: GLuint, count: Int) throws -> [T] {
        let bytes = count * MemoryLayout<T>.stride
        guard let mapped = glMapNamedBufferRange(buffer, 0, bytes, GLbitfield(GL_MAP_READ_BIT)) else {
            throw RenderError("could not map a readback buffer of \(bytes) bytes")
        }
        defer { glUnmapNamedBuffer(buffer) }
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            memcpy(out.baseAddress!, mapped, bytes)
            initialized = count
        }
    }

    /// Makes the targets of this size current, creating them unless they exist.
    private func ensureTargets(width: Int, height: Int) throws {
        if let i = targets.firstIndex(where: { $0.width == width && $0.height == height }) {
            if i > 0 { targets.insert(targets.remove(at: i), at: 0) }
            return
        }
        func inFlight(_ t: Targets) -> Bool { pending.contains { $0.width == t.width && $0.height == t.height } }
        if targets.count >= maxTargetSizes, let old = targets.lastIndex(where: { !inFlight($0) }) {
            destroy(targets.remove(at: old))
        }
        var t = Targets(width: width, height: height)
        targetAllocations += 1
        var names = [GLuint](repeating: 0, count: 3)
        glCreateTextures(GLenum(GL_TEXTURE_2D), 3, &names)
        t.color = names[0]
        t.ids = names[1]
        t.depth = names[2]
        glTextureStorage2D(t.color, 1, GLenum(GL_SRGB8_ALPHA8), GLsizei(width), GLsizei(height))
        glTextureStorage2D(t.ids, 1, GLenum(GL_R32UI), GLsizei(width), GLsizei(height))
        glTextureStorage2D(t.depth, 1, GLenum(GL_R32F), GLsizei(width), GLsizei(height))
        for tex in names {
            glTextureParameteri(tex, GLenum(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
            glTextureParameteri(tex, GLenum(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
        }
        glCreateRenderbuffers(1, &t.depthStencil)
        glNamedRenderbufferStorage(t.depthStencil, GLenum(GL_DEPTH_COMPONENT32F), GLsizei(width), GLsizei(height))
        glCreateFramebuffers(1, &t.framebuffer)
        glNamedFramebufferTexture(t.framebuffer, GLenum(GL_COLOR_ATTACHMENT0), t.color, 0)
        glNamedFramebufferTexture(t.framebuffer, GLenum(GL_COLOR_ATTACHMENT1), t.ids, 0)
        glNamedFramebufferTexture(t.framebuffer, GLenum(GL_COLOR_ATTACHMENT2), t.depth, 0)
        glNamedFramebufferRenderbuffer(
            t.framebuffer, GLenum(GL_DEPTH_ATTACHMENT), GLenum(GL_RENDERBUFFER), t.depthStencil)
        let drawBuffers: [GLenum] = [
            GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_COLOR_ATTACHMENT1), GLenum(GL_COLOR_ATTACHMENT2),
        ]
        glNamedFramebufferDrawBuffers(t.framebuffer, 3, drawBuffers)
        let status = glCheckNamedFramebufferStatus(t.framebuffer, GLenum(GL_FRAMEBUFFER))
        guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
            destroy(t)
            throw RenderError("framebuffer \(width)x\(height) incomplete (status 0x\(String(status, radix: 16)))")
        }
        if readback == .pixelBuffers {
            t.slots = (0..<maxFramesInFlight).map { _ in
                var b = [GLuint](repeating: 0, count: 3)
                glCreateBuffers(3, &b)
                let pixels = width * height
                for name in b {
                    glNamedBufferStorage(name, pixels * 4, nil, GLbitfield(GL_MAP_READ_BIT | GL_CLIENT_STORAGE_BIT))
                }
                return ReadbackSlot(color: b[0], ids: b[1], depth: b[2], fence: nil)
            }
        }
        targets.insert(t, at: 0)
        try GL.checkError("creating \(width)x\(height) render targets")
    }

    private func destroy(_ t: Targets) {
        var fb = t.framebuffer, rb = t.depthStencil
        glDeleteFramebuffers(1, &fb)
        glDeleteRenderbuffers(1, &rb)
        glDeleteTextures(3, [t.color, t.ids, t.depth])
        for s in t.slots {
            glDeleteBuffers(3, [s.color, s.ids, s.depth])
            if let f = s.fence { glDeleteSync(f) }
        }
    }

    private func destroyTargets() {
        for t in targets { destroy(t) }
        targets = []
    }

}
