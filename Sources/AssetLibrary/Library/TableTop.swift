import SceneCore

/// Objects for picking: a can, a bottle, a mug and hand tools. Tools lie on their side, as they
/// rest on a table; cans, bottles and mugs stand upright.
enum TableTop {
    /// A 330 ml drinks can: a painted body with a domed base, and an aluminium lid.
    static func can() -> LibraryAsset {
        var draft = AssetDraft()
        draft.add(
            "body",
            .lathe(
                [
                    Vec2(0, 0.010), Vec2(0.020, 0.003), Vec2(0.025, 0), Vec2(0.029, 0.002), Vec2(0.033, 0.012),
                    Vec2(0.033, 0.100), Vec2(0.0275, 0.110), Vec2(0, 0.110),
                ], segments: 32), Palette.canPaint)
        draft.add(
            "lid",
            .lathe(
                [
                    Vec2(0, 0.1085), Vec2(0.0272, 0.1085), Vec2(0.0276, 0.1155), Vec2(0.0256, 0.1155),
                    Vec2(0.0250, 0.1120), Vec2(0, 0.1120),
                ], segments: 32), Palette.aluminium)
        return LibraryAsset(name: "can", category: .robotics, defaultClass: "can", parts: draft.parts)
    }

    /// A 0.5 l plastic bottle with a cap and a label band.
    static func bottle() -> LibraryAsset {
        var draft = AssetDraft()
        draft.add(
            "body",
            .lathe(
                [
                    Vec2(0, 0.004), Vec2(0.026, 0), Vec2(0.031, 0.003), Vec2(0.0325, 0.012), Vec2(0.0325, 0.120),
                    Vec2(0.031, 0.132), Vec2(0.026, 0.150), Vec2(0.019, 0.170), Vec2(0.0145, 0.183),
                    Vec2(0.0135, 0.190),
                    Vec2(0.0135, 0.197), Vec2(0, 0.197),
                ], segments: 28), Palette.bottlePlastic)
        draft.add(
            "cap",
            .lathe(
                [Vec2(0, 0.192), Vec2(0.0158, 0.192), Vec2(0.0158, 0.2115), Vec2(0.0148, 0.213), Vec2(0, 0.213)],
                segments: 20),
            Palette.bottleCap)
        draft.add("label", .cylinder(radius: 0.0332, height: 0.065, segments: 28), Palette.label, at: Vec3(0, 0, 0.045))
        return LibraryAsset(name: "bottle", category: .robotics, defaultClass: "bottle", parts: draft.parts)
    }

    /// A ceramic mug, 8.2 cm across, 9.5 cm tall, handle towards +X.
    static func mug() -> LibraryAsset {
        var draft = AssetDraft()
        let r = 0.041, h = 0.095, wall = 0.004
        draft.add(
            "body",
            .lathe(
                [
                    Vec2(0, 0), Vec2(r - 0.003, 0), Vec2(r, 0.004), Vec2(r, h - 0.001), Vec2(r - 0.001, h),
                    Vec2(r - wall + 0.001, h), Vec2(r - wall, h - 0.001), Vec2(r - wall, 0.008), Vec2(0, 0.008),
                ], segments: 32), Palette.ceramic)
        // A part-torus in the XZ plane whose ends sink into the wall.
        draft.add(
            "handle",
            MeshBuilder.torus(majorRadius: 0.027, minorRadius: 0.0065, segments: 16, sides: 10, sweep: (-1.75)...1.75)
                .transformed(.rotationX(Double.pi / 2)), Palette.ceramic, at: Vec3(r + 0.004, 0, 0.05))
        return LibraryAsset(name: "mug", category: .robotics, defaultClass: "mug", parts: draft.parts)
    }

