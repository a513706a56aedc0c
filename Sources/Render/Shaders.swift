/// GLSL 4.50 sources of the one-pass multi-target renderer.
///
/// Target 0: lit color, SRGB8_ALPHA8: the shader writes linear light and the store encodes it.
/// Target 1: surface id, R32UI — written flat, never blended, filtered or multisampled.
/// Target 2: camera-frame z in metres, R32F. Clip w equals camera z (see
///           `CameraIntrinsics.clipFromCamera`), so z = 1 / gl_FragCoord.w, exact per pixel centre.
enum Shaders {
    /// The color pass's vertex shader with `features` compiled in. With `SHADOWS` it also gives each
    /// vertex its place in the sun's shadow map: an affine function of the world position (the
    /// light's projection is orthographic), so the interpolated value is exact at every pixel and
    /// no pixel transforms its point into the map.
    static func vertex(_ features: ColorFeatures) -> String {
        "#version 450 core\n" + features.defines + vertexBody
    }

    static let vertexBody = """
        layout(location = 0) in vec3 aPosition;
        layout(location = 1) in vec3 aNormal;
        layout(location = 2) in mat4 iClipFromUnit;      // per surface (DrawList)
        layout(location = 6) in mat3 iWorldNormal;
        layout(location = 9) in vec3 iColor;
        layout(location = 10) in uvec3 iIDs;             // surface id, coverage slot, instance id
        out vec3 vNormal;
        flat out vec3 vColor;
        flat out uint vSurfaceID;
        invariant gl_Position;
        \(materialVertex)
        #ifdef SHADOWS
        // Shadow-map texture coordinates and reversed light depth of a clip-space point (its w row
        // gives 1: clip z is the near distance), the same map for a world direction, and the
        // shadow parameters (normal offset in metres: y).
        uniform mat4 uShadowFromClip;
        uniform mat3 uShadowFromWorldLinear;
        uniform vec4 uShadowParams;
        out vec3 vShadow;
        out vec3 vShadowNormalOffset;
        #endif
        #ifdef LOCAL_LIGHTS
        // The glow of lamp parts per surface id (WeatherRendering): read once per vertex, not per pixel.
        layout(std430, binding = 5) readonly buffer EmissionBlock { vec4 uEmission[]; };
        flat out vec3 vEmission;
        #endif
        void main() {
            gl_Position = iClipFromUnit * vec4(aPosition, 1.0);
            vNormal = iWorldNormal * aNormal;
            vColor = iColor;
            vSurfaceID = iIDs.x;
        #ifdef LOCAL_LIGHTS
            vEmission = iIDs.x < uint(uEmission.length()) ? uEmission[iIDs.x].rgb : vec3(0.0);
        #endif
        #ifdef SHADOWS
            vShadow = (uShadowFromClip * gl_Position).xyz;
            vShadowNormalOffset = uShadowFromWorldLinear * (normalize(vNormal) * uShadowParams.y);
        #endif
            passMaterial();
        }
        """

    /// The color shader with `features` compiled in (see `ColorFeatures`). Without any, the color is
    /// exactly the issue-2 shading. With `EFFECTS`, the fragment's camera-frame point is rebuilt from
    /// the pixel and its camera z (no extra vertex data) and the exposure scales the result;
    /// `SHADOWS` multiplies the sun term by its visibility in the sun's shadow map, `FOG` mixes in
    /// exponential height fog by the optical depth along the view ray, `SNOW`, `WET`, `PUDDLES`
    /// and `LOCAL_LIGHTS` wrap the shading with wet and snowy surfaces, local lights and the glow of
    /// lamp parts (see `Shaders.weatherDeclarations`); `LOCAL_SHADOWS` multiplies the lights that have
    /// a shadow map by their visibility in it. Only `outColor` changes; the ID and depth
    /// outputs never depend on weather.
    static func fragment(_ features: ColorFeatures) -> String {
        "#version 450 core\n" + features.defines + fragmentBody
    }

