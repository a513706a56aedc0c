import Foundation
import RenderContext
import SceneCore

extension BenchCommand {
    /// One way of lighting the scene's frames for `bench --effects`.
    struct EffectVariant {
        var name: String
        var apply: (FrameSpec) -> FrameSpec
    }

    /// Rounds over the frames. Each frame is rendered under every variant in turn and each render
    /// timed alone, so that the machine's changing load (benches run on shared CPUs) hits every
    /// variant alike; a variant's figures are the medians of its renders.
    static let effectRounds = 3

    /// The variants compared: the scene's frames with no weather (the baseline), then each effect
    /// alone and a few together. The layout and camera stay the same; `lights` gives the lamps and
    /// cars of a frame (`SceneDescription.partLights(for:)`).
    static func effectVariants(lights: @escaping (FrameSpec) -> [LocalLight]) -> [EffectVariant] {
        func plain(_ s: FrameSpec) -> FrameSpec {
            var out = s
            out.lighting.weather = nil
            out.lighting.exposure = 1
            out.lighting.shadows = false
            out.lighting.lights = []
            return out
        }
        /// `lit`: the lamps and cars light up; `lampShadows`: the lamps cast shadows (`lights` gives
        /// them with shadows; the rows without it show what the lights cost alone).
        func weather(
            _ s: FrameSpec, _ w: WeatherState, shadows: Bool = false, lit: Bool = false, lampShadows: Bool = false
        ) -> FrameSpec {
            var out = plain(s)
            out.lighting = WeatherLighting.apply(w, to: out.lighting)
            out.lighting.shadows = shadows
            if lit {
                out.lighting.lights = LocalLight.selected(lights(s), camera: s.camera).map {
                    var l = $0
                    l.castsShadows = l.castsShadows && lampShadows
                    return l
                }
            }
            return out
        }
        let fog = FogState(density: 0.02, heightFalloff: 0.08, color: .zero)
        func rain(_ s: FrameSpec) -> WeatherState {
            WeatherState(
                condition: .rain, cloudCover: 0.9,
                fog: FogState(
                    density: PrecipitationModel.rainDensity(0.7), heightFalloff: PrecipitationModel.heightFalloff,
                    color: .zero),
                precipitation: Precipitation(kind: .rain, intensity: 0.7, particleSeed: UInt32(s.index)),
                wetness: 0.85, puddles: 0.3)
        }
        func snow(_ s: FrameSpec) -> WeatherState {
            WeatherState(
                condition: .snow, cloudCover: 0.85,
                fog: FogState(
                    density: PrecipitationModel.snowDensity(0.7), heightFalloff: PrecipitationModel.heightFalloff,
                    color: .zero),
                precipitation: Precipitation(kind: .snow, intensity: 0.7, particleSeed: UInt32(s.index)),
                snowCover: 0.8)
        }
        let clear = WeatherState(condition: .clear, cloudCover: 0)
        let night = WeatherState(condition: .night, cloudCover: 0)
        return [
            EffectVariant(name: "baseline (no weather)", apply: plain),
            EffectVariant(name: "+ weather shading only") { weather($0, clear) },
            EffectVariant(name: "+ sun shadows") { weather($0, clear, shadows: true) },
            EffectVariant(name: "+ fog") { weather($0, WeatherState(condition: .fog, cloudCover: 0, fog: fog)) },
            EffectVariant(name: "+ sun shadows + fog") {
                weather($0, WeatherState(condition: .fog, cloudCover: 0, fog: fog), shadows: true)
            },
            EffectVariant(name: "+ wet road, puddles") {
                weather($0, WeatherState(condition: .overcast, cloudCover: 0.9, wetness: 0.85, puddles: 0.3))
            },
            EffectVariant(name: "+ rain streaks only") {
                weather(
                    $0,
                    WeatherState(
                        condition: .rain, cloudCover: 0.9,
                        precipitation: Precipitation(kind: .rain, intensity: 0.7, particleSeed: UInt32($0.index))))
            },
            EffectVariant(name: "+ rain (streaks, wet, fog)") { weather($0, rain($0)) },
            EffectVariant(name: "+ snow cover only") {
                weather($0, WeatherState(condition: .snow, cloudCover: 0.85, snowCover: 0.8))
            },
            EffectVariant(name: "+ snow flakes only") {
                weather(
                    $0,
                    WeatherState(
                        condition: .snow, cloudCover: 0.85,
                        precipitation: Precipitation(kind: .snow, intensity: 0.7, particleSeed: UInt32($0.index))))
            },
            EffectVariant(name: "+ snow (flakes, cover, fog)") { weather($0, snow($0)) },
            EffectVariant(name: "+ night, local lights") { weather($0, night, lit: true) },
            EffectVariant(name: "+ night, local lights, lamp shadows") {
                weather($0, night, lit: true, lampShadows: true)
            },
            EffectVariant(name: "+ night, rain, local lights") {
                var w = rain($0)
                w.condition = .night
                return weather($0, w, lit: true)
            },
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
        let variants = effectVariants { scene.partLights(for: $0, lampShadows: true) }
        let k = specs[0].camera.intrinsics
        let lightCounts = specs.map { LocalLight.selected(scene.partLights(for: $0), camera: $0.camera).count }
        let castingCounts = specs.map { s in
            LocalLight.selected(scene.partLights(for: s, lampShadows: true), camera: s.camera).filter(\.castsShadows)
                .count
        }
        print("scene:    \(scene.name), \(k.width)x\(k.height), \(specs[0].surfaces.count) surfaces, \(count) frames")
        print("renderer: \(gl.backendDescription)\(coverage ? "" : ", no hidden-pixel pass")")
        print(
            "shadows:  \(gl.shadowMapSize)² map fitted to the view up to \(Int(gl.shadowDistance)) m; "
                + "local lights per frame: \(lightCounts.min() ?? 0)...\(lightCounts.max() ?? 0), "
                + "casting: \(castingCounts.min() ?? 0)...\(castingCounts.max() ?? 0) "
                + "(the nearest \(LocalLight.maxShadowedPerFrame) get \(gl.localShadowMapSize)² maps)")
        print("")
        print(
            "effect                                 CPU ms/frame  vs baseline          wall ms/frame"
                + "  (render + readback, one frame at a time)")
        let frames = variants.map { v in specs.map(v.apply) }
        for f in frames { _ = try gl.render(f[0]) }  // warm-up: shaders, buffers, shadow map
        var cpu = [[Double]](repeating: [], count: variants.count), wall = cpu
        for _ in 0..<effectRounds {
            for i in specs.indices {
                for v in variants.indices {
                    let (c0, w0) = (processCPUSeconds(), monotonicSeconds())
                    _ = try gl.render(frames[v][i])
                    cpu[v].append((processCPUSeconds() - c0) * 1000)
                    wall[v].append((monotonicSeconds() - w0) * 1000)
                }
            }
        }
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        let cpuMedians = cpu.map(median), wallMedians = wall.map(median)
        for v in variants.indices {
            let ms = cpuMedians[v], base = cpuMedians[0]
            let extra = v == 0 ? "" : String(format: "%+7.1f ms (%+4.0f%%)", ms - base, (ms / base - 1) * 100)
            print(
                variants[v].name.padding(toLength: 39, withPad: " ", startingAt: 0)
                    + String(format: "%9.1f    ", ms) + extra.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: "%9.1f", wallMedians[v]))
        }
        print("")
        print("CPU: the process's CPU time (every llvmpipe thread), median of \(effectRounds * count) renders per")
        print("row; every frame is rendered under each row in turn, so the machine's changing load hits all")
        print("rows alike. Wall time on shared cores is mostly the wait for them.")
    }

    /// CPU seconds of this process, all threads (llvmpipe rasterizes on its own threads).
    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
