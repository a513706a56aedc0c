import SceneCore

/// Vans, trucks and buses: one-box bodies with glass panes standing just proud of the body where
/// the windows are.
enum LargeVehicles {
    static func van() -> LibraryAsset {
        var draft = AssetDraft()
        let W = 2.0, r = 0.36, front = 1.55, rear = -1.70
        let paint = Palette.paint("paint_white", [232, 232, 228])
        let windshieldFoot = Vec2(2.02, 1.16), windshieldTop = Vec2(1.28, 2.24)
        let outline =
            VehicleParts.bottomWithArches(
                fromX: -2.55, toX: 2.52, z: 0.30, wheels: [rear, front], wheelRadius: r, archRadius: r + 0.07)
            + [
                Vec2(2.62, 0.40), Vec2(2.68, 0.62), Vec2(2.64, 0.92), Vec2(2.46, 1.06), windshieldFoot, windshieldTop,
                Vec2(1.05, 2.35), Vec2(-2.58, 2.35), Vec2(-2.66, 2.25), Vec2(-2.66, 0.46), Vec2(-2.60, 0.38),
            ]
        draft.add("body", .sideExtrusion(outline, width: W - 0.04, bevel: 0.07), paint)
        let innerHalf = W / 2 - 0.23 - 0.06
        draft.add(
            "underbody", .box(min: Vec3(-2.2, -innerHalf, 0.28), max: Vec3(2.1, innerHalf, 0.78)), Palette.trim)
        // Windshield along the sloping front, and the cab's side windows.
        let a = windshieldFoot + (windshieldTop - windshieldFoot) * 0.05
        let b = windshieldFoot + (windshieldTop - windshieldFoot) * 0.92
        var glass = VehicleParts.pane(from: a, to: b, proud: 0.012, thickness: 0.05, width: W - 0.22)
        glass.append(.box(min: Vec3(0.80, -W / 2 + 0.005, 1.24), max: Vec3(1.55, W / 2 - 0.005, 1.95), bevel: 0.01))
        draft.add("windows", glass, Palette.glass)
        draft.add(
            "bumper_front", .box(min: Vec3(2.52, -0.96, 0.30), max: Vec3(2.72, 0.96, 0.52), bevel: 0.04), Palette.trim)
        draft.add(
            "bumper_rear", .box(min: Vec3(-2.72, -0.96, 0.32), max: Vec3(-2.56, 0.96, 0.50), bevel: 0.04), Palette.trim)
        draft.add(
            "grille", .box(min: Vec3(2.58, -0.45, 0.62), max: Vec3(2.69, 0.45, 0.88), bevel: 0.02), Palette.trim)
        // The sliding door's seam and the rear doors' split, as dark strips.
        var seams = MeshBuilder.box(min: Vec3(-0.55, -W / 2 + 0.011, 0.45), max: Vec3(-0.52, W / 2 - 0.011, 2.05))
        seams.append(.box(min: Vec3(-2.675, -0.015, 0.50), max: Vec3(-2.64, 0.015, 2.15)))
        draft.add("door_seams", seams, Palette.trim)
        VehicleParts.addLights(
            &draft, front: Vec3(2.62, 0.72, 0.97), frontSize: Vec3(0.1, 0.34, 0.14), rear: Vec3(-2.665, 0.90, 0.95),
            rearSize: Vec3(0.06, 0.14, 0.36))
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            draft.add(
                "mirror_\(side)", .box(min: Vec3(-0.05, -0.06, -0.14), max: Vec3(0.05, 0.06, 0.14), bevel: 0.02),
                Palette.trim, at: Vec3(1.62, s * (W / 2 + 0.07), 1.55))
        }
        VehicleParts.addFourWheels(&draft, frontX: front, rearX: rear, halfWidth: W / 2, radius: r, width: 0.23)
        return LibraryAsset(name: "van", category: .driving, defaultClass: "car", parts: draft.parts)
    }

    /// A box truck: cab forward, cargo box behind, dual rear wheels.
    static func truck() -> LibraryAsset {
        var draft = AssetDraft()
        let r = 0.50, front = 2.90, rear = -2.30, boxW = 2.48, cabW = 2.30
        let cabPaint = Palette.paint("paint_cab_blue", [40, 80, 150])
        let cabOutline =
            VehicleParts.bottomWithArches(
                fromX: 2.0, toX: 3.80, z: 0.62, wheels: [front], wheelRadius: r, archRadius: r + 0.08)
            + [
                Vec2(3.90, 0.70), Vec2(3.96, 1.30), Vec2(3.90, 1.62), Vec2(3.72, 2.72), Vec2(3.50, 2.92),
                Vec2(2.05, 2.95), Vec2(2.00, 2.80),
            ]
        draft.add("cab", .sideExtrusion(cabOutline, width: cabW, bevel: 0.08), cabPaint)
        var glass = VehicleParts.pane(
            from: Vec2(3.888, 1.70), to: Vec2(3.73, 2.62), proud: 0.012, thickness: 0.06, width: cabW - 0.24)
        glass.append(
            .box(min: Vec3(2.95, -cabW / 2 - 0.006, 1.72), max: Vec3(3.55, cabW / 2 + 0.006, 2.55), bevel: 0.01))
        draft.add("windows", glass, Palette.glass)
        draft.add(
            "cargo_box",
            .box(min: Vec3(-3.95, -boxW / 2, 1.10), max: Vec3(1.95, boxW / 2, 3.55), bevel: 0.05),
            Palette.make("box_white", [236, 236, 232], roughness: 0.5))
        var chassis = MeshBuilder.box(min: Vec3(-3.90, -0.50, 0.62), max: Vec3(3.70, 0.50, 1.10))
        // Fuel tank and the rear under-run guard.
        chassis.append(
            .cylinder(radius: 0.28, height: 0.90, segments: 16).transformed(
                .translation(Vec3(0.6, 0.80, 0.85)) * .rotationY(Double.pi / 2)))
        chassis.append(.box(min: Vec3(-3.98, -1.15, 0.45), max: Vec3(-3.88, 1.15, 0.60)))
        draft.add("chassis", chassis, Palette.darkMetal)
        draft.add(
            "bumper_front", .box(min: Vec3(3.80, -1.20, 0.40), max: Vec3(4.02, 1.20, 0.72), bevel: 0.05), Palette.trim)
        draft.add(
            "grille", .box(min: Vec3(3.90, -0.70, 0.85), max: Vec3(3.985, 0.70, 1.45), bevel: 0.03), Palette.trim)
        VehicleParts.addLights(
            &draft, front: Vec3(3.97, 0.90, 0.95), frontSize: Vec3(0.08, 0.30, 0.18), rear: Vec3(-3.95, 1.00, 0.85),
            rearSize: Vec3(0.06, 0.26, 0.14))
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            var mirror = MeshBuilder.box(min: Vec3(-0.04, -0.09, -0.22), max: Vec3(0.04, 0.09, 0.22), bevel: 0.02)
            mirror.append(.tube(from: Vec3(0, -s * 0.2, 0), to: Vec3(0, 0, 0), radius: 0.015, segments: 8))
            draft.add("mirror_\(side)", mirror, Palette.trim, at: Vec3(3.55, s * (cabW / 2 + 0.2), 2.05))
        }
        let tyreW = 0.30
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            VehicleParts.addWheel(
                &draft, suffix: "f\(side)", centre: Vec3(front, s * (cabW / 2 - 0.01 - tyreW / 2), r), radius: r,
                width: tyreW)
            // Dual rear wheels, outer and inner.
            VehicleParts.addWheel(
                &draft, suffix: "r\(side)", centre: Vec3(rear, s * (boxW / 2 - 0.03 - tyreW / 2), r), radius: r,
                width: tyreW)
            VehicleParts.addWheel(
                &draft, suffix: "r\(side)_inner", centre: Vec3(rear, s * (boxW / 2 - 0.06 - 1.5 * tyreW), r), radius: r,
                width: tyreW)
        }
        return LibraryAsset(name: "truck", category: .driving, defaultClass: "truck", parts: draft.parts)
    }

    /// A low-floor city bus: doors on the right (-Y), a window band on both sides.
    static func bus() -> LibraryAsset {
        var draft = AssetDraft()
        let r = 0.50, front = 3.30, rear = -2.60, W = 2.55, L = 12.0
        let paint = Palette.paint("paint_bus_yellow", [232, 180, 30])
        let outline =
            VehicleParts.bottomWithArches(
                fromX: -L / 2 + 0.15, toX: L / 2 - 0.15, z: 0.30, wheels: [rear, front], wheelRadius: r,
                archRadius: r + 0.08)
            + [
                Vec2(L / 2 - 0.02, 0.40), Vec2(L / 2, 2.95), Vec2(L / 2 - 0.12, 3.08), Vec2(-L / 2 + 0.12, 3.08),
                Vec2(-L / 2, 2.95), Vec2(-L / 2, 0.40),
            ]
        draft.add("body", .sideExtrusion(outline, width: W, bevel: 0.12), paint)
        draft.add(
            "underbody", .box(min: Vec3(-3.3, -0.8, 0.26), max: Vec3(4.0, 0.8, 1.05)), Palette.trim)
        // Side window band and windscreen, standing 8 mm proud of the body.
        var glass = MeshBuilder.box(min: Vec3(-5.60, -W / 2 - 0.008, 1.15), max: Vec3(3.90, W / 2 + 0.008, 2.62))
        glass.append(.box(min: Vec3(L / 2 - 0.05, -1.12, 0.95), max: Vec3(L / 2 + 0.012, 1.12, 2.70), bevel: 0.02))
        glass.append(.box(min: Vec3(-L / 2 - 0.012, -1.0, 1.90), max: Vec3(-L / 2 + 0.05, 1.0, 2.65), bevel: 0.02))
        draft.add("windows", glass, Palette.glass)
        var pillars = MeshBuilder()
        for k in 0..<8 {
            let x = -5.60 + 1.1875 * Double(k + 1)
            pillars.append(.box(min: Vec3(x - 0.06, -W / 2 - 0.012, 1.12), max: Vec3(x + 0.06, W / 2 + 0.012, 2.65)))
        }
        draft.add("window_pillars", pillars, paint)
        // Doors on the right side: front and middle, glazed.
        var doors = MeshBuilder.box(min: Vec3(4.00, -W / 2 - 0.014, 0.34), max: Vec3(5.20, -W / 2 + 0.05, 2.66))
        doors.append(.box(min: Vec3(-0.20, -W / 2 - 0.014, 0.34), max: Vec3(1.00, -W / 2 + 0.05, 2.66)))
        draft.add("doors", doors, Palette.make("door_glass", [30, 38, 44], roughness: 0.1))
        draft.add(
            "destination_sign", .box(min: Vec3(L / 2 - 0.04, -0.85, 2.74), max: Vec3(L / 2 + 0.015, 0.85, 2.95)),
            Palette.indicator)
        draft.add(
            "roof_unit", .box(min: Vec3(-1.5, -0.9, 3.0), max: Vec3(1.2, 0.9, 3.28), bevel: 0.06), paint)
        draft.add(
            "bumper_front",
            .box(min: Vec3(L / 2 - 0.10, -1.25, 0.28), max: Vec3(L / 2 + 0.08, 1.25, 0.55), bevel: 0.05),
            Palette.trim)
        draft.add(
            "bumper_rear",
            .box(min: Vec3(-L / 2 - 0.08, -1.25, 0.28), max: Vec3(-L / 2 + 0.10, 1.25, 0.55), bevel: 0.05),
            Palette.trim)
        VehicleParts.addLights(
            &draft, front: Vec3(L / 2 + 0.01, 0.98, 0.72), frontSize: Vec3(0.06, 0.34, 0.16),
            rear: Vec3(-L / 2 - 0.01, 1.06, 1.00), rearSize: Vec3(0.06, 0.18, 0.40))
        VehicleParts.addFourWheels(
            &draft, frontX: front, rearX: rear, halfWidth: W / 2, radius: r, width: 0.30, inset: 0.04)
        return LibraryAsset(name: "bus", category: .driving, defaultClass: "bus", parts: draft.parts)
    }
}
