import CGL
import SceneCore

/// The GL side of weather on surfaces, local lights and particles: the color shader's uniform block
/// and light buffers (`Shaders.weatherDeclarations`), and the particle pass (`Shaders.particleVertex`).
///
/// Particles go through a framebuffer of their own that holds the frame's color texture and its
/// depth buffer and nothing else: the ID and depth-in-metres targets cannot be written, whatever the
/// shader does, and the depth buffer is tested but never written (`glDepthMask(false)`).
final class WeatherRendering {
    /// Rain streaks and snow flakes at intensity 1; fewer in proportion below. Each streak is two
    /// triangles whose set-up is most of its cost on llvmpipe: 5000 streaks at 0.5 opacity look like
    /// 10000 at 0.35 for half the price.
    static let rainParticles = 5000
    static let rainOpacity: Float = 0.5
    static let snowParticles = 9000
    /// Particles fill the view between these distances (metres).
    static let rainDistances = (near: 0.5, far: 30.0)
    static let snowDistances = (near: 0.5, far: 40.0)
    /// World-space streak of a raindrop over the exposure (metres, a little wind), and its radius.
    static let rainStreak = Vec3(0.04, 0.015, -0.3)
    static let rainRadius = 0.0015
    /// Snow drifts a little during the exposure; flake radius.
    static let snowStreak = Vec3(0.01, 0.005, -0.02)
    static let snowRadius = 0.01

    private let particleProgram: GLuint
    private let particleUniforms: [String: GLint]
    private let emptyVertexArray: GLuint
    /// Uniform blocks binding 2 (weather) and 3 (lights), storage buffers 5 (emission) and 6 (glows).
    private var buffers = [GLuint](repeating: 0, count: 4)
    /// The light clusters (`LightGrid.clusterTexels`), RGBA32UI on texture unit 3; remade when the
    /// grid's size changes.
    private var clusterTexture: GLuint = 0
    private var clusterTextureSize = (width: 0, height: 0)
    private var particleFramebuffer: GLuint = 0
    private var particleAttachments: (color: GLuint, depth: GLuint) = (0, 0)
    /// Glows of the current frame (uploaded in `prepare`, drawn in `drawParticles`).
    private var glowCount = 0

    init() throws {
        particleProgram = try GL.linkProgram(vertex: Shaders.particleVertex, fragment: Shaders.particleFragment)
        var uniforms: [String: GLint] = [:]
        for name in [
            "uClipFromCamera", "uIntrinsics", "uVolume", "uCameraFromWorld", "uFall", "uColor", "uSeed", "uMode",
        ] {
            uniforms[name] = try GL.uniformLocation(particleProgram, name)
        }
        particleUniforms = uniforms
        var vertexArray: GLuint = 0
        glCreateVertexArrays(1, &vertexArray)
        emptyVertexArray = vertexArray
        glCreateBuffers(GLsizei(buffers.count), &buffers)
        // Every buffer holds something from the start, so binding one is always valid.
        let zeros = [UInt32](repeating: 0, count: 64)
        for b in buffers { glNamedBufferData(b, zeros.count * 4, zeros, GLenum(GL_STREAM_DRAW)) }
        try GL.checkError("weather set-up")
    }

    deinit {
        glDeleteProgram(particleProgram)
        var vertexArray = emptyVertexArray
        glDeleteVertexArrays(1, &vertexArray)
        glDeleteBuffers(GLsizei(buffers.count), buffers)
        if particleFramebuffer != 0 { glDeleteFramebuffers(1, [particleFramebuffer]) }
        if clusterTexture != 0 { glDeleteTextures(1, [clusterTexture]) }
    }

