import SceneCore

/// Passenger cars: a lower body extruded from its side outline (with wheel arches), a glass
/// greenhouse on top of it, a roof panel, bumpers, lights, mirrors and four wheels.
enum Cars {
    /// A car's proportions. Outlines are side views, x forward, z up, in metres.
    struct Design {
        var name: String
        var paint: Material
        var width: Double
        var wheelRadius: Double
        var wheelWidth: Double
        var frontAxle: Double
        var rearAxle: Double
        var sillHeight: Double
        /// The body outline above the sill from the front bumper's foot over the top to the rear
        /// bumper's foot (counter-clockwise continuation of the bottom edge).
        var upper: [Vec2]
        /// The glass outline (counter-clockwise).
        var greenhouse: [Vec2]
        var greenhouseWidth: Double
        /// Roof panel: x range and top height.
        var roof: (from: Double, to: Double, top: Double)
        var bumperHeight: ClosedRange<Double>
        var headLight: Vec3
        var tailLight: Vec3
        var mirror: Vec3
    }

    static func build(_ d: Design, defaultClass: String) -> LibraryAsset {
        var draft = AssetDraft()
        let W = d.width, halfW = W / 2
        let front = d.upper.first?.x ?? 0, rear = d.upper.last?.x ?? 0
        let archRadius = d.wheelRadius + 0.06
        let outline =
            VehicleParts.bottomWithArches(
                fromX: rear + 0.12, toX: front - 0.12, z: d.sillHeight, wheels: [d.rearAxle, d.frontAxle],
                wheelRadius: d.wheelRadius, archRadius: archRadius) + d.upper
        draft.add("body", .sideExtrusion(outline, width: W - 0.04, bevel: 0.06), d.paint)
        // The wheel wells: a dark block between the wheels, seen through the arches.
        let innerHalf = halfW - d.wheelWidth - 0.06
        draft.add(
            "underbody",
            .box(
                min: Vec3(d.rearAxle - archRadius, -innerHalf, d.sillHeight - 0.02),
                max: Vec3(d.frontAxle + archRadius, innerHalf, d.wheelRadius + archRadius - 0.02)), Palette.trim)
        draft.add(
            "cabin", .sideExtrusion(d.greenhouse, width: d.greenhouseWidth, bevel: 0.05), Palette.glass)
        draft.add(
            "roof",
            .box(
                min: Vec3(d.roof.from, -d.greenhouseWidth / 2 + 0.03, d.roof.top - 0.1),
                max: Vec3(d.roof.to, d.greenhouseWidth / 2 - 0.03, d.roof.top), bevel: 0.035), d.paint)
        // B pillars: paint across the side glass halfway along the roof.
        let bx = (d.roof.from + d.roof.to) / 2
        let glassBottom = d.greenhouse.map(\.y).min() ?? 0
        draft.add(
            "pillars",
            .box(
                min: Vec3(bx - 0.05, -d.greenhouseWidth / 2 - 0.005, glassBottom),
                max: Vec3(bx + 0.05, d.greenhouseWidth / 2 + 0.005, d.roof.top - 0.05)), d.paint)
        for (name, x0, x1) in [("bumper_front", front - 0.16, front + 0.04), ("bumper_rear", rear - 0.04, rear + 0.16)]
        {
            draft.add(
                name,
                .box(
                    min: Vec3(x0, -halfW + 0.03, d.bumperHeight.lowerBound),
                    max: Vec3(x1, halfW - 0.03, d.bumperHeight.upperBound), bevel: 0.04), Palette.trim)
        }
        draft.add(
            "grille",
            .box(
                min: Vec3(front - 0.08, -0.36, d.bumperHeight.upperBound + 0.01),
                max: Vec3(front + 0.015, 0.36, d.bumperHeight.upperBound + 0.15), bevel: 0.015), Palette.trim)
        VehicleParts.addLights(
            &draft, front: d.headLight, frontSize: Vec3(0.1, 0.3, 0.1), rear: d.tailLight,
            rearSize: Vec3(0.08, 0.3, 0.12))
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            draft.add(
                "mirror_\(side)", .box(min: Vec3(-0.07, -0.08, -0.05), max: Vec3(0.07, 0.08, 0.05), bevel: 0.02),
                d.paint,
                at: Vec3(d.mirror.x, s * d.mirror.y, d.mirror.z))
        }
        VehicleParts.addFourWheels(
            &draft, frontX: d.frontAxle, rearX: d.rearAxle, halfWidth: halfW, radius: d.wheelRadius, width: d.wheelWidth
        )
        return LibraryAsset(name: d.name, category: .driving, defaultClass: defaultClass, parts: draft.parts)
    }

    static func sedan() -> LibraryAsset {
        build(
            Design(
                name: "sedan", paint: Palette.paint("paint_silver_blue", [120, 140, 165]), width: 1.82,
                wheelRadius: 0.32, wheelWidth: 0.22, frontAxle: 1.40, rearAxle: -1.40, sillHeight: 0.22,
                upper: [
                    Vec2(2.33, 0.32), Vec2(2.37, 0.50), Vec2(2.33, 0.64), Vec2(2.22, 0.74), Vec2(1.80, 0.81),
                    Vec2(0.95, 0.90), Vec2(-1.30, 0.93), Vec2(-1.60, 0.95), Vec2(-2.20, 0.95), Vec2(-2.33, 0.88),
                    Vec2(-2.37, 0.66), Vec2(-2.33, 0.32),
                ],
                greenhouse: [
                    Vec2(-1.66, 0.86), Vec2(0.98, 0.86), Vec2(0.08, 1.37), Vec2(-0.92, 1.39),
                    Vec2(-1.58, 0.96),
                ], greenhouseWidth: 1.56, roof: (-0.95, 0.12, 1.45), bumperHeight: 0.26...0.42,
                headLight: Vec3(2.27, 0.60, 0.66), tailLight: Vec3(-2.34, 0.62, 0.82), mirror: Vec3(0.80, 0.92, 0.97)),
            defaultClass: "car")
    }

    static func suv() -> LibraryAsset {
        build(
            Design(
                name: "suv", paint: Palette.paint("paint_dark_grey", [62, 66, 72]), width: 1.92, wheelRadius: 0.37,
                wheelWidth: 0.25, frontAxle: 1.42, rearAxle: -1.43, sillHeight: 0.33,
                upper: [
                    Vec2(2.30, 0.42), Vec2(2.38, 0.62), Vec2(2.36, 0.86), Vec2(2.24, 0.99), Vec2(1.60, 1.07),
                    Vec2(0.95, 1.10), Vec2(-2.24, 1.12), Vec2(-2.36, 1.04), Vec2(-2.39, 0.56), Vec2(-2.30, 0.42),
                ],
                greenhouse: [
                    Vec2(-2.33, 1.04), Vec2(0.98, 1.04), Vec2(0.22, 1.62), Vec2(-2.10, 1.64),
                    Vec2(-2.30, 1.30),
                ], greenhouseWidth: 1.70, roof: (-2.17, 0.28, 1.74), bumperHeight: 0.36...0.56,
                headLight: Vec3(2.30, 0.66, 0.90), tailLight: Vec3(-2.37, 0.72, 0.98), mirror: Vec3(0.82, 0.98, 1.16)),
            defaultClass: "car")
    }
}