    /// A flat-blade screwdriver, 21 cm, lying along X with the blade towards +X.
    static func screwdriver() -> LibraryAsset {
        var draft = AssetDraft()
        // A fluted grip: a lobed outline extruded along X.
        let lobes = (0..<36).map { k -> Vec2 in
            let a = Double(k) * Double.pi / 18
            let rr = 0.0135 + 0.0012 * cos(6 * a)
            return Vec2(rr * cos(a), rr * sin(a))
        }
        draft.add(
            "handle", .frontExtrusion(lobes, length: 0.10, bevel: 0.004, crease: 50 * Double.pi / 180),
            Palette.handleRed, at: Vec3(-0.055, 0, 0))
        var shaft = MeshBuilder.cylinder(radius: 0.0032, height: 0.10, segments: 12).transformed(
            .rotationY(Double.pi / 2))
        shaft.append(
            MeshBuilder.cylinder(radius: 0.0032, topRadius: 0.0012, height: 0.012, segments: 12)
                .transformed(.translation(Vec3(0.10, 0, 0)) * .rotationY(Double.pi / 2) * .scale(Vec3(1, 1.6, 1))))
        draft.add("shaft", shaft, Palette.steel, at: Vec3(-0.005, 0, 0))
        return LibraryAsset(name: "screwdriver", category: .robotics, defaultClass: "tool", parts: draft.parts)
    }

    /// A 13 mm combination spanner, 17 cm, lying flat: ring end at +X, open end at -X.
    static func wrench() -> LibraryAsset {
        var body = MeshBuilder.planExtrusion(
            Profile.roundedRect(size: Vec2(0.12, 0.016), radius: 0.006, cornerSegments: 3), height: 0.005, bevel: 0.001
        ).transformed(.translation(Vec3(0, 0, 0.0015)))
        body.append(
            MeshBuilder.lathe(
                [Vec2(0.0085, 0), Vec2(0.0155, 0), Vec2(0.0155, 0.008), Vec2(0.0085, 0.008)], segments: 24, closed: true
            ).transformed(.translation(Vec3(0.072, 0, 0))))
        // The open end: a disc with a slot 13 mm wide cut in from -X past its centre.
        let R = 0.018, w = 0.0135
        let alpha = asin(w / 2 / R)
        var jaw = Profile.arc(
            centre: Vec2(0, 0), radius: R, from: Double.pi + alpha, to: 3 * Double.pi - alpha, segments: 20)
        jaw += [Vec2(0.002, w / 2), Vec2(0.002, -w / 2)]
        body.append(
            MeshBuilder.planExtrusion(jaw, height: 0.007, bevel: 0.0008).transformed(.translation(Vec3(-0.078, 0, 0))))
        var draft = AssetDraft()
        draft.add("body", body, Palette.steel)
        return LibraryAsset(name: "wrench", category: .robotics, defaultClass: "tool", parts: draft.parts)
    }

    /// A claw hammer, 32 cm, lying on its side: handle along X, head across Y, claw curling back.
    static func hammer() -> LibraryAsset {
        var draft = AssetDraft()
        let thickness = 0.026
        let head: [Vec2] = [
            Vec2(-0.016, -0.078), Vec2(0.016, -0.078), Vec2(0.017, -0.046), Vec2(0.011, -0.036), Vec2(0.018, -0.022),
            Vec2(0.018, 0.024), Vec2(0.010, 0.052), Vec2(-0.004, 0.080), Vec2(-0.024, 0.102), Vec2(-0.030, 0.098),
            Vec2(-0.014, 0.072), Vec2(-0.009, 0.045), Vec2(-0.018, 0.024), Vec2(-0.018, -0.022), Vec2(-0.011, -0.036),
            Vec2(-0.017, -0.046),
        ]
        draft.add("head", .planExtrusion(head, height: thickness, bevel: 0.002), Palette.steel)
        let ellipse = (0..<20).map { k -> Vec2 in
            let a = Double(k) * Double.pi / 10
            return Vec2(0.016 * cos(a), 0.011 * sin(a))
        }
        draft.add(
            "handle", .frontExtrusion(ellipse, length: 0.31, bevel: 0.004), Palette.hickory,
            at: Vec3(-0.145, 0, thickness / 2))
        draft.add(
            "grip", .frontExtrusion(ellipse.map { $0 * 1.12 }, length: 0.11, bevel: 0.005), Palette.rubberBlack,
            at: Vec3(-0.245, 0, thickness / 2))
        return LibraryAsset(name: "hammer", category: .robotics, defaultClass: "tool", parts: draft.parts)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
