import CGL
import SceneCore

/// The depth maps of a frame's shadow-casting local lights: one `LocalShadowFit.mapSize`² layer of a
/// DEPTH_COMPONENT32F 2D array per light (at most `LocalLight.maxShadowedPerFrame`), read in the color
/// pass through texture unit 4 with hardware comparison and bilinear filtering (a 2x2 PCF per tap).
final class LocalShadowMaps {
    private(set) var texture: GLuint = 0
    private var framebuffer: GLuint = 0

    deinit {
        if texture != 0 { glDeleteTextures(1, [texture]) }
        if framebuffer != 0 { glDeleteFramebuffers(1, [framebuffer]) }
    }

    /// Creates the texture and framebuffer on first use (their size never changes).
    func ensure() throws {
        guard texture == 0 else { return }
        let size = GLsizei(LocalShadowFit.mapSize)
        glCreateTextures(GLenum(GL_TEXTURE_2D_ARRAY), 1, &texture)
        glTextureStorage3D(
            texture, 1, GLenum(GL_DEPTH_COMPONENT32F), size, size, GLsizei(LocalLight.maxShadowedPerFrame))
        GL.setShadowComparison(texture)
        glCreateFramebuffers(1, &framebuffer)
        glNamedFramebufferDrawBuffer(framebuffer, GLenum(GL_NONE))
        glNamedFramebufferReadBuffer(framebuffer, GLenum(GL_NONE))
        try GL.checkError("local shadow maps")
    }

    /// Binds layer `layer` as the depth target and clears it to the far value (0, reversed depth).
    func bindLayer(_ layer: Int) throws {
        glNamedFramebufferTextureLayer(framebuffer, GLenum(GL_DEPTH_ATTACHMENT), texture, 0, GLint(layer))
        let status = glCheckNamedFramebufferStatus(framebuffer, GLenum(GL_FRAMEBUFFER))
        guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
            throw RenderError("local shadow framebuffer incomplete (status 0x\(String(status, radix: 16)))")
        }
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
        let zero: [Float] = [0]
        glClearNamedFramebufferfv(framebuffer, GLenum(GL_DEPTH), 0, zero)
    }
}

extension GLRenderer {
    /// Edge in texels of each local light's shadow map.
    public var localShadowMapSize: Int { LocalShadowFit.mapSize }

    /// The fits of `grid`'s shadowed lights, in layer order.
    static func localShadowFits(_ grid: LightGrid, eye: Vec3) -> [LocalShadowFit] {
        grid.shadowed.map { LocalShadowFit(light: grid.shaded[$0], eye: eye) }
    }

    /// Draws each fit's casters (`LocalShadowFit.casters`) into its layer with the sun's depth-only
    /// program. Its own framebuffer: the frame's targets are untouched.
    func localShadowPass(_ spec: FrameSpec, fits: [LocalShadowFit]) throws {
        try localShadowMaps.ensure()
        glBindTextureUnit(4, 0)
        glViewport(0, 0, GLsizei(LocalShadowFit.mapSize), GLsizei(LocalShadowFit.mapSize))
        glUseProgram(shadowProgram)
        glBindVertexArray(vao)
        // Both faces, as for the sun: planes are one-sided; the receiver's offsets handle acne.
        glDisable(GLenum(GL_CULL_FACE))
        defer { glEnable(GLenum(GL_CULL_FACE)) }
        for (layer, fit) in fits.enumerated() {
            try localShadowMaps.bindLayer(layer)
            draw(DrawList(spec: spec, clipFromWorld: fit.clipFromWorld, items: fit.casters(of: spec).map { ($0, 0) }))
        }
        try GL.checkError("local shadow pass of frame \(spec.index)")
    }

    /// The color pass's uniforms for the maps (see `Shaders.weatherDeclarations`).
    func setLocalShadowUniforms(_ fits: [LocalShadowFit], _ uniforms: ColorPrograms.Uniforms) {
        var matrices = [Float](repeating: 0, count: 16 * LocalLight.maxShadowedPerFrame)
        var texel = [Float](repeating: 0, count: 4)
        for (j, fit) in fits.enumerated() {
            for (k, v) in fit.textureFromRelative.m.enumerated() { matrices[16 * j + k] = Float(v) }
            texel[j] = Float(fit.texelPerDepth)
        }
        glUniformMatrix4fv(
            uniforms.localShadowFromRelative, GLsizei(LocalLight.maxShadowedPerFrame), GLboolean(GL_FALSE), matrices)
        glUniform4fv(uniforms.localShadowTexel, 1, texel)
        glUniform1f(uniforms.localShadowNear, Float(LocalShadowFit.near))
        glBindTextureUnit(4, localShadowMaps.texture)
    }
}
