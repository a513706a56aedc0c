import CGL
import Overlays

/// Shows a picture in the window: uploads it to a texture and blits it, nearest-neighbour and
/// letterboxed, onto the window's default framebuffer; reads back what was drawn for screenshots.
///
/// A blit, not a textured quad: no shader, no vertex state, nothing that could disturb the
/// renderer's own GL state beyond the bindings restored here.
final class WindowPresenter {
    private var texture: GLuint = 0
    private var framebuffer: GLuint = 0
    private var size = (width: 0, height: 0)
    /// Where the picture landed in the last `draw`, in window pixels from the bottom-left corner.
    private(set) var lastRect = (x: 0, y: 0, width: 0, height: 0)

    static let letterboxColor: [Float] = [0.08, 0.08, 0.08, 1]

    deinit {
        if framebuffer != 0 { glDeleteFramebuffers(1, &framebuffer) }
        if texture != 0 { glDeleteTextures(1, &texture) }
    }

    /// Uploads `image` (row 0 the top row) as the picture to show.
    func upload(_ image: RGBImage) {
        guard image.width > 0, image.height > 0 else { return }
        if size != (image.width, image.height) {
            if framebuffer != 0 { glDeleteFramebuffers(1, &framebuffer) }
            if texture != 0 { glDeleteTextures(1, &texture) }
            glCreateTextures(GLenum(GL_TEXTURE_2D), 1, &texture)
            glTextureStorage2D(texture, 1, GLenum(GL_RGBA8), GLsizei(image.width), GLsizei(image.height))
            glCreateFramebuffers(1, &framebuffer)
            glNamedFramebufferTexture(framebuffer, GLenum(GL_COLOR_ATTACHMENT0), texture, 0)
            glNamedFramebufferReadBuffer(framebuffer, GLenum(GL_COLOR_ATTACHMENT0))
            size = (image.width, image.height)
        }
        // RGBA rows are 4-byte aligned whatever the width, so the default unpack alignment holds.
        let rgba = image.rgba
        glTextureSubImage2D(
            texture, 0, 0, 0, GLsizei(image.width), GLsizei(image.height), GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE),
            rgba)
    }

    /// The largest rectangle of the picture's aspect that fits `width`x`height`, centred, at an
    /// integer zoom when the picture fits at least once (so 1:1 shows every pixel exactly).
    static func letterbox(
        image: (width: Int, height: Int), window: (width: Int, height: Int)
    ) -> (
        x: Int, y: Int, width: Int, height: Int
    ) {
        guard image.width > 0, image.height > 0, window.width > 0, window.height > 0 else { return (0, 0, 0, 0) }
        let fit = min(Double(window.width) / Double(image.width), Double(window.height) / Double(image.height))
        let zoom = fit >= 1 ? fit.rounded(.down) : fit
        let w = max(1, Int(Double(image.width) * zoom)), h = max(1, Int(Double(image.height) * zoom))
        return ((window.width - w) / 2, (window.height - h) / 2, w, h)
    }

    /// Clears the window and draws the uploaded picture letterboxed into its `width`x`height` framebuffer.
    func draw(width: Int, height: Int) {
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0)
        glViewport(0, 0, GLsizei(width), GLsizei(height))
        // The picture holds sRGB-encoded bytes already: copy them, do not encode again.
        let srgb = glIsEnabled(GLenum(GL_FRAMEBUFFER_SRGB)) == GLboolean(GL_TRUE)
        let scissor = glIsEnabled(GLenum(GL_SCISSOR_TEST)) == GLboolean(GL_TRUE)
        glDisable(GLenum(GL_FRAMEBUFFER_SRGB))
        glDisable(GLenum(GL_SCISSOR_TEST))
        defer {
            if srgb { glEnable(GLenum(GL_FRAMEBUFFER_SRGB)) }
            if scissor { glEnable(GLenum(GL_SCISSOR_TEST)) }
        }
        glClearNamedFramebufferfv(0, GLenum(GL_COLOR), 0, Self.letterboxColor)
        guard framebuffer != 0 else {
            lastRect = (0, 0, 0, 0)
            return
        }
        let r = Self.letterbox(image: size, window: (width, height))
        lastRect = r
        // Texture row 0 is the picture's top row; window row 0 is the bottom: blit upside down.
        glBlitNamedFramebuffer(
            framebuffer, 0, 0, 0, GLint(size.width), GLint(size.height), GLint(r.x), GLint(r.y + r.height),
            GLint(r.x + r.width), GLint(r.y), GLbitfield(GL_COLOR_BUFFER_BIT), GLenum(GL_NEAREST))
    }

    /// What the last `draw` put in the picture's rectangle of the back buffer, row 0 the top row.
    func readBack() -> RGBImage {
        let r = lastRect
        guard r.width > 0, r.height > 0 else { return RGBImage(width: 0, height: 0) }
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0)
        glNamedFramebufferReadBuffer(0, GLenum(GL_BACK))
        var rgba = [UInt8](repeating: 0, count: r.width * r.height * 4)
        glReadnPixels(
            GLint(r.x), GLint(r.y), GLsizei(r.width), GLsizei(r.height), GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE),
            GLsizei(rgba.count), &rgba)
        var image = RGBImage(width: r.width, height: r.height)
        for y in 0..<r.height {
            let src = (r.height - 1 - y) * r.width * 4
            for x in 0..<r.width {
                image[x, y] = Color8(rgba[src + x * 4], rgba[src + x * 4 + 1], rgba[src + x * 4 + 2])
            }
        }
        return image
    }
}
