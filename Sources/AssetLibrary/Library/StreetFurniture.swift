import SceneCore

/// Cones, barriers, signs, signals, lamps and trees.
enum StreetFurniture {
    static func trafficCone() -> LibraryAsset {
        var draft = AssetDraft()
        let base = 0.035, height = 0.70, r0 = 0.15, r1 = 0.028
        draft.add("base", .box(Vec3(0.38, 0.38, base), bevel: 0.012), Palette.rubberBlack)
        func radius(_ z: Double) -> Double { r0 + (r1 - r0) * (z - base) / (height - base) }
        draft.add(
            "cone",
            .lathe(
                [
                    Vec2(0, base), Vec2(r0, base), Vec2(r1, height - 0.01), Vec2(r1 - 0.01, height),
                    Vec2(0, height),
                ], segments: 24), Palette.coneOrange)
        for (name, z0, z1) in [("band_lower", 0.30, 0.40), ("band_upper", 0.48, 0.55)] {
            draft.add(
                name,
                .lathe(
                    [Vec2(0, z0), Vec2(radius(z0) + 0.002, z0), Vec2(radius(z1) + 0.002, z1), Vec2(0, z1)],
                    segments: 24), Palette.reflectiveWhite)
        }
        return LibraryAsset(name: "traffic_cone", category: .driving, defaultClass: "traffic_cone", parts: draft.parts)
    }

    /// A concrete jersey barrier, 2 m long along X.
    static func barrier() -> LibraryAsset {
        var draft = AssetDraft()
        let section = [
            Vec2(-0.305, 0), Vec2(0.305, 0), Vec2(0.305, 0.075), Vec2(0.18, 0.33), Vec2(0.075, 0.81),
            Vec2(-0.075, 0.81), Vec2(-0.18, 0.33), Vec2(-0.305, 0.075),
        ]
        draft.add("body", .frontExtrusion(section, length: 2.0, bevel: 0.02), Palette.concrete)
        var stripes = MeshBuilder()
        for s in [-1.0, 1.0] {
            // Reflective strips on both sloping faces, just proud of them.
            let a = Vec2(s * 0.18, 0.33), b = Vec2(s * 0.075, 0.81)
            let t0 = a + (b - a) * 0.55, t1 = a + (b - a) * 0.75
            let d = (t1 - t0).normalized
            let n = Vec2(s * d.y, -s * d.x)  // outward
            stripes.append(
                .frontExtrusion([t0 + n * 0.004, t1 + n * 0.004, t1 - n * 0.01, t0 - n * 0.01], length: 1.6))
        }
        draft.add("stripes", stripes, Palette.reflectiveWhite)
        return LibraryAsset(name: "barrier", category: .driving, defaultClass: "barrier", parts: draft.parts)
    }

    /// A stop sign on a post: the plate faces +X.
    static func trafficSign() -> LibraryAsset {
        var draft = AssetDraft()
        let poleRadius = 0.03, centreZ = 2.2
        draft.add("pole", .cylinder(radius: poleRadius, height: 2.6, segments: 12), Palette.galvanized, class: "pole")
        func octagon(_ acrossFlats: Double) -> [Vec2] {
            let r = acrossFlats / 2 / cos(Double.pi / 8)
            return (0..<8).map { k in
                let a = Double.pi / 8 + Double(k) * Double.pi / 4
                return Vec2(r * cos(a), r * sin(a))
            }
        }
        draft.add(
            "sign", .frontExtrusion(octagon(0.75), length: 0.004), Palette.signWhite,
            at: Vec3(poleRadius + 0.004, 0, centreZ),
            class: "traffic_sign")
        draft.add(
            "sign_face", .frontExtrusion(octagon(0.68), length: 0.002), Palette.signRed,
            at: Vec3(poleRadius + 0.007, 0, centreZ), class: "traffic_sign")
        var clamps = MeshBuilder()
        for z in [centreZ - 0.2, centreZ + 0.2] {
            clamps.append(
                .box(min: Vec3(-poleRadius - 0.005, -0.04, z - 0.02), max: Vec3(poleRadius + 0.002, 0.04, z + 0.02)))
        }
        draft.add("clamps", clamps, Palette.galvanized, class: "pole")
        return LibraryAsset(name: "traffic_sign", category: .driving, defaultClass: "traffic_sign", parts: draft.parts)
    }