    static let fragmentBody = """
        in vec3 vNormal;
        flat in vec3 vColor;
        flat in uint vSurfaceID;
        layout(location = 0) out vec4 outColor;
        layout(location = 1) out uint outSurfaceID;
        layout(location = 2) out float outDepth;
        uniform vec3 uSunDirection;
        uniform vec3 uSunColor;
        uniform vec3 uSkyColor;
        uniform vec3 uGroundColor;

        uniform vec4 uIntrinsics;       // fx, fy, cx, cy (pixels)
        uniform float uExposure;
        // Fog: density per metre at z = 0, height falloff per metre, camera height (world z), and
        // the world up axis in camera coordinates (world z of a camera point = height + dot).
        uniform vec3 uFog;
        uniform vec3 uFogColor;
        uniform vec3 uWorldUpInCamera;
        // Shadows: the fragment's place in the shadow map and its normal offset there (from the
        // vertex shader), depth bias, normal offset in metres, texel size in texture units, and the
        // camera z beyond which shadows fade out.
        #ifdef SHADOWS
        in vec3 vShadow;
        in vec3 vShadowNormalOffset;
        #endif
        uniform vec4 uShadowParams;     // depth bias, normal offset, texel, fade distance
        layout(binding = 1) uniform sampler2DShadow uShadowMap;

        // 2x2 taps half a texel apart, each a 2x2 bilinear comparison (hardware PCF): a soft edge 3
        // texels wide with tent weights, for 4 fetches. The normal offset (lookups moved along the
        // normal, against acne) follows the face the camera sees. Nothing to fetch beyond the fade
        // distance.
        #ifdef SHADOWS
        float sunVisibility(float depth) {
            if (depth >= uShadowParams.w) return 1.0;
            vec3 s = vShadow + (gl_FrontFacing ? vShadowNormalOffset : -vShadowNormalOffset);
            if (any(lessThan(s.xy, vec2(0.0))) || any(greaterThan(s.xy, vec2(1.0)))) return 1.0;
            float ref = s.z + uShadowParams.x;
            float h = 0.5 * uShadowParams.z;
            float sum = texture(uShadowMap, vec3(s.x - h, s.y - h, ref)) + texture(uShadowMap, vec3(s.x + h, s.y - h, ref))
                + texture(uShadowMap, vec3(s.x - h, s.y + h, ref)) + texture(uShadowMap, vec3(s.x + h, s.y + h, ref));
            float fade = smoothstep(0.8 * uShadowParams.w, uShadowParams.w, depth);
            return mix(0.25 * sum, 1.0, fade);
        }
        #endif

        \(weatherDeclarations)

        // Share of the light from pCam scattered away by fog on the way to the camera:
        // 1 - exp(-tau), tau the integral of density * exp(-falloff * z) along the ray.
        float fogAmount(vec3 pCam) {
            float d = length(pCam);
            float x = uFog.y * dot(uWorldUpInCamera, pCam);
            float g = abs(x) > 1e-4 ? (1.0 - exp(-x)) / x : 1.0 - 0.5 * x;
            float tau = uFog.x * exp(-uFog.y * uFog.z) * d * g;
            return 1.0 - exp(-tau);
        }

        \(materialFragment)

        void main() {
            vec3 n = normalize(vNormal);
            if (!gl_FrontFacing) n = -n;
            float sun = max(dot(n, uSunDirection), 0.0);
            vec3 ambient = mix(uGroundColor, uSkyColor, 0.5 + 0.5 * n.z);
            vec3 base = baseColor();
        #ifdef EFFECTS
            float z = 1.0 / gl_FragCoord.w;
            vec2 uv = gl_FragCoord.xy - 0.5;  // image (u, v): row 0 is GL window row 0
            vec3 pCam = vec3((uv - uIntrinsics.zw) / uIntrinsics.xy * z, z);
            float sunVisible = 1.0;
        #ifdef SHADOWS
            if (sun > 0.0) sunVisible = sunVisibility(z);
        #endif
            // Weather on the surface (snow, water) wraps the shading: albedo in, light added on.
            SurfaceWeather sw = SurfaceWeather(base, 0.0, 0.0);
        #if defined(WET) || defined(SNOW) || defined(LOCAL_LIGHTS)
            vec3 pRel = mat3(uWorldFromCamera) * pCam;  // world axes, from the camera
            vec3 v = normalize(-pRel);
        #endif
        #if defined(WET) || defined(SNOW)
            sw = surfaceWeather(base, n, pRel + uWorldFromCamera[3].xyz);
        #endif
            vec3 lit = shadeSurface(sw.albedo, n, sun * sunVisible, ambient);
        #ifdef WET
            lit += wetSpecular(sw, n, v, sunVisible);
        #endif
        #ifdef LOCAL_LIGHTS
            lit += localLighting(sw, n, pRel, v, z) + surfaceEmission();
        #endif
        #ifdef FOG
            lit = mix(lit, uFogColor, fogAmount(pCam));
        #endif
            outColor = vec4(lit * uExposure, 1.0);
        #else
            outColor = vec4(shadeSurface(base, n, sun, ambient), 1.0);  // linear; the sRGB target encodes it
        #endif
            outSurfaceID = vSurfaceID;
            outDepth = 1.0 / gl_FragCoord.w;
        }
        """

