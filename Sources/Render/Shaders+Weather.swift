import SceneCore

/// GLSL for weather on surfaces and local lights, spliced into `Shaders.fragment` (declarations and
/// functions; `main` calls them in its effects branch), and the particle pass's own program.
///
/// Everything here changes `outColor` only. The surface terms wrap the shading: `surfaceWeather`
/// changes the albedo before it is lit (wet darkening, snow cover), `wetSpecular` and
/// `localLighting` add light after it, `surfaceEmission` adds the glow of lamp parts.
extension Shaders {
    /// Uniform blocks binding 2 (weather) and 3 (lights), texture unit 3 (light clusters); storage
    /// buffer 5 (emission per surface id, pre-exposure) is read by the vertex shader.
    /// Layouts: see `WeatherBlock` and `LightGrid`.
    static let weatherDeclarations = """
        layout(std140, binding = 2) uniform WeatherBlock {
            // Rotation world <- camera; column 3: the camera's world position, x and y modulo 1024 m
            // (the noise below repeats every 1024 m, so this keeps floats exact far from the origin).
            mat4 uWorldFromCamera;
            vec4 uSurfaceWeather;   // wetness, puddle share, snow cover, 0
            vec4 uHorizon;          // what wet surfaces reflect towards the horizon (pre-exposure)
            vec4 uZenith;           // ... and straight up
            ivec4 uLightGrid;       // light count, tile size (px), tiles across, emission on
        };
        // Per light, 4 vec4 (see LightGrid.appendLight): position relative to the camera (world
        // axes) and 1 / range^2; color * intensity in light units and (size / 2)^2; the spot's axis
        // and offset scaled so that dot(-l, axis) + offset is the cone's 0...1 ramp (0, 0, 0, 1 for
        // a point light); the wrap of an area light as n.l's scale and offset, the light's shadow map
        // layer (-1: none) and 0.
        layout(std140, binding = 3) uniform LocalLightBlock { vec4 uLights[4 * \(LocalLight.maxPerFrame)]; };
        // Per cluster (32-pixel tile * 16 depth slices, see LightGrid) one texel: byte 0 the count
        // (low 4 bits) and the shadow maps of the listed lights (high 4 bits, bit j: layer j), bytes
        // 1...15 the lights' indices.
        layout(binding = 3) uniform usampler2D uLightClusters;

        #ifdef LOCAL_SHADOWS
        // Shadow maps of up to 4 local lights (LocalShadowFit), one layer each: per layer the map's
        // (s w, t w, near, w) from a world-axes point relative to the camera (w: depth along the
        // light's axis), and a texel's width per metre of that depth; the maps' near distance.
        uniform mat4 uLocalShadowFromRelative[4];
        uniform vec4 uLocalShadowTexel;
        uniform float uLocalShadowNear;
        layout(binding = 4) uniform sampler2DArrayShadow uLocalShadowMaps;

        // Each shadowed light's visibility at this pixel: one bilinear comparison (a 2x2 PCF) after
        // moving the point 1.5 texels along the normal and towards the light by a texel plus 1 cm
        // (against acne; a texel grows with the depth). Outside a map's frustum: lit. Only the maps
        // in `layers` (bit j: layer j), those of the cluster's lights: a pixel no shadowed light
        // reaches makes no lookup.
        vec4 localShadowVisibility(vec3 pRel, vec3 n, uint layers) {
            vec4 vis = vec4(1.0);
            float near = uLocalShadowNear;
            for (uint bits = layers; bits != 0u; bits &= bits - 1u) {
                int j = findLSB(bits);
                mat4 m = uLocalShadowFromRelative[j];
                vec4 c = m * vec4(pRel, 1.0);
                float texel = uLocalShadowTexel[j] * max(c.w, 0.0);
                c += m * vec4(n * (1.5 * texel), 0.0);
                vec2 s = c.xy / c.w;
                float ref = near / max(c.w - texel - 0.01, 1e-4);
                float v = texture(uLocalShadowMaps, vec4(s, float(j), ref));
                bool inside = c.w > near && all(greaterThanEqual(s, vec2(0.0))) && all(lessThanEqual(s, vec2(1.0)));
                vis[j] = inside ? v : 1.0;
            }
            return vis;
        }
        #endif

        // Value noise on a 1 m lattice that repeats every 512 cells.
        float latticeHash(ivec2 c) {
            uint h = uint(c.x & 511) * 0x8da6b343u ^ uint(c.y & 511) * 0xd8163841u;
            h ^= h >> 13;
            h *= 0x5bd1e995u;
            h ^= h >> 15;
            return float(h & 0xffffu) / 65535.0;
        }
        float valueNoise(vec2 p) {
            ivec2 i = ivec2(floor(p));
            vec2 f = fract(p);
            f = f * f * (3.0 - 2.0 * f);
            float a = mix(latticeHash(i), latticeHash(i + ivec2(1, 0)), f.x);
            float b = mix(latticeHash(i + ivec2(0, 1)), latticeHash(i + ivec2(1, 1)), f.x);
            return mix(a, b, f.y);
        }

        struct SurfaceWeather {
            vec3 albedo;
            float wet;      // 0...1 water film
            float puddle;   // 0...1 standing water (a flat mirror)
        };

        // Snow lies on surfaces facing up, patchy at the edge of its cover; water darkens them
        // (it fills the pores, Lagarde 2013) and pools in puddles on the road: flat surfaces between
        // 5 mm and 5 cm up (the road and its markings; the ground plane at 0 keeps none).
        SurfaceWeather surfaceWeather(vec3 albedo, vec3 n, vec3 pWorld) {
            SurfaceWeather s = SurfaceWeather(albedo, 0.0, 0.0);
            float up = smoothstep(0.55, 0.85, n.z);
        #ifdef SNOW
            float patches = 0.6 * valueNoise(pWorld.xy * 2.0) + 0.4 * valueNoise(pWorld.xy * 8.0);
            float cover = smoothstep(0.2, 0.45, uSurfaceWeather.z * up * (0.55 + 0.9 * patches));
            s.albedo = mix(s.albedo, vec3(0.82, 0.85, 0.9), cover);
            up *= 1.0 - cover;
        #endif
        #ifdef WET
            s.wet = uSurfaceWeather.x * up;
        #ifdef PUDDLES
            if (pWorld.z > 0.005 && pWorld.z < 0.05 && n.z > 0.95) {
                float t = 1.0 - uSurfaceWeather.y;
                s.puddle = smoothstep(t - 0.03, t + 0.03, valueNoise(pWorld.xy)) * up;
            }
        #endif
            s.albedo *= mix(1.0, 0.5, s.wet) * mix(1.0, 0.6, s.puddle);
        #endif
            return s;
        }

        float schlickWater(float cosTheta) {
            float x = 1.0 - clamp(cosTheta, 0.0, 1.0), x2 = x * x;
            return 0.02 + 0.98 * (x2 * x2 * x);
        }

        // Normalized Blinn-Phong lobe (n.l included) for a water film: sharp on wet ground, sharper
        // in puddles. The caller multiplies by the film's Fresnel term.
        float wetLobe(vec3 n, vec3 l, vec3 v, float shininess) {
            vec3 h = normalize(l + v);
            return pow(max(dot(n, h), 0.0), shininess) * (shininess + 8.0) / 25.1327 * max(dot(n, l), 0.0);
        }

        // What a water film adds: the sky mirrored by Fresnel (puddles most), and the sun's glint.
        vec3 wetSpecular(SurfaceWeather s, vec3 n, vec3 v, float sunVisibility) {
            float gloss = max(s.wet, s.puddle);
            if (gloss <= 0.0) return vec3(0.0);
            vec3 nn = normalize(mix(n, vec3(0.0, 0.0, 1.0), s.puddle));
            vec3 r = reflect(-v, nn);
            vec3 sky = mix(uHorizon.rgb, uZenith.rgb, clamp(r.z, 0.0, 1.0));
            float fresnel = schlickWater(dot(nn, v));
            vec3 mirrored = sky * fresnel * (0.3 * s.wet + 0.7 * s.puddle);
            float shininess = mix(80.0, 1500.0, s.puddle);
            float glint = wetLobe(nn, uSunDirection, v, shininess) * fresnel;
            return mirrored + uSunColor * (sunVisibility * gloss * glint);
        }

        // Sum over the lights of this pixel's cluster: inverse-square falloff softened by the light's
        // size, a window that reaches zero at its range, a smooth spot cone; diffuse on the albedo,
        // and a highlight where the surface is wet.
        vec3 localLighting(SurfaceWeather s, vec3 n, vec3 pRel, vec3 v, float depth) {
            ivec2 tile = ivec2(gl_FragCoord.xy) / uLightGrid.y;
            // floor(2 log2 z) from the float's bits: twice the exponent, plus one past sqrt(2).
            int bits = floatBitsToInt(max(depth, 1e-3));
            float mantissa = intBitsToFloat((bits & 0x7fffff) | 0x3f800000);
            int slice = clamp(2 * ((bits >> 23) - 127) + (mantissa >= 1.4142135 ? 1 : 0), 0, 15);
            uvec4 cluster = texelFetch(uLightClusters, ivec2(tile.x * 16 + slice, tile.y), 0);
            uint count = cluster.x & 0xfu;
            float gloss = max(s.wet, s.puddle);
            float shininess = mix(40.0, 600.0, s.puddle);
            // The film's Fresnel term at the viewing angle stands in for each light's (at the half
            // vector): one evaluation per pixel, not per light.
            float fresnel = gloss > 0.0 ? schlickWater(dot(n, v)) : 0.0;
            vec3 diffuse = vec3(0.0), glints = vec3(0.0);
        #ifdef LOCAL_SHADOWS
            vec4 shadowVis = localShadowVisibility(pRel, n, (cluster.x >> 4u) & 0xfu);
        #endif
            for (uint k = 1u; k <= count; ++k) {
                // No early exits: the rasterizer shades 8 pixels in lockstep and would run every
                // branch anyway; straight-line code is cheaper.
                uint i = ((cluster[k >> 2u] >> ((k & 3u) * 8u)) & 0xffu) * 4u;
                vec4 a = uLights[i], b = uLights[i + 1u], c = uLights[i + 2u], d = uLights[i + 3u];
                vec3 toLight = a.xyz - pRel;
                float d2 = dot(toLight, toLight);
                vec3 l = toLight * inversesqrt(d2);
                float x = min(d2 * a.w, 1.0);
                float window = (1.0 - x * x) * (1.0 - x * x);
                float t = clamp(dot(-l, c.xyz) + c.w, 0.0, 1.0);
                vec3 e = b.rgb * (window * t * t * (3.0 - 2.0 * t) / (d2 + b.w));
        #ifdef LOCAL_SHADOWS
                // The light's own layer picked without indexing: a select, not a branch.
                e *= d.z < 0.0 ? 1.0 : dot(shadowVis, vec4(equal(vec4(d.z), vec4(0.0, 1.0, 2.0, 3.0))));
        #endif
                diffuse += e * max(dot(n, l) * d.x + d.y, 0.0);
        #ifdef WET
                glints += e * wetLobe(n, l, v, shininess);
        #endif
            }
            return s.albedo * diffuse + glints * (gloss * fresnel);
        }

        #ifdef LOCAL_LIGHTS
        flat in vec3 vEmission;
        vec3 surfaceEmission() {
            return uLightGrid.w != 0 ? vEmission : vec3(0.0);
        }
        #endif
        """

