import CGL
import ImageCodec
import SceneCore

/// Base color textures, decoded from their PNG/JPEG bytes (ImageCodec: libpng, libjpeg-turbo) and
/// uploaded once per `TextureRef.key` as GL_SRGB8_ALPHA8 with a full mip chain (trilinear, repeat,
/// glTF's default sampler). Kept in a `ResidentSet` (LRU over a byte budget).
///
/// Orientation: glTF texture coordinates put (0, 0) at the image's top-left; GL puts t = 0 at a
/// texture's first row. Rows are uploaded top row first, so the flip of v and the flip of the rows
/// cancel: the shader samples at the mesh's (u, v) unchanged.
///
/// Alpha is ignored (surfaces are opaque; glTF's alphaMode OPAQUE).
final class TextureCache {
    var resident: ResidentSet<GLuint>
    private let maxSize: Int

    init(budgetBytes: Int, maxIdleFrames: Int) {
        resident = ResidentSet(budgetBytes: budgetBytes, maxIdleFrames: maxIdleFrames)
        var size: GLint = 0
        glGetIntegerv(GLenum(GL_MAX_TEXTURE_SIZE), &size)
        maxSize = Int(size)
    }

    deinit {
        let names = resident.allObjects
        if !names.isEmpty { glDeleteTextures(GLsizei(names.count), names) }
    }

    /// Makes `texture` resident (decoding and uploading it if needed), marked used in `frame`.
    /// Throws when the bytes do not decode or the image is larger than the driver allows.
    func prepare(_ texture: TextureRef, frame: Int) throws {
        if resident.use(texture.key, frame: frame) != nil { return }
        let image: RGBA8Image
        do {
            image = try ImageDecoder.decodeRGBA8(texture.bytes)
        } catch {
            throw RenderError(
                "texture '\(texture.key)' (\(texture.format.rawValue), \(texture.bytes.count) bytes) cannot be decoded: \(error)"
            )
        }
        guard image.width <= maxSize, image.height <= maxSize else {
            throw RenderError(
                "texture '\(texture.key)' is \(image.width)x\(image.height), larger than this driver's \(maxSize)")
        }
        var levels = 1
        while max(image.width, image.height) >> levels > 0 { levels += 1 }
        var name: GLuint = 0
        glCreateTextures(GLenum(GL_TEXTURE_2D), 1, &name)
        glTextureStorage2D(name, GLsizei(levels), GLenum(GL_SRGB8_ALPHA8), GLsizei(image.width), GLsizei(image.height))
        // RGBA8 rows are whole multiples of GL's default unpack alignment (4).
        glTextureSubImage2D(
            name, 0, 0, 0, GLsizei(image.width), GLsizei(image.height), GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE),
            image.pixels)
        glGenerateTextureMipmap(name)
        glTextureParameteri(name, GLenum(GL_TEXTURE_MIN_FILTER), GL_LINEAR_MIPMAP_LINEAR)
        glTextureParameteri(name, GLenum(GL_TEXTURE_MAG_FILTER), GL_LINEAR)
        glTextureParameteri(name, GLenum(GL_TEXTURE_WRAP_S), GL_REPEAT)
        glTextureParameteri(name, GLenum(GL_TEXTURE_WRAP_T), GL_REPEAT)
        // The mip chain adds a third to the base level.
        resident.insert(texture.key, name, bytes: image.width * image.height * 4 * 4 / 3, frame: frame)
    }

    /// The GL texture of a resident key.
    func name(of texture: TextureRef) -> GLuint? { resident.peek(texture.key) }

    /// Deletes what the resident set's policy evicts after `frame`.
    func evict(frame: Int) {
        let names = resident.evict(frame: frame)
        if !names.isEmpty { glDeleteTextures(GLsizei(names.count), names) }
    }
}
