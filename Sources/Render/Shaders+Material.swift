/// GLSL of the physically based surface shading (color output only), spliced into `Shaders.vertex`
/// and `Shaders.fragment`.
///
/// The model is glTF's metallic-roughness one, lit by the sun and the hemisphere ambient:
///
///     color = base (1 - metallic) (1 - F) E_sun n.l                       Lambert
///           + pi D G F / (4 n.l n.v) E_sun n.l                            GGX / Smith / Schlick
///           + base (1 - metallic) (1 - S) ambient                         hemisphere ambient
///           + S ambient(reflected direction)                              small specular ambient
///     F0 = mix(0.04, base, metallic),  S = envBRDF(F0, roughness, 1)
///
/// The (1 - F) and (1 - S) factors are glTF's mix of the diffuse and specular lobes: light the
/// specular lobe reflects is not diffused as well. For a dielectric they take a few percent off the
/// Lambert shading of before, which the specular terms give back.
///
/// S is the specular albedo at normal incidence (about F0 when smooth, F0 / 2 when fully rough),
/// not at the view angle: the split-sum term rises to 9% of the sky at grazing angles for the
/// default roughness, which on dark ground (asphalt at 72/255) doubled its brightness towards the
/// horizon. At normal incidence the specular ambient stays small, as the hemisphere ambient is a
/// crude stand-in for a street's surroundings anyway; metals still reflect it in their own color.
/// The sun's specular keeps its full Fresnel and masking terms.
///
/// The scene's sun color is the Lambert term's radiance factor (a white diffuse surface facing the
/// sun shows `sunColor`), so the sun's irradiance is pi * sunColor and the specular term carries
/// the pi that the diffuse one drops. `base` is the surface color times the base color texture.
/// D: GGX with alpha = roughness² (clamped so a mirror-like surface still shows a finite highlight);
/// G: height-correlated Smith (Heitz 2014); F: Schlick; envBRDF: Karis' analytic fit of the
/// split-sum environment term (Unreal Engine 4 mobile).
///
/// The view direction comes from the pixel and the intrinsics alone (`uIntrinsics`,
/// `uWorldFromCameraLinear`), so meshes need no extra vertex data for it.
extension Shaders {
    /// Vertex shader part: the material attributes of the DrawList record (and the mesh's uv), passed
    /// to the fragment shader by `passMaterial()`.
    static let materialVertex = """
        layout(location = 11) in vec2 iFinish;           // roughness, metallic (DrawList)
        layout(location = 12) in vec2 aUV;               // glTF texture coordinates (MeshCache)
        layout(location = 13) in uint iTexture;          // 1-based texture index, 0: none
        out vec2 vUV;
        flat out vec2 vFinish;
        flat out uint vTexture;
        void passMaterial() {
            vUV = aUV;
            vFinish = iFinish;
            vTexture = iTexture;
        }
        """

    /// Fragment shader part: `shadeSurface(baseColor(), n, sun, ambient)` replaces
    /// `vColor * (ambient + uSunColor * sun)`.
    /// Uses `vColor`, `uSunDirection`, `uSunColor`, `uSkyColor`, `uGroundColor` and `uIntrinsics`,
    /// declared before it.
    static let materialFragment = """
        in vec2 vUV;
        flat in vec2 vFinish;
        flat in uint vTexture;
        uniform mat3 uWorldFromCameraLinear;
        // The batch's base color texture (sRGB, decoded to linear by the sampler); sampled at the
        // mesh's uv as is: its rows are uploaded top first (see TextureCache).
        layout(binding = 2) uniform sampler2D uBaseColorTexture;

        const float kPi = 3.14159265;

        // Unit vector from the fragment towards the camera, in world coordinates.
        vec3 viewDirection() {
            vec2 px = gl_FragCoord.xy - 0.5;  // image (u, v): row 0 is GL window row 0
            return -normalize(uWorldFromCameraLinear * vec3((px - uIntrinsics.zw) / uIntrinsics.xy, 1.0));
        }

        float distributionGGX(float nh, float a) {
            float a2 = a * a;
            float d = nh * nh * (a2 - 1.0) + 1.0;
            return a2 / (kPi * d * d);
        }

        // G / (4 n.l n.v), height-correlated Smith for GGX.
        float visibilitySmithGGX(float nv, float nl, float a) {
            float a2 = a * a;
            float v = nl * sqrt(nv * nv * (1.0 - a2) + a2);
            float l = nv * sqrt(nl * nl * (1.0 - a2) + a2);
            return 0.5 / max(v + l, 1e-6);
        }

        vec3 fresnelSchlick(vec3 f0, float vh) {
            float m = 1.0 - vh;
            float m2 = m * m;
            return f0 + (1.0 - f0) * (m2 * m2 * m);
        }

        vec3 environmentBRDF(vec3 f0, float roughness, float nv) {
            const vec4 c0 = vec4(-1.0, -0.0275, -0.572, 0.022);
            const vec4 c1 = vec4(1.0, 0.0425, 1.04, -0.04);
            vec4 r = roughness * c0 + c1;
            float a004 = min(r.x * r.x, exp2(-9.28 * nv)) * r.x + r.y;
            vec2 ab = vec2(-1.04, 1.04) * a004 + r.zw;
            return f0 * ab.x + ab.y;
        }

        // The surface's base color: its color times its texture, linear.
        vec3 baseColor() {
            return vTexture != 0u ? vColor * texture(uBaseColorTexture, vUV).rgb : vColor;
        }

        // base: the base color (weather may have changed it); n: unit world normal facing the viewer;
        // sun: n.l times the sun's visibility (0 in shadow); ambient: the hemisphere ambient at n.
        // Linear light.
        vec3 shadeSurface(vec3 base, vec3 n, float sun, vec3 ambient) {
            float roughness = clamp(vFinish.x, 0.045, 1.0);
            float metallic = clamp(vFinish.y, 0.0, 1.0);
            vec3 v = viewDirection();
            float nv = max(dot(n, v), 1e-4);
            vec3 f0 = mix(vec3(0.04), base, metallic);
            vec3 diffuse = base * (1.0 - metallic);
            // Ambient: what the specular lobe reflects is not diffused (glTF's (1 - F) mix). The lobe
            // sees the hemisphere in the mirror direction, bent towards the normal as it roughens.
            // Its albedo is taken at normal incidence (see the comment of this extension).
            vec3 specularAlbedo = environmentBRDF(f0, roughness, 1.0);
            float up = mix(reflect(-v, n).z, n.z, roughness * roughness);
            vec3 color = diffuse * (1.0 - specularAlbedo) * ambient
                + specularAlbedo * mix(uGroundColor, uSkyColor, 0.5 + 0.5 * up);
            if (sun > 0.0) {
                vec3 h = normalize(uSunDirection + v);
                float nl = max(dot(n, uSunDirection), 1e-4);
                float a = roughness * roughness;
                vec3 f = fresnelSchlick(f0, max(dot(v, h), 0.0));
                float dv = distributionGGX(max(dot(n, h), 0.0), a) * visibilitySmithGGX(nv, nl, a);
                color += (diffuse * (1.0 - f) + kPi * dv * f) * uSunColor * sun;
            }
            return color;
        }
        """
}
