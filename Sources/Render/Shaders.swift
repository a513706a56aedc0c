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
        uniform mat4 uClipFromObject;
        uniform mat3 uWorldNormalFromObject;
        out vec3 vNormal;
        void main() {
            gl_Position = uClipFromObject * vec4(aPosition, 1.0);
            vNormal = uWorldNormalFromObject * aNormal;
        }
        """

    static let fragment = """
        #version 450 core
        in vec3 vNormal;
        layout(location = 0) out vec4 outColor;
        layout(location = 1) out uint outSurfaceID;
        layout(location = 2) out float outDepth;
        uniform vec3 uBaseColor;
        uniform uint uSurfaceID;
        uniform vec3 uSunDirection;
        uniform vec3 uSunColor;
        uniform vec3 uSkyColor;
        uniform vec3 uGroundColor;

        void main() {
            vec3 n = normalize(vNormal);
            if (!gl_FrontFacing) n = -n;
            float sun = max(dot(n, uSunDirection), 0.0);
            vec3 ambient = mix(uGroundColor, uSkyColor, 0.5 + 0.5 * n.z);
            vec3 lit = uBaseColor * (ambient + uSunColor * sun);
            outColor = vec4(lit, 1.0);  // linear; the sRGB target encodes it
            outSurfaceID = uSurfaceID;
            outDepth = 1.0 / gl_FragCoord.w;
        }
        """
}