    /// Uploads the frame's weather block and lights (`grid`: the frame's lights; nil when the frame
    /// has no effects) and binds them for the color pass; returns the terms the color shader needs
    /// for them.
    func prepare(_ spec: FrameSpec, grid: LightGrid?) -> ColorFeatures {
        defer {
            glBindBufferBase(GLenum(GL_UNIFORM_BUFFER), 2, buffers[0])
            glBindBufferBase(GLenum(GL_UNIFORM_BUFFER), 3, buffers[1])
            for (binding, b) in zip(5..., buffers[2...]) {
                glBindBufferBase(GLenum(GL_SHADER_STORAGE_BUFFER), GLuint(binding), b)
            }
            if clusterTexture != 0 { glBindTextureUnit(3, clusterTexture) }
        }
        glowCount = 0
        guard let grid else { return [] }
        let light = spec.lighting, pose = spec.camera.worldFromCamera
        var block = [Float](repeating: 0, count: 32)
        // Column-major mat4: rotation columns, then the position with x, y modulo the noise period.
        for c in 0..<3 { for r in 0..<3 { block[c * 4 + r] = Float(pose[r, c]) } }
        let t = pose.translation
        func wrapped(_ v: Double) -> Double { v - (v / 1024).rounded(.down) * 1024 }
        block[12] = Float(wrapped(t.x))
        block[13] = Float(wrapped(t.y))
        block[14] = Float(t.z)
        block[15] = 1
        let w = light.weather
        block[16] = Float(w?.wetness ?? 0)
        block[17] = Float(w?.puddles ?? 0)
        block[18] = Float(w?.snowCover ?? 0)
        let horizon = light.backgroundColor, zenith = light.skyColor
        block[20] = Float(horizon.x)
        block[21] = Float(horizon.y)
        block[22] = Float(horizon.z)
        block[24] = Float(zenith.x)
        block[25] = Float(zenith.y)
        block[26] = Float(zenith.z)
        let ints: [Int32] = [
            Int32(grid.lights.count), Int32(LightGrid.tileSize), Int32(grid.tilesAcross), grid.emission.isEmpty ? 0 : 1,
        ]
        for (i, v) in ints.enumerated() { block[28 + i] = Float(bitPattern: UInt32(bitPattern: v)) }
        glNamedBufferData(buffers[0], block.count * 4, block, GLenum(GL_STREAM_DRAW))
        if !grid.lights.isEmpty {
            // The block is declared at its full size: the buffer must cover it.
            let padded =
                grid.lightData
                + [Float](repeating: 0, count: LocalLight.maxPerFrame * LightGrid.floatsPerLight - grid.lightData.count)
            glNamedBufferData(buffers[1], padded.count * 4, padded, GLenum(GL_STREAM_DRAW))
            uploadClusters(grid)
        }
        if !grid.emission.isEmpty {
            glNamedBufferData(buffers[2], grid.emission.count * 4, grid.emission, GLenum(GL_STREAM_DRAW))
        }
        if !grid.glows.isEmpty {
            glNamedBufferData(buffers[3], grid.glows.count * 4, grid.glows, GLenum(GL_STREAM_DRAW))
            glowCount = grid.glows.count / 8
        }
        var features: ColorFeatures = []
        if block[16] > 0 { features.insert(.wet) }
        if block[16] > 0, block[17] > 0 { features.insert(.puddles) }
        if block[18] > 0 { features.insert(.snow) }
        if !grid.lights.isEmpty { features.insert(.localLights) }
        return features
    }