    /// Rain streaks, snow flakes and the glow of lights without a lamp part, as camera-facing quads
    /// made in the vertex shader from `gl_VertexID` (6 vertices each, no vertex data): a particle's
    /// place is a hash of its index and the frame's particle seed, uniform over the camera's view
    /// between two distances. Drawn into the color target only, depth-tested against the scene's
    /// depth, never writing it.
    static let particleVertex = """
        #version 450 core
        uniform mat4 uClipFromCamera;
        uniform vec4 uIntrinsics;       // fx, fy, cx, cy
        uniform vec4 uVolume;           // image width, height, nearest and farthest distance (m)
        uniform mat3 uCameraFromWorld;
        uniform vec4 uFall;             // world-space streak (m); w: particle radius (m)
        uniform vec4 uColor;            // exposed linear color, alpha
        uniform uint uSeed;
        uniform int uMode;              // 0 rain, 1 snow, 2 glows
        // Glows: camera-frame position and radius, then exposed color and alpha.
        layout(std430, binding = 6) readonly buffer GlowBlock { vec4 uGlow[]; };
        out vec2 vCorner;
        flat out vec4 vColor;

        uint hash(uint x) {
            x ^= x >> 16;
            x *= 0x7feb352du;
            x ^= x >> 15;
            x *= 0x846ca68bu;
            x ^= x >> 16;
            return x;
        }
        float rand01(inout uint s) {
            s = hash(s);
            return float(s >> 8) * (1.0 / 16777216.0);
        }
        vec2 pixelOf(vec3 p) { return uIntrinsics.xy * p.xy / p.z + uIntrinsics.zw; }

        void main() {
            const vec2 corners[6] = vec2[](
                vec2(0.0, -1.0), vec2(0.0, 1.0), vec2(1.0, 1.0), vec2(0.0, -1.0), vec2(1.0, 1.0), vec2(1.0, -1.0));
            int id = gl_VertexID / 6;
            vec2 c = corners[gl_VertexID - id * 6];
            vec3 a, b;
            float radius;
            vColor = uColor;
            if (uMode == 2) {
                a = uGlow[2 * id].xyz;
                b = a;
                radius = uGlow[2 * id].w;
                vColor = uGlow[2 * id + 1];
            } else {
                uint s = hash(uint(id) * 0x9e3779b9u ^ uSeed);
                float u = rand01(s);
                float v = rand01(s);
                vec2 px = vec2(u, v) * uVolume.xy - 0.5;
                float near3 = uVolume.z * uVolume.z * uVolume.z, far3 = uVolume.w * uVolume.w * uVolume.w;
                float z = pow(mix(near3, far3, rand01(s)), 1.0 / 3.0);
                a = vec3((px - uIntrinsics.zw) / uIntrinsics.xy * z, z);
                b = a + uCameraFromWorld * uFall.xyz * (0.7 + 0.6 * rand01(s));
                b.z = max(b.z, 0.5 * a.z);
                radius = uFall.w * (0.6 + 0.8 * rand01(s));
                vColor.a *= 0.6 + 0.4 * rand01(s);
            }
            vec2 pa = pixelOf(a), pb = pixelOf(b);
            vec2 dir = pb - pa;
            float len = length(dir);
            dir = len > 1e-3 ? dir / len : vec2(0.0, 1.0);
            float z = mix(a.z, b.z, c.x);
            float rpx = uIntrinsics.x * radius / z;
            // At least 1.5 pixels wide; a thinner particle covers less of them, so it is fainter.
            float w = max(rpx, 0.75);
            vColor.a *= min(rpx / w, 1.0);
            vec2 p = mix(pa, pb, c.x) + vec2(-dir.y, dir.x) * (c.y * w) + dir * ((2.0 * c.x - 1.0) * w);
            vCorner = vec2((2.0 * c.x - 1.0), c.y);
            gl_Position = uClipFromCamera * vec4((p - uIntrinsics.zw) / uIntrinsics.xy * z, z, 1.0);
        }
        """

    static let particleFragment = """
        #version 450 core
        uniform int uMode;
        in vec2 vCorner;
        flat in vec4 vColor;
        layout(location = 0) out vec4 outColor;
        void main() {
            float a = uMode == 0
                ? (1.0 - abs(vCorner.y)) * (1.0 - smoothstep(0.6, 1.0, abs(vCorner.x)))
                : 1.0 - smoothstep(0.4, 1.0, length(vCorner));
            outColor = vec4(vColor.rgb, vColor.a * a);
        }
        """
}