    /// A pole-mounted signal head facing +X: red over amber over green.
    static func trafficLight() -> LibraryAsset {
        var draft = AssetDraft()
        let poleRadius = 0.06
        var pole = MeshBuilder.cylinder(radius: poleRadius, height: 3.3, segments: 16)
        pole.append(.cylinder(radius: 0.11, topRadius: 0.08, height: 0.12, segments: 16))
        draft.add("pole", pole, Palette.darkMetal, class: "pole")
        let x0 = poleRadius + 0.04, depth = 0.24, bottom = 2.25, height = 0.96
        draft.add(
            "bracket",
            .box(min: Vec3(-poleRadius - 0.01, -0.05, bottom + 0.1), max: Vec3(x0 + 0.01, 0.05, bottom + 0.86)),
            Palette.darkMetal, class: "pole")
        draft.add(
            "housing", .box(min: Vec3(x0, -0.17, bottom), max: Vec3(x0 + depth, 0.17, bottom + height), bevel: 0.02),
            Palette.signalHousing)
        draft.add(
            "backplate", .box(min: Vec3(x0 - 0.012, -0.29, bottom - 0.1), max: Vec3(x0, 0.29, bottom + height + 0.1)),
            Palette.signalHousing)
        let front = x0 + depth
        var visors = MeshBuilder()
        let lenses: [(String, Material)] = [
            ("lens_red", Palette.lensRed), ("lens_amber", Palette.lensAmber), ("lens_green", Palette.lensGreen),
        ]
        for (k, (name, material)) in lenses.enumerated() {
            let z = bottom + height - 0.16 - Double(k) * 0.32
            draft.add(
                name,
                MeshBuilder.cylinder(radius: 0.1, height: 0.016, segments: 20).transformed(.rotationY(Double.pi / 2)),
                material, at: Vec3(front - 0.004, 0, z))
            // A hood over the upper half of each lens, open below.
            let hood = MeshBuilder.lathe(
                [Vec2(0.115, 0), Vec2(0.122, 0), Vec2(0.122, 0.16), Vec2(0.115, 0.16)], segments: 12, closed: true,
                sweep: 0...Double.pi)
            // Lathe axis Z turned to +X; the half-turn then spans +Y over +Z to -Y.
            visors.append(
                hood.transformed(
                    .translation(Vec3(front, 0, z)) * .rotationY(Double.pi / 2) * .rotationZ(Double.pi / 2)))
        }
        draft.add("visors", visors, Palette.signalHousing)
        return LibraryAsset(
            name: "traffic_light", category: .driving, defaultClass: "traffic_light", parts: draft.parts)
    }

    /// An 8 m street lamp whose arm reaches along +Y; the part `lamp` is the lens under the head,
    /// its origin at the lens centre, facing down.
    static func streetLamp() -> LibraryAsset {
        var draft = AssetDraft()
        var pole = MeshBuilder.lathe(
            [Vec2(0, 0), Vec2(0.14, 0), Vec2(0.14, 0.5), Vec2(0.10, 0.55), Vec2(0.065, 7.6), Vec2(0, 7.6)], segments: 16
        )
        pole.append(.tube(from: Vec3(0, 0, 7.45), to: Vec3(0, 1.2, 7.95), radius: 0.045, segments: 10))
        pole.append(.tube(from: Vec3(0, 1.18, 7.95), to: Vec3(0, 1.75, 7.95), radius: 0.045, segments: 10))
        draft.add("pole", pole, Palette.galvanized)
        draft.add(
            "lamp_housing",
            .sideExtrusion(
                [
                    Vec2(-0.15, -0.06), Vec2(0.15, -0.06), Vec2(0.17, 0.0), Vec2(0.12, 0.08), Vec2(-0.12, 0.08),
                    Vec2(-0.17, 0.0),
                ],
                width: 0.62, bevel: 0.03), Palette.darkMetal, at: Vec3(0, 1.95, 7.98))
        draft.add(
            "lamp", .box(min: Vec3(-0.11, -0.24, -0.012), max: Vec3(0.11, 0.24, 0.012), bevel: 0.006), Palette.lampLens,
            at: Vec3(0, 1.95, 7.915))
        return LibraryAsset(name: "street_lamp", category: .driving, defaultClass: "pole", parts: draft.parts)
    }

