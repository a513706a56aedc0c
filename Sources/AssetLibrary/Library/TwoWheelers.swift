import SceneCore

/// Motorcycle and bicycle: tube frames between named points of their geometry.
enum TwoWheelers {
    /// A thin band bent around the Y axis over the wheel (a mudguard), from angle `from` to `to`
    /// (radians, 0 = forward, π/2 = up).
    static func fender(radius: Double, width: Double, from: Double, to: Double) -> MeshBuilder {
        let section = [
            Vec2(radius, -width / 2), Vec2(radius + 0.008, -width / 2), Vec2(radius + 0.008, width / 2),
            Vec2(radius, width / 2),
        ]
        // Lathe about Z, then turn Z into -Y so that angle 0 is +X and π/2 is +Z.
        return MeshBuilder.lathe(section, segments: 14, closed: true, sweep: from...to).transformed(
            .rotationX(Double.pi / 2))
    }

    static func motorcycle() -> LibraryAsset {
        var draft = AssetDraft()
        let r = 0.31, front = 0.72, rear = -0.70
        let paint = Palette.paint("paint_red", [170, 24, 28])
        for (suffix, x, width) in [("f", front, 0.12), ("r", rear, 0.16)] {
            VehicleParts.addWheel(
                &draft, suffix: suffix, centre: Vec3(x, 0, r), radius: r, width: width, rimRatio: 0.6, segments: 24)
        }
        let head = Vec3(0.52, 0, 0.92), pivot = Vec3(-0.18, 0, 0.45)
        var frame = MeshBuilder.tube(from: head, to: pivot, radius: 0.025, segments: 10)
        frame.append(.tube(from: head + Vec3(0, 0, -0.06), to: Vec3(0.12, 0, 0.32), radius: 0.022, segments: 10))
        for s in [-1.0, 1.0] {
            frame.append(
                .tube(from: pivot + Vec3(0, s * 0.07, 0), to: Vec3(rear, s * 0.07, r), radius: 0.02, segments: 8))
            frame.append(
                .tube(from: Vec3(-0.35, s * 0.09, 0.78), to: Vec3(-0.80, s * 0.09, 0.80), radius: 0.012, segments: 8))
        }
        draft.add("frame", frame, Palette.darkMetal)
        var fork = MeshBuilder()
        for s in [-1.0, 1.0] {
            fork.append(
                .tube(from: Vec3(0.50, s * 0.085, 1.00), to: Vec3(front, s * 0.085, r), radius: 0.02, segments: 10))
        }
        fork.append(.box(min: Vec3(0.46, -0.11, 0.90), max: Vec3(0.58, 0.11, 0.96), bevel: 0.01))
        draft.add("fork", fork, Palette.chrome)
        draft.add(
            "engine", .box(min: Vec3(-0.20, -0.17, 0.28), max: Vec3(0.30, 0.17, 0.66), bevel: 0.05), Palette.darkMetal)
        draft.add(
            "tank",
            .sideExtrusion(
                [Vec2(-0.06, 0.72), Vec2(0.46, 0.80), Vec2(0.44, 0.96), Vec2(0.20, 1.04), Vec2(-0.04, 0.97)],
                width: 0.30, bevel: 0.08), paint)
        draft.add(
            "seat",
            .sideExtrusion(
                [Vec2(-0.66, 0.80), Vec2(-0.04, 0.80), Vec2(-0.06, 0.90), Vec2(-0.30, 0.89), Vec2(-0.62, 0.93)],
                width: 0.28, bevel: 0.04), Palette.trim)
        draft.add(
            "tail",
            .sideExtrusion(
                [Vec2(-0.88, 0.84), Vec2(-0.55, 0.76), Vec2(-0.55, 0.82), Vec2(-0.86, 0.92)], width: 0.18, bevel: 0.03),
            paint)
        var exhaust = MeshBuilder.tube(
            from: Vec3(0.05, -0.15, 0.35), to: Vec3(-0.30, -0.19, 0.36), radius: 0.03, segments: 10)
        exhaust.append(.tube(from: Vec3(-0.30, -0.19, 0.36), to: Vec3(-0.78, -0.19, 0.50), radius: 0.045, segments: 12))
        draft.add("exhaust", exhaust, Palette.chrome)
        var bar = MeshBuilder.tube(
            from: Vec3(0.45, -0.38, 1.06), to: Vec3(0.45, 0.38, 1.06), radius: 0.013, segments: 8)
        bar.append(.tube(from: Vec3(0.50, 0, 0.98), to: Vec3(0.45, 0, 1.06), radius: 0.018, segments: 8))
        draft.add("handlebar", bar, Palette.chrome)
        var grips = MeshBuilder()
        for s in [-1.0, 1.0] {
            grips.append(
                .tube(from: Vec3(0.45, s * 0.26, 1.06), to: Vec3(0.45, s * 0.39, 1.06), radius: 0.02, segments: 8))
        }
        draft.add("grips", grips, Palette.rubberBlack)
        var fenders = fender(radius: r + 0.03, width: 0.13, from: 0.35, to: 2.0).transformed(
            .translation(Vec3(front, 0, r)))
        fenders.append(
            fender(radius: r + 0.03, width: 0.17, from: 1.4, to: 2.6).transformed(.translation(Vec3(rear, 0, r))))
        draft.add("fenders", fenders, paint)
        draft.add(
            "head_light",
            MeshBuilder.cylinder(radius: 0.085, topRadius: 0.08, height: 0.07, segments: 16)
                .transformed(.translation(Vec3(-0.035, 0, 0)) * .rotationY(Double.pi / 2)), Palette.headLight,
            at: Vec3(0.60, 0, 0.90))
        draft.add(
            "tail_light", .box(min: Vec3(-0.02, -0.06, -0.025), max: Vec3(0.02, 0.06, 0.025), bevel: 0.008),
            Palette.tailLight, at: Vec3(-0.875, 0, 0.87))
        return LibraryAsset(name: "motorcycle", category: .driving, defaultClass: "motorcycle", parts: draft.parts)
    }

