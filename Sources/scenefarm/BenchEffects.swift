import Foundation
import RenderContext
import SceneCore

extension BenchCommand {
    /// One way of lighting the scene's frames for `bench --effects`.
    struct EffectVariant {
        var name: String
        var shadowMapSize: Int
        var apply: (Lighting) -> Lighting
    }

    /// The variants compared: the scene's frames with no weather (the baseline), then with sun
    /// shadows at two shadow-map sizes, fog, and both. The layout and camera stay the same.
    static var effectVariants: [EffectVariant] {
        func plain(_ l: Lighting) -> Lighting {
            var out = l
            out.weather = nil
            out.exposure = 1
            out.shadows = false
            return out
        }
        func clear(_ l: Lighting, shadows: Bool) -> Lighting {
            var out = plain(l)
            out.weather = WeatherState(condition: .clear, cloudCover: 0)
            out.shadows = shadows
            return out
        }
        func fog(_ l: Lighting, shadows: Bool) -> Lighting {
            var out = WeatherLighting.apply(
                WeatherState(
                    condition: .fog, cloudCover: 0, fog: FogState(density: 0.02, heightFalloff: 0.08, color: .zero)),
                to: plain(l))
            out.shadows = shadows
            return out
        }
        return [
            EffectVariant(name: "baseline (no weather)", shadowMapSize: 2048, apply: plain),
            EffectVariant(name: "+ weather shading only", shadowMapSize: 2048) { clear($0, shadows: false) },
            EffectVariant(name: "+ shadows (2048²)", shadowMapSize: 2048) { clear($0, shadows: true) },
            EffectVariant(name: "+ shadows (1024²)", shadowMapSize: 1024) { clear($0, shadows: true) },
            EffectVariant(name: "+ fog", shadowMapSize: 2048) { fog($0, shadows: false) },
            EffectVariant(name: "+ shadows (1024²) + fog", shadowMapSize: 1024) { fog($0, shadows: true) },
        ]
    }

    /// Renders frames 0..<count under every variant, one frame at a time (render and readback, no
    /// labels or encoding), and prints milliseconds per frame and the cost over the baseline.
    static func runEffects(
        scene: SceneDescription, seed: UInt64, count: Int, platform: EGLPlatformChoice, coverage: Bool
    ) throws {
        let headless = try HeadlessGLRenderer(platform: platform, computesCoverage: coverage)
        let gl = headless.glRenderer
        var specs = try (0..<count).map { try scene.frame($0, seed: seed) }
        // Shadows need the sun above the horizon: raise it where the scene's own is not.
        for i in specs.indices where specs[i].lighting.sunDirection.z <= 0.1 {
            specs[i].lighting.sunDirection = Vec3(0.4, 0.3, 0.85).normalized
        }
        let k = specs[0].camera.intrinsics
        print("scene:    \(scene.name), \(k.width)x\(k.height), \(specs[0].surfaces.count) surfaces, \(count) frames")
        print("renderer: \(gl.backendDescription)\(coverage ? "" : ", no hidden-pixel pass")")
        print("")
        print("effect                        ms/frame   vs baseline   (render + readback, one frame at a time)")
        var baseline: Double?
        for variant in effectVariants {
            gl.shadowMapSize = variant.shadowMapSize
            func frame(_ spec: FrameSpec) -> FrameSpec {
                var s = spec
                s.lighting = variant.apply(spec.lighting)
                return s
            }
            _ = try gl.render(frame(specs[0]))  // warm-up: shader variants, shadow map allocation
            let start = monotonicSeconds()
            for spec in specs { _ = try gl.render(frame(spec)) }
            let ms = (monotonicSeconds() - start) * 1000 / Double(count)
            let extra = baseline.map { String(format: "%+8.1f ms (%+.0f%%)", ms - $0, (ms / $0 - 1) * 100) } ?? ""
            baseline = baseline ?? ms
            print(
                variant.name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%9.1f   ", ms) + extra
            )
        }
    }
}
