// The JSON form of a sampled frame that `scenefarm sample` prints (docs/SCENE_FORMAT.md, "The
// sample JSON"): snake_case keys in a fixed order, shapes as `{"type": ..., ...}`, matrices as four
// rows. Written by hand rather than through Codable so that the text is a documented format of its
// own, independent of how FrameSpec travels elsewhere, and the same bytes on every machine and run:
// keys never come from a dictionary, and numbers are printed by Swift's shortest round-trip form.

/// A JSON value printed deterministically.
enum PrintedJSON {
    case null
    case bool(Bool)
    case int(Int)
    case uint(UInt64)
    case number(Double)
    case string(String)
    case array([PrintedJSON])
    /// Members in the order given.
    case object([(String, PrintedJSON)])

    static func vector(_ v: Vec3) -> PrintedJSON { .array([.number(v.x), .number(v.y), .number(v.z)]) }
    static func matrix(_ m: Mat4) -> PrintedJSON { .array(m.rows.map { .array($0.map(PrintedJSON.number)) }) }
    static func optional(_ v: PrintedJSON?) -> PrintedJSON { v ?? .null }

    /// Two-space indented; a list of plain values (a vector, a matrix row) stays on one line.
    func text(indent: String = "") -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .number(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return Self.quoted(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isPlain) { return "[" + items.map { $0.text() }.joined(separator: ", ") + "]" }
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.text(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            let inner = indent + "  "
            let lines = members.map { "\(inner)\(Self.quoted($0.0)): \($0.1.text(indent: inner))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    private var isPlain: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

extension FrameSpec {
    /// The frame as `scenefarm sample` prints it: scene name, seed, frame index, its view and swept
    /// values, then the primary camera, every camera of the rig (each named, the primary first),
    /// lighting, classes, instances and surfaces (docs/SCENE_FORMAT.md). `self` is the primary
    /// camera's view of the frame (`frame(_:seed:)`); the rig's other views are derived from it.
    public func sampleJSON(scene: SceneDescription, seed: UInt64) -> String {
        let cameras = scene.cameraNames.enumerated().map { view, name in
            PrintedJSON.object([("name", .string(name))] + scene.view(view, of: self).camera.jsonMembers)
        }
        let variant = scene.sweepVariant(forFrame: index)
        var sweep: PrintedJSON = .null
        if scene.sweep != nil {
            sweep = .object([
                ("variant", .int(variant.variant)), ("variants", .int(variant.variantCount)),
                ("values", .object(variant.settings.map { ($0.axis.rawValue, $0.jsonValue) })),
            ])
        }
        let document = PrintedJSON.object([
            ("scene", .string(scene.name)), ("seed", .uint(seed)), ("frame", .int(index)),
            ("view", .int(variant.view)), ("sweep", sweep), ("camera", camera.jsonValue),
            ("cameras", .array(cameras)),
            ("lighting", lighting.jsonValue),
            (
                "classes",
                .array(
                    classes.map { c in
                        .object([
                            ("id", .int(c.id)), ("name", .string(c.name)),
                            ("color", .array(c.color.map(PrintedJSON.int))),
                        ])
                    })
            ),
            ("instances", .array(instances.map(\.jsonValue))), ("surfaces", .array(surfaces.map(\.jsonValue))),
        ])
        return document.text() + "\n"
    }
}

extension SweepSetting {
    var jsonValue: PrintedJSON {
        switch self {
        case .weather(let c): return .string(c.rawValue)
        case .timeOfDay(let v), .cameraYawOffsetDeg(let v), .cameraPitchOffsetDeg(let v), .cameraHeightOffset(let v),
            .fogDensity(let v), .rainIntensity(let v), .snowIntensity(let v), .objectYawOffsetDeg(let v),
            .materialRoughness(let v), .materialMetallic(let v):
            return .number(v)
        }
    }
}

extension Camera {
    var jsonValue: PrintedJSON { .object(jsonMembers) }

    var jsonMembers: [(String, PrintedJSON)] {
        let k = intrinsics
        return [
            ("width", .int(k.width)), ("height", .int(k.height)), ("fx", .number(k.fx)), ("fy", .number(k.fy)),
            ("cx", .number(k.cx)), ("cy", .number(k.cy)), ("near", .number(k.near)),
            ("world_from_camera", .matrix(worldFromCamera)),
        ]
    }
}

extension Lighting {
    var jsonValue: PrintedJSON {
        .object(
            [
                ("sun_direction", .vector(sunDirection)), ("sun_color", .vector(sunColor)),
                ("sky_color", .vector(skyColor)),
                ("ground_color", .vector(groundColor)), ("background_color", .vector(backgroundColor)),
                ("exposure", .number(exposure)), ("shadows", .bool(shadows)),
                (
                    "weather",
                    .optional(
                        weather.map { w in
                            .object(
                                [
                                    ("condition", .string(w.condition.rawValue)),
                                    ("cloud_cover", .number(w.cloudCover)),
                                    (
                                        "fog",
                                        .optional(
                                            w.fog.map { f in
                                                .object([
                                                    ("density", .number(f.density)),
                                                    ("height_falloff", .number(f.heightFalloff)),
                                                    ("color", .vector(f.color)),
                                                ])
                                            })
                                    ),
                                ] + w.surfaceJSON)
                        })
                ),
            ] + (lights.isEmpty ? [] : [("lights", .array(lights.map(\.jsonValue)))]))
    }
}

extension WeatherState {
    /// Rain or snow and what it leaves on surfaces, only where the condition has them (frames of
    /// the other conditions print as they did before).
    var surfaceJSON: [(String, PrintedJSON)] {
        var out: [(String, PrintedJSON)] = []
        if let p = precipitation {
            out.append(
                (
                    "precipitation",
                    .object([
                        ("kind", .string(p.kind.rawValue)), ("intensity", .number(p.intensity)),
                        ("particle_seed", .int(Int(p.particleSeed))),
                    ])
                ))
        }
        if let wetness { out.append(("wetness", .number(wetness))) }
        if let puddles { out.append(("puddles", .number(puddles))) }
        if let snowCover { out.append(("snow_cover", .number(snowCover))) }
        return out
    }
}

extension LocalLight {
    var jsonValue: PrintedJSON {
        var fields: [(String, PrintedJSON)] = [
            ("type", .string(kind.rawValue)), ("position", .vector(position)),
        ]
        if kind == .spot {
            fields += [
                ("direction", .vector(direction)), ("inner_cone_deg", .number(innerConeDeg)),
                ("outer_cone_deg", .number(outerConeDeg)),
            ]
        }
        fields += [
            ("color", .vector(color)), ("intensity", .number(intensity)), ("range", .number(range)),
            ("size", .number(size)),
        ]
        // The surface (index in `surfaces`) that glows as this light, for lamps that have one.
        if let emitter { fields.append(("emitter", .int(emitter))) }
        return .object(fields)
    }
}

extension InstanceSpec {
    var jsonValue: PrintedJSON {
        .object([
            ("instance_id", .int(instanceID)), ("class_id", .int(classID)), ("name", .string(name)),
            ("world_from_object", .matrix(worldFromObject)), ("box_min", .vector(boxMin)), ("box_max", .vector(boxMax)),
        ])
    }
}

extension Surface {
    var jsonValue: PrintedJSON {
        let shapeValue: PrintedJSON
        switch shape {
        case .box(let size): shapeValue = .object([("type", .string("box")), ("size", .vector(size))])
        case .cylinder(let r, let h):
            shapeValue = .object([("type", .string("cylinder")), ("radius", .number(r)), ("height", .number(h))])
        case .sphere(let r): shapeValue = .object([("type", .string("sphere")), ("radius", .number(r))])
        case .plane(let x, let y):
            shapeValue = .object([("type", .string("plane")), ("size", .array([.number(x), .number(y)]))])
        case .mesh(let m, let scale):
            shapeValue = .object([("type", .string("mesh")), ("mesh", .string(m.key)), ("scale", .vector(scale))])
        }
        return .object([
            ("name", .string(name)), ("class_id", .int(classID)), ("instance_id", .int(instanceID)),
            ("shape", shapeValue),
            ("world_from_object", .matrix(worldFromObject)), ("color", .vector(color)),
            (
                "finish",
                .object([
                    ("roughness", .number(finish.roughness)), ("metallic", .number(finish.metallic)),
                    ("texture", .optional(finish.texture.map { .string($0.key) })),
                ])
            ),
        ])
    }
}
