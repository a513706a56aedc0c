// Wavefront MTL material libraries, the part SceneFarm shades with:
//
// - `Kd r g b`: base color, taken as linear RGB in 0...1, like glTF's baseColorFactor. Blender (the
//   usual source of OBJ files) writes its linear base color there. Without Kd: 0.8 grey, or white
//   when `map_Kd` is given (Kd multiplies the texture).
// - `Ns e` (Phong exponent, clamped to 0...1000): roughness = 1 - sqrt(e / 1000), the inverse of
//   what Blender's exporter writes, so Blender materials round-trip. Without Ns: roughness 0.6.
// - `Pr r` and `Pm m` (the PBR extension of MTL): roughness and metallic, 0...1; Pr wins over Ns.
// - `map_Kd [options] file`: the base color texture, PNG or JPEG, relative to the MTL file.
// Other statements (Ka, Ks, d, illum, bump maps...) do not affect SceneFarm's shading and are ignored.

struct MTLParser {
    private let file: String
    /// The library's path as the OBJ names it, for messages and for resolving its textures.
    private let path: String
    private let resolve: (String) throws -> [UInt8]
    private var textures: [String: TextureRef]

    /// Material options that take arguments, and how many (at most: -o, -s and -t take 1 to 3).
    private static let mapOptionArguments: [String: Int] = [
        "-blendu": 1, "-blendv": 1, "-bm": 1, "-boost": 1, "-cc": 1, "-clamp": 1, "-imfchan": 1, "-mm": 2,
        "-o": 3, "-s": 3, "-t": 3, "-texres": 1, "-type": 1,
    ]

    /// Parses the library `bytes` (named `path` in the OBJ with key `file`) into materials by name.
    /// `textures` caches images by path across the OBJ's libraries.
    static func parse(
        _ bytes: [UInt8], path: String, file: String, textures: inout [String: TextureRef],
        resolve: (String) throws -> [UInt8]
    ) throws -> [String: Material] {
        try withoutActuallyEscaping(resolve) { resolve in
            var parser = MTLParser(file: file, path: path, resolve: resolve, textures: textures)
            let materials = try parser.parse(bytes)
            textures = parser.textures
            return materials
        }
    }

    private func fail(_ line: Int, _ message: String) -> AssetImportError {
        AssetImportError(file: file, element: "\(path) line \(line)", message: message)
    }

    private mutating func parse(_ bytes: [UInt8]) throws -> [String: Material] {
        var materials: [String: Material] = [:]
        var current: String?
        var roughnessFromNs: Double?, roughness: Double?, metallic: Double?, color: RGB?
        var texture: TextureRef?
        func finish() {
            guard let name = current else { return }
            materials[name] = Material(
                baseColor: color ?? (texture == nil ? RGB(0.8, 0.8, 0.8) : RGB(1, 1, 1)),
                roughness: roughness ?? roughnessFromNs ?? 0.6, metallic: metallic ?? 0, baseColorTexture: texture,
                name: name)
        }
        try WavefrontText.forEachStatement(bytes) { s in
            if s.keyword == "newmtl" {
                finish()
                guard !s.arguments.isEmpty else { throw fail(s.line, "newmtl needs a material name") }
                current = s.rest
                (roughnessFromNs, roughness, metallic, color, texture) = (nil, nil, nil, nil, nil)
                return
            }
            guard ["Kd", "Ns", "Pr", "Pm", "map_Kd"].contains(s.keyword) else { return }
            guard current != nil else { throw fail(s.line, "\(s.keyword) before any newmtl") }
            switch s.keyword {
            case "Kd":
                let v = try unitNumbers(s, allowed: [1, 3])
                color = v.count == 1 ? RGB(v[0], v[0], v[0]) : RGB(v[0], v[1], v[2])
            case "Ns":
                guard s.arguments.count == 1, let e = WavefrontText.number(s.arguments[0]) else {
                    throw fail(s.line, "Ns needs one number")
                }
                roughnessFromNs = 1 - (min(max(e, 0), 1000) / 1000).squareRoot()
            case "Pr": roughness = try unitNumbers(s, allowed: [1])[0]
            case "Pm": metallic = try unitNumbers(s, allowed: [1])[0]
            default: texture = try mapTexture(s)
            }
        }
        finish()
        return materials
    }

    private func unitNumbers(_ s: WavefrontStatement, allowed counts: [Int]) throws -> [Double] {
        let values = s.arguments.compactMap(WavefrontText.number)
        guard values.count == s.arguments.count, counts.contains(values.count) else {
            throw fail(
                s.line,
                "\(s.keyword) needs \(counts.map(String.init).joined(separator: " or ")) numbers"
                    + (s.keyword == "Kd" ? " (spectral and xyz colors are not supported)" : ""))
        }
        for v in values where !(0...1).contains(v) {
            throw fail(s.line, "\(s.keyword) value \(v) is outside 0...1")
        }
        return values
    }

    private mutating func mapTexture(_ s: WavefrontStatement) throws -> TextureRef {
        var args = s.arguments[...]
        while let option = args.first, option.hasPrefix("-"), let n = Self.mapOptionArguments[String(option)] {
            args = args.dropFirst()
            // -o/-s/-t take up to three numbers; the others exactly n arguments.
            var taken = 0
            while taken < n, let a = args.first, (n == 3 ? WavefrontText.number(a) != nil : true) {
                args = args.dropFirst()
                taken += 1
            }
        }
        guard !args.isEmpty, let name = WavefrontText.relativePath(args.joined(separator: " ")) else {
            throw fail(s.line, "map_Kd needs a relative image file name")
        }
        // Texture paths are relative to the MTL file, which may sit in another folder than the OBJ.
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let relative = directory.isEmpty ? name : "\(directory)/\(name)"
        if let cached = textures[relative] { return cached }
        let bytes: [UInt8]
        do {
            bytes = try resolve(relative)
        } catch {
            throw fail(s.line, "map_Kd: cannot read `\(relative)`: \(error)")
        }
        guard let format = TextureRef.sniff(bytes) else {
            throw fail(s.line, "map_Kd `\(relative)` is not a PNG or JPEG image; SceneFarm reads those two")
        }
        let ref = TextureRef(key: "\(file)#\(relative)", format: format, bytes: bytes)
        textures[relative] = ref
        return ref
    }
}
