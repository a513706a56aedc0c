/// GLSL 4.50 sources of the one-pass multi-target renderer.
///
/// Target 0: lit color, SRGB8_ALPHA8: the shader writes linear light and the store encodes it.
/// Target 1: surface id, R32UI — written flat, never blended, filtered or multisampled.
/// Target 2: camera-frame z in metres, R32F. Clip w equals camera z (see
///           `CameraIntrinsics.clipFromCamera`), so z = 1 / gl_FragCoord.w, exact per pixel centre.
enum Shaders {
    static let vertex = """
        #version 450 core
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
        void main() {
            gl_Position = iClipFromUnit * vec4(aPosition, 1.0);
            vNormal = iWorldNormal * aNormal;
            vColor = iColor;
            vSurfaceID = iIDs.x;
        }
        """

    static let fragment = """
        #version 450 core
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

        void main() {
            vec3 n = normalize(vNormal);
            if (!gl_FrontFacing) n = -n;
            float sun = max(dot(n, uSunDirection), 0.0);
            vec3 ambient = mix(uGroundColor, uSkyColor, 0.5 + 0.5 * n.z);
            vec3 lit = vColor * (ambient + uSunColor * sun);
            outColor = vec4(lit, 1.0);  // linear; the sRGB target encodes it
            outSurfaceID = vSurfaceID;
            outDepth = 1.0 / gl_FragCoord.w;
        }
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