    static func bicycle() -> LibraryAsset {
        var draft = AssetDraft()
        let r = 0.34, front = 0.51, rear = -0.51
        let paint = Palette.paint("paint_teal", [20, 130, 130])
        for (suffix, x) in [("f", front), ("r", rear)] {
            draft.add(
                "wheel_\(suffix)",
                MeshBuilder.torus(majorRadius: r - 0.016, minorRadius: 0.016, segments: 32, sides: 8)
                    .transformed(.rotationX(Double.pi / 2)), Palette.tyre, at: Vec3(x, 0, r))
            var rim = MeshBuilder.torus(majorRadius: r - 0.04, minorRadius: 0.01, segments: 32, sides: 6)
                .transformed(.rotationX(Double.pi / 2))
            // Hub and a few spokes.
            rim.append(.tube(from: Vec3(0, -0.05, 0), to: Vec3(0, 0.05, 0), radius: 0.018, segments: 10))
            for k in 0..<12 {
                let a = Double(k) * Double.pi / 6
                let side = k % 2 == 0 ? 0.03 : -0.03
                rim.append(
                    .tube(
                        from: Vec3(0, side, 0), to: Vec3((r - 0.045) * cos(a), 0, (r - 0.045) * sin(a)), radius: 0.0025,
                        segments: 4))
            }
            draft.add("rim_\(suffix)", rim, Palette.rim, at: Vec3(x, 0, r))
        }
        let bb = Vec3(-0.09, 0, 0.27), seatTop = Vec3(-0.245, 0, 0.77)
        let headTop = Vec3(0.40, 0, 0.80), headBottom = Vec3(0.44, 0, 0.65)
        var frame = MeshBuilder.tube(from: bb, to: seatTop, radius: 0.016, segments: 10)
        frame.append(.tube(from: seatTop, to: headTop, radius: 0.016, segments: 10))
        frame.append(.tube(from: bb, to: headBottom, radius: 0.02, segments: 10))
        frame.append(.tube(from: headBottom, to: headTop + Vec3(-0.005, 0, 0.03), radius: 0.02, segments: 10))
        for s in [-1.0, 1.0] {
            frame.append(
                .tube(from: seatTop + Vec3(0, s * 0.01, -0.02), to: Vec3(rear, s * 0.05, r), radius: 0.008, segments: 6)
            )
            frame.append(.tube(from: bb + Vec3(0, s * 0.02, 0), to: Vec3(rear, s * 0.05, r), radius: 0.01, segments: 6))
        }
        draft.add("frame", frame, paint)
        var fork = MeshBuilder()
        for s in [-1.0, 1.0] {
            fork.append(
                .tube(from: headBottom + Vec3(0, s * 0.02, 0), to: Vec3(front, s * 0.05, r), radius: 0.01, segments: 6))
        }
        draft.add("fork", fork, paint)
        var bar = MeshBuilder.tube(from: headTop, to: Vec3(0.36, 0, 0.95), radius: 0.014, segments: 8)
        bar.append(.tube(from: Vec3(0.36, -0.22, 0.95), to: Vec3(0.36, 0.22, 0.95), radius: 0.012, segments: 8))
        bar.append(.tube(from: seatTop, to: seatTop + Vec3(-0.045, 0, 0.15), radius: 0.013, segments: 8))
        draft.add("handlebar", bar, Palette.chrome)
        draft.add(
            "saddle",
            .sideExtrusion(
                [Vec2(-0.40, 0.92), Vec2(-0.13, 0.925), Vec2(-0.20, 0.955), Vec2(-0.38, 0.965)], width: 0.14,
                bevel: 0.01), Palette.trim)
        var crank = MeshBuilder.cylinder(radius: 0.09, height: 0.006, segments: 16)
            .transformed(.translation(bb + Vec3(0, -0.05, 0)) * .rotationX(Double.pi / 2))
        for s in [-1.0, 1.0] {
            let pedal = bb + Vec3(s * 0.15, s * 0.09, -s * 0.07)
            crank.append(.tube(from: bb + Vec3(0, s * 0.06, 0), to: pedal, radius: 0.009, segments: 6))
            crank.append(
                .box(
                    min: pedal + Vec3(-0.045, -0.02 + s * 0.03, -0.01), max: pedal + Vec3(0.045, 0.02 + s * 0.03, 0.01))
            )
        }
        draft.add("crank", crank, Palette.darkMetal)
        draft.add(
            "head_light", .box(min: Vec3(-0.025, -0.02, -0.02), max: Vec3(0.025, 0.02, 0.02), bevel: 0.006),
            Palette.headLight, at: Vec3(0.40, 0, 0.905))
        draft.add(
            "tail_light", .box(min: Vec3(-0.01, -0.02, -0.03), max: Vec3(0.01, 0.02, 0.03), bevel: 0.004),
            Palette.tailLight, at: Vec3(-0.30, 0, 0.86))
        return LibraryAsset(name: "bicycle", category: .driving, defaultClass: "bicycle", parts: draft.parts)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