    private func uploadClusters(_ grid: LightGrid) {
        let width = grid.clusterTextureWidth, height = grid.tilesDown
        if clusterTextureSize != (width, height) {
            if clusterTexture != 0 { glDeleteTextures(1, [clusterTexture]) }
            glCreateTextures(GLenum(GL_TEXTURE_2D), 1, &clusterTexture)
            glTextureStorage2D(clusterTexture, 1, GLenum(GL_RGBA32UI), GLsizei(width), GLsizei(height))
            // An integer texture is complete (readable) only with nearest filtering.
            glTextureParameteri(clusterTexture, GLenum(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
            glTextureParameteri(clusterTexture, GLenum(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
            clusterTextureSize = (width, height)
        }
        glTextureSubImage2D(
            clusterTexture, 0, 0, 0, GLsizei(width), GLsizei(height), GLenum(GL_RGBA_INTEGER), GLenum(GL_UNSIGNED_INT),
            grid.clusterTexels)
    }

    /// Draws the frame's rain or snow and the glows of lights without a lamp part into `color`,
    /// depth-tested against `depth` (the main pass's depth buffer); nothing when there are none.
    func drawParticles(_ spec: FrameSpec, color: GLuint, depth: GLuint, width: Int, height: Int) throws {
        let precipitation = spec.lighting.weather?.precipitation
        guard precipitation != nil || glowCount > 0 else { return }
        if particleFramebuffer == 0 || particleAttachments != (color, depth) {
            if particleFramebuffer != 0 { glDeleteFramebuffers(1, [particleFramebuffer]) }
            glCreateFramebuffers(1, &particleFramebuffer)
            glNamedFramebufferTexture(particleFramebuffer, GLenum(GL_COLOR_ATTACHMENT0), color, 0)
            glNamedFramebufferRenderbuffer(
                particleFramebuffer, GLenum(GL_DEPTH_ATTACHMENT), GLenum(GL_RENDERBUFFER), depth)
            glNamedFramebufferDrawBuffer(particleFramebuffer, GLenum(GL_COLOR_ATTACHMENT0))
            let status = glCheckNamedFramebufferStatus(particleFramebuffer, GLenum(GL_FRAMEBUFFER))
            guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
                throw RenderError("particle framebuffer incomplete (status 0x\(String(status, radix: 16)))")
            }
            particleAttachments = (color, depth)
        }
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), particleFramebuffer)
        glViewport(0, 0, GLsizei(width), GLsizei(height))
        glUseProgram(particleProgram)
        glBindVertexArray(emptyVertexArray)
        glDepthMask(GLboolean(GL_FALSE))
        glDisable(GLenum(GL_CULL_FACE))
        glEnablei(GLenum(GL_BLEND), 0)
        defer {
            glDisablei(GLenum(GL_BLEND), 0)
            glEnable(GLenum(GL_CULL_FACE))
            glDepthMask(GLboolean(GL_TRUE))
        }
        setCamera(spec)
        let light = spec.lighting
        if let p = precipitation {
            let rain = p.kind == .rain
            let count = Int((Double(rain ? Self.rainParticles : Self.snowParticles) * p.intensity).rounded())
            let range = rain ? Self.rainDistances : Self.snowDistances
            let streak = rain ? Self.rainStreak : Self.snowStreak
            let k = spec.camera.intrinsics
            glUniform4f(
                uniform("uVolume"), Float(k.width), Float(k.height), Float(range.near), Float(range.far))
            glUniform4f(
                uniform("uFall"), Float(streak.x), Float(streak.y), Float(streak.z),
                Float(rain ? Self.rainRadius : Self.snowRadius))
            let c = Self.particleColor(p.kind, light)
            glUniform4f(uniform("uColor"), Float(c.x), Float(c.y), Float(c.z), rain ? Self.rainOpacity : 0.85)
            glUniform1ui(uniform("uSeed"), GLuint(p.particleSeed))
            glUniform1i(uniform("uMode"), rain ? 0 : 1)
            glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
            if count > 0 { glDrawArrays(GLenum(GL_TRIANGLES), 0, GLsizei(count * 6)) }
        }
        if glowCount > 0 {
            // Light adds: additive blending.
            glUniform1i(uniform("uMode"), 2)
            glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE))
            glDrawArrays(GLenum(GL_TRIANGLES), 0, GLsizei(glowCount * 6))
        }
        try GL.checkError("particles of frame \(spec.index)")
    }

    /// Exposed linear color of rain (lit by the sky it refracts) and snow (white, lit by sky and sun).
    static func particleColor(_ kind: Precipitation.Kind, _ l: Lighting) -> RGB {
        let sky = luminance(l.skyColor), sun = luminance(l.sunColor) * Swift.max(l.sunDirection.z, 0)
        switch kind {
        case .rain:
            return (l.skyColor * 0.6 + l.backgroundColor * 0.6 + Vec3(sun, sun, sun) * 0.2) * l.exposure
        case .snow:
            let v = 0.9 * (sky + 0.6 * sun) * l.exposure
            return Vec3(v, v, v * 1.02)
        }
    }

    private func uniform(_ name: String) -> GLint { particleUniforms[name] ?? -1 }

    private func setCamera(_ spec: FrameSpec) {
        let k = spec.camera.intrinsics
        glUniformMatrix4fv(uniform("uClipFromCamera"), 1, GLboolean(GL_FALSE), k.clipFromCamera.m.map { Float($0) })
        glUniform4f(uniform("uIntrinsics"), Float(k.fx), Float(k.fy), Float(k.cx), Float(k.cy))
        let r = spec.camera.cameraFromWorld
        let linear: [Float] = (0..<3).flatMap { c in (0..<3).map { row in Float(r[row, c]) } }
        glUniformMatrix3fv(uniform("uCameraFromWorld"), 1, GLboolean(GL_FALSE), linear)
    }
}
