import SceneCore

/// Pieces every road vehicle shares: wheels, lights, side outlines with wheel arches.
enum VehicleParts {
    /// A tyre around the Y axis, centred at the origin: a lathe of a rounded cross-section.
    static func tyre(radius: Double, width: Double, rimRadius: Double, segments: Int = 24) -> MeshBuilder {
        let section = Profile.roundedRect(
            centre: Vec2((radius + rimRadius) / 2, 0), size: Vec2(radius - rimRadius, width),
            radius: min(0.3 * width, 0.4 * (radius - rimRadius)), cornerSegments: 3)
        return MeshBuilder.lathe(section, segments: segments, closed: true).transformed(.rotationX(-Double.pi / 2))
    }

    /// The wheel's rim filling the tyre: a disc with a raised hub on both faces, around the Y axis.
    static func rim(radius: Double, width: Double, segments: Int = 24) -> MeshBuilder {
        let h = width / 2, hub = 0.3 * radius
        let profile = [
            Vec2(0, -h - 0.012), Vec2(hub, -h - 0.012), Vec2(hub * 1.2, -h), Vec2(radius, -h),
            Vec2(radius, h), Vec2(hub * 1.2, h), Vec2(hub, h + 0.012), Vec2(0, h + 0.012),
        ]
        return MeshBuilder.lathe(profile, segments: segments).transformed(.rotationX(-Double.pi / 2))
    }

    /// Adds a wheel (tyre part `wheel_SUFFIX`, rim part `rim_SUFFIX`) centred at `centre`.
    static func addWheel(
        _ draft: inout AssetDraft, suffix: String, centre: Vec3, radius: Double, width: Double,
        rimRatio: Double = 0.62, segments: Int = 24
    ) {
        let rimRadius = rimRatio * radius
        draft.add(
            "wheel_\(suffix)", tyre(radius: radius, width: width, rimRadius: rimRadius, segments: segments),
            Palette.tyre, at: centre)
        draft.add(
            "rim_\(suffix)", rim(radius: rimRadius, width: 0.8 * width, segments: segments), Palette.rim, at: centre)
    }

    /// The four wheels of a two-axle vehicle, outer faces `inset` inside ±halfWidth.
    static func addFourWheels(
        _ draft: inout AssetDraft, frontX: Double, rearX: Double, halfWidth: Double, radius: Double, width: Double,
        inset: Double = 0.01
    ) {
        let y = halfWidth - inset - width / 2
        for (axle, x) in [("f", frontX), ("r", rearX)] {
            for (side, s) in [("l", 1.0), ("r", -1.0)] {
                addWheel(&draft, suffix: "\(axle)\(side)", centre: Vec3(x, s * y, radius), radius: radius, width: width)
            }
        }
    }

    /// Head lights facing +X and tail lights facing -X, as left/right pairs centred at (x, ±y, z).
    static func addLights(
        _ draft: inout AssetDraft, front: Vec3, frontSize: Vec3, rear: Vec3, rearSize: Vec3
    ) {
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            let bevelF = 0.2 * min(frontSize.x, frontSize.y, frontSize.z)
            draft.add(
                "head_light_\(side)",
                .box(min: frontSize * -0.5, max: frontSize * 0.5, bevel: bevelF), Palette.headLight,
                at: Vec3(front.x, s * front.y, front.z))
            let bevelR = 0.2 * min(rearSize.x, rearSize.y, rearSize.z)
            draft.add(
                "tail_light_\(side)", .box(min: rearSize * -0.5, max: rearSize * 0.5, bevel: bevelR),
                Palette.tailLight, at: Vec3(rear.x, s * rear.y, rear.z))
        }
    }

    /// The underside of a side outline, from the rear (`fromX`) to the front (`toX`) at height `z`,
    /// notched by a wheel arch of radius `archRadius` around each wheel centre (x, wheel radius). The
    /// arch meets the underside where its circle crosses it, so the outline has no short steps
    /// (which a bevel would fold over).
    static func bottomWithArches(
        fromX: Double, toX: Double, z: Double, wheels: [Double], wheelRadius: Double, archRadius: Double
    )
        -> [Vec2]
    {
        var out = [Vec2(fromX, z)]
        let beta = asin(max(-1, min(1, (wheelRadius - z) / archRadius)))
        for x in wheels.sorted() {
            // From the rear foot of the arch over the top to its front foot.
            out += Profile.arc(
                centre: Vec2(x, wheelRadius), radius: archRadius, from: .pi + beta, to: -beta, segments: 12)
        }
        out.append(Vec2(toX, z))
        return out
    }

    /// A thin pane along the segment from `a` to `b` in side view (x, z), standing `proud` outside
    /// the body surface it lies on (its outward side is to the right of a → b), `thickness` deep.
    static func pane(from a: Vec2, to b: Vec2, proud: Double, thickness: Double, width: Double) -> MeshBuilder {
        let d = (b - a).normalized
        let n = Vec2(d.y, -d.x)
        let outline = [a + n * proud, b + n * proud, b - n * thickness, a - n * thickness]
        return .sideExtrusion(outline, width: width, bevel: min(0.01, thickness / 3))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
