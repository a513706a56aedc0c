import CGL

/// The terms a variant of the color shader computes (`Shaders.fragment(_:)`).
///
/// llvmpipe runs both sides of a branch even when its condition is a uniform, so a term switched
/// off by a uniform still costs its full price at every pixel: with rain, snow and local lights in
/// one shader behind a uniform, frames without weather took 60% longer (measured). Each combination
/// of terms is therefore a program of its own, and a frame without weather runs the plain shading
/// and nothing else.
struct ColorFeatures: OptionSet, Hashable {
    let rawValue: UInt8
    /// Exposure and the camera-frame point (every variant below needs it).
    static let effects = ColorFeatures(rawValue: 1)
    static let shadows = ColorFeatures(rawValue: 2)
    static let fog = ColorFeatures(rawValue: 4)
    /// Wet surfaces (darker, glossy), puddles on the road, snow on what faces up.
    static let wet = ColorFeatures(rawValue: 8)
    static let puddles = ColorFeatures(rawValue: 16)
    static let snow = ColorFeatures(rawValue: 32)
    /// Local lights and the glow of lamp parts.
    static let localLights = ColorFeatures(rawValue: 64)
    /// Shadow maps of up to 4 local lights (`LocalShadowFit`); only with `localLights`.
    static let localShadows = ColorFeatures(rawValue: 128)

    /// The GLSL `#define`s that switch the terms on.
    var defines: String {
        let names: [(ColorFeatures, String)] = [
            (.effects, "EFFECTS"), (.shadows, "SHADOWS"), (.fog, "FOG"), (.wet, "WET"), (.puddles, "PUDDLES"),
            (.snow, "SNOW"), (.localLights, "LOCAL_LIGHTS"), (.localShadows, "LOCAL_SHADOWS"),
        ]
        return names.filter { contains($0.0) }.map { "#define \($0.1)\n" }.joined()
    }
}

/// The color shader's variants, linked on first use, with their uniform locations.
final class ColorPrograms {
    /// Uniform locations of one variant; -1 for those it does not use (glUniform ignores -1).
    struct Uniforms {
        var sunDirection: GLint = -1
        var sunColor: GLint = -1
        var skyColor: GLint = -1
        var groundColor: GLint = -1
        var intrinsics: GLint = -1
        var worldFromCameraLinear: GLint = -1
        var exposure: GLint = -1
        var fog: GLint = -1
        var fogColor: GLint = -1
        var worldUpInCamera: GLint = -1
        var shadowFromClip: GLint = -1
        var shadowFromWorldLinear: GLint = -1
        var shadowParams: GLint = -1
        var localShadowFromRelative: GLint = -1
        var localShadowTexel: GLint = -1
        var localShadowNear: GLint = -1
    }

    struct Variant {
        var program: GLuint
        var uniforms: Uniforms
    }

    private var variants: [ColorFeatures: Variant] = [:]

    deinit {
        for v in variants.values { glDeleteProgram(v.program) }
    }

    func variant(_ features: ColorFeatures) throws -> Variant {
        if let v = variants[features] { return v }
        let program = try GL.linkProgram(vertex: Shaders.vertex(features), fragment: Shaders.fragment(features))
        func location(_ name: String) -> GLint { glGetUniformLocation(program, name) }
        var u = Uniforms()
        // Every variant lights with the sun and the sky.
        do {
            u.sunDirection = try GL.uniformLocation(program, "uSunDirection")
            u.sunColor = try GL.uniformLocation(program, "uSunColor")
            u.skyColor = try GL.uniformLocation(program, "uSkyColor")
            u.groundColor = try GL.uniformLocation(program, "uGroundColor")
            // ... and shades with the view direction (Shaders+Material.swift).
            u.intrinsics = try GL.uniformLocation(program, "uIntrinsics")
            u.worldFromCameraLinear = try GL.uniformLocation(program, "uWorldFromCameraLinear")
        } catch {
            glDeleteProgram(program)
            throw error
        }
        u.exposure = location("uExposure")
        u.fog = location("uFog")
        u.fogColor = location("uFogColor")
        u.worldUpInCamera = location("uWorldUpInCamera")
        u.shadowFromClip = location("uShadowFromClip")
        u.shadowFromWorldLinear = location("uShadowFromWorldLinear")
        u.shadowParams = location("uShadowParams")
        u.localShadowFromRelative = location("uLocalShadowFromRelative")
        u.localShadowTexel = location("uLocalShadowTexel")
        u.localShadowNear = location("uLocalShadowNear")
        let v = Variant(program: program, uniforms: u)
        variants[features] = v
        return v
    }
}