    /// The sun's shadow map: depth only, from the light's orthographic projection (DrawList records
    /// built with the light's clip-from-world). Reversed depth like the main pass: nearer the sun
    /// is greater.
    static let shadowVertex = """
        #version 450 core
        layout(location = 0) in vec3 aPosition;
        layout(location = 2) in mat4 iClipFromUnit;
        void main() {
            gl_Position = iClipFromUnit * vec4(aPosition, 1.0);
        }
        """

    static let shadowFragment = """
        #version 450 core
        void main() {}
        """

    /// The coverage pass counts what the color/ID pass hid: every thing is drawn again, depth-tested
    /// for fragments *behind* the visible surface (GL_LESS on reversed depth), with no color output.
    /// A fragment at a pixel its own instance already shows is skipped (the labels count those); any
    /// other sets its instance slot's bit at the pixel, and the fragment that sets it first counts
    /// the pixel and widens the slot's box. Atomic OR makes the count exact whatever order fragments
    /// run in, and `invariant gl_Position` makes the pass rasterize exactly the main pass's pixels.
    /// Visible + hidden = the object's unoccluded silhouette, for amodal boxes and visibility.
    static let coverageVertex = """
        #version 450 core
        layout(location = 0) in vec3 aPosition;
        layout(location = 2) in mat4 iClipFromUnit;
        layout(location = 10) in uvec3 iIDs;
        flat out uint vSlot;
        flat out uint vInstance;
        invariant gl_Position;
        void main() {
            gl_Position = iClipFromUnit * vec4(aPosition, 1.0);
            vSlot = iIDs.y;
            vInstance = iIDs.z;
        }
        """

    static let coverageFragment = """
        #version 450 core
        // Depth-test before shading, so fragments in front of the visible surface never run this.
        layout(early_fragment_tests) in;
        layout(r32ui, binding = 0) uniform coherent uimage2DArray uCoverage;
        layout(std430, binding = 1) coherent buffer Stats { uint stats[]; };
        layout(std430, binding = 2) readonly buffer SurfaceInstances { uint surfaceInstance[]; };
        layout(binding = 0) uniform usampler2D uSurfaceIDs;
        flat in uint vSlot;
        flat in uint vInstance;
        void main() {
            uint uSlot = vSlot, uInstance = vInstance;
            ivec2 p = ivec2(gl_FragCoord.xy);
            if (surfaceInstance[texelFetch(uSurfaceIDs, p, 0).r] == uInstance) return;
            uint bit = 1u << (uSlot & 31u);
            uint old = imageAtomicOr(uCoverage, ivec3(p, int(uSlot >> 5u)), bit);
            if ((old & bit) == 0u) {
                uint base = uSlot * 5u;
                atomicAdd(stats[base], 1u);
                // The box settles after a few pixels: a plain read skips most of these atomics
                // (atomics are costly on a CPU rasterizer), and the atomic keeps the result exact.
                if (uint(p.x) < stats[base + 1u]) atomicMin(stats[base + 1u], uint(p.x));
                if (uint(p.y) < stats[base + 2u]) atomicMin(stats[base + 2u], uint(p.y));
                if (uint(p.x) > stats[base + 3u]) atomicMax(stats[base + 3u], uint(p.x));
                if (uint(p.y) > stats[base + 4u]) atomicMax(stats[base + 4u], uint(p.y));
            }
        }
        """
}
