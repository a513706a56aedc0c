import CGL

/// An OpenGL failure: shader compilation, framebuffer completeness or a GL error code.
public struct RenderError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

enum GL {
    static func checkError(_ what: @autoclosure () -> String) throws {
        let code = glGetError()
        guard code != GLenum(GL_NO_ERROR) else { return }
        // Drain any further queued errors so the next check starts clean.
        while glGetError() != GLenum(GL_NO_ERROR) {}
        throw RenderError("OpenGL error 0x\(String(code, radix: 16)) during \(what())")
    }

    static func compileShader(_ type: GLenum, _ source: String, name: String) throws -> GLuint {
        let shader = glCreateShader(type)
        source.withCString { cs in
            var p: UnsafePointer<GLchar>? = cs
            glShaderSource(shader, 1, &p, nil)
        }
        glCompileShader(shader)
        var ok: GLint = 0
        glGetShaderiv(shader, GLenum(GL_COMPILE_STATUS), &ok)
        if ok == 0 {
            let log = infoLog { glGetShaderInfoLog(shader, $0, nil, $1) }
            glDeleteShader(shader)
            throw RenderError("\(name) shader failed to compile: \(log)")
        }
        return shader
    }

    static func linkProgram(vertex: String, fragment: String) throws -> GLuint {
        let vs = try compileShader(GLenum(GL_VERTEX_SHADER), vertex, name: "vertex")
        let fs = try compileShader(GLenum(GL_FRAGMENT_SHADER), fragment, name: "fragment")
        let program = glCreateProgram()
        glAttachShader(program, vs)
        glAttachShader(program, fs)
        glLinkProgram(program)
        glDeleteShader(vs)
        glDeleteShader(fs)
        var ok: GLint = 0
        glGetProgramiv(program, GLenum(GL_LINK_STATUS), &ok)
        if ok == 0 {
            let log = infoLog { glGetProgramInfoLog(program, $0, nil, $1) }
            glDeleteProgram(program)
            throw RenderError("shader program failed to link: \(log)")
        }
        return program
    }

    private static func infoLog(_ get: (GLsizei, UnsafeMutablePointer<GLchar>) -> Void) -> String {
        var buffer = [GLchar](repeating: 0, count: 4096)
        buffer.withUnsafeMutableBufferPointer { get(GLsizei($0.count), $0.baseAddress!) }
        return String(cString: buffer)
    }

    static func uniformLocation(_ program: GLuint, _ name: String) throws -> GLint {
        let loc = glGetUniformLocation(program, name)
        guard loc >= 0 else { throw RenderError("uniform \(name) not found in the shader program") }
        return loc
    }

    /// Makes a depth texture a shadow map: bilinear hardware comparison (a 2x2 PCF per lookup),
    /// clamped at its edges, and lit where the receiver is at least as near the light as the stored
    /// depth (reversed depth: nearer is greater).
    static func setShadowComparison(_ texture: GLuint) {
        glTextureParameteri(texture, GLenum(GL_TEXTURE_MIN_FILTER), GL_LINEAR)
        glTextureParameteri(texture, GLenum(GL_TEXTURE_MAG_FILTER), GL_LINEAR)
        glTextureParameteri(texture, GLenum(GL_TEXTURE_WRAP_S), GL_CLAMP_TO_EDGE)
        glTextureParameteri(texture, GLenum(GL_TEXTURE_WRAP_T), GL_CLAMP_TO_EDGE)
        glTextureParameteri(texture, GLenum(GL_TEXTURE_COMPARE_MODE), GL_COMPARE_REF_TO_TEXTURE)
        glTextureParameteri(texture, GLenum(GL_TEXTURE_COMPARE_FUNC), GL_GEQUAL)
    }
}