    /// A broadleaf tree: a flared trunk with two limbs and a crown of overlapping layers.
    static func tree() -> LibraryAsset {
        var draft = AssetDraft()
        var trunk = MeshBuilder.lathe(
            [Vec2(0, 0), Vec2(0.24, 0), Vec2(0.17, 0.25), Vec2(0.14, 1.2), Vec2(0.11, 3.4), Vec2(0, 3.4)], segments: 12)
        trunk.append(.tube(from: Vec3(0, 0, 2.3), to: Vec3(0.7, 0.3, 3.6), radius: 0.07, segments: 8, topRadius: 0.04))
        trunk.append(
            .tube(from: Vec3(0, 0, 2.6), to: Vec3(-0.6, -0.4, 3.7), radius: 0.06, segments: 8, topRadius: 0.035))
        draft.add("trunk", trunk, Palette.bark)
        let layers: [(Vec3, Vec3, Material)] = [
            (Vec3(0.1, 0.0, 3.7), Vec3(1.9, 1.8, 1.15), Palette.leavesDark),
            (Vec3(-0.25, 0.2, 4.7), Vec3(1.55, 1.5, 1.05), Palette.leavesLight),
            (Vec3(0.15, -0.15, 5.6), Vec3(1.0, 1.05, 0.8), Palette.leavesDark),
        ]
        for (k, (centre, radii, material)) in layers.enumerated() {
            draft.add(
                "crown_\(k)",
                MeshBuilder.sphere(radius: 1, segments: 14, rings: 9).transformed(.scale(radii)), material, at: centre)
        }
        return LibraryAsset(name: "tree", category: .driving, defaultClass: "vegetation", parts: draft.parts)
    }

    /// A standing adult, 1.75 m, facing +X, arms at the sides.
    static func pedestrian() -> LibraryAsset {
        var draft = AssetDraft()
        draft.add(
            "head", MeshBuilder.sphere(radius: 1, segments: 16, rings: 10).transformed(.scale(Vec3(0.1, 0.082, 0.116))),
            Palette.skin, at: Vec3(0, 0, 1.634))
        draft.add(
            "hair", MeshBuilder.sphere(radius: 1, segments: 16, rings: 10).transformed(.scale(Vec3(0.1, 0.086, 0.105))),
            Palette.hair, at: Vec3(-0.012, 0, 1.66))
        draft.add("neck", .cylinder(radius: 0.05, height: 0.12, segments: 10), Palette.skin, at: Vec3(0, 0, 1.45))
        draft.add(
            "torso",
            MeshBuilder.capsule(radius: 0.12, length: 0.66, segments: 16, capRings: 4).transformed(
                .scale(Vec3(1, 1.5, 1))),
            Palette.shirt, at: Vec3(0, 0, 0.86))
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            let shoulder = Vec3(0, s * 0.2, 1.40), elbow = Vec3(0.02, s * 0.235, 1.12),
                wrist = Vec3(0.06, s * 0.235, 0.86)
            var arm = MeshBuilder.capsule(
                radius: 0.046, length: (elbow - shoulder).length + 0.09, segments: 10, capRings: 3
            )
            .transformed(.frame(origin: shoulder - (elbow - shoulder).normalized * 0.045, z: elbow - shoulder))
            arm.append(
                MeshBuilder.capsule(radius: 0.04, length: (wrist - elbow).length + 0.08, segments: 10, capRings: 3)
                    .transformed(.frame(origin: elbow - (wrist - elbow).normalized * 0.04, z: wrist - elbow)))
            draft.addPlaced("arm_\(side)", arm, Palette.shirt, origin: shoulder)
            draft.add(
                "hand_\(side)",
                MeshBuilder.sphere(radius: 1, segments: 10, rings: 6).transformed(.scale(Vec3(0.035, 0.025, 0.06))),
                Palette.skin, at: Vec3(0.065, s * 0.235, 0.80))
            let hip = Vec3(0, s * 0.095, 0.93), ankle = Vec3(0, s * 0.10, 0.09)
            draft.addPlaced(
                "leg_\(side)",
                MeshBuilder.capsule(radius: 0.068, length: (hip - ankle).length + 0.1, segments: 12, capRings: 3)
                    .transformed(.frame(origin: ankle - Vec3(0, 0, 0.04), z: hip - ankle)), Palette.trousers,
                origin: hip)
            draft.add(
                "foot_\(side)", .box(min: Vec3(-0.06, -0.05, 0), max: Vec3(0.20, 0.05, 0.08), bevel: 0.025),
                Palette.shoes,
                at: Vec3(-0.03, s * 0.10, 0))
        }
        return LibraryAsset(name: "pedestrian", category: .driving, defaultClass: "person", parts: draft.parts)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
