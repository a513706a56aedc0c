import SceneCore

/// A six-axis collaborative arm (UR5-like reach, 0.85 m) in a ready pose: upper arm raised 60°,
/// forearm reaching forward (+X) and slightly down, parallel gripper pointing at the floor.
enum RobotArm {
    /// A joint housing: a cylinder around the Y axis centred at `centre`.
    static func joint(_ centre: Vec3, radius: Double, length: Double) -> MeshBuilder {
        MeshBuilder.cylinder(radius: radius, height: length, segments: 20)
            .transformed(.translation(centre + Vec3(0, -length / 2, 0)) * .rotationX(-Double.pi / 2))
    }

    static func robotArm() -> LibraryAsset {
        var draft = AssetDraft()
        let shoulder = Vec3(0, 0, 0.163)
        let upper = 60 * Double.pi / 180, fore = -20 * Double.pi / 180
        let elbow = shoulder + Vec3(cos(upper), 0, sin(upper)) * 0.425
        let wrist = elbow + Vec3(cos(fore), 0, sin(fore)) * 0.392
        draft.add(
            "base",
            .lathe(
                [Vec2(0, 0), Vec2(0.095, 0), Vec2(0.095, 0.012), Vec2(0.075, 0.02), Vec2(0.075, 0.10), Vec2(0, 0.10)],
                segments: 24), Palette.robotDark)
        var shoulderHousing = MeshBuilder.cylinder(radius: 0.064, height: 0.07, segments: 20)
            .transformed(.translation(Vec3(0, 0, 0.095)))
        shoulderHousing.append(joint(shoulder, radius: 0.064, length: 0.15))
        draft.addPlaced("shoulder", shoulderHousing, Palette.robotBlue, origin: shoulder)
        draft.addPlaced(
            "upper_arm", .tube(from: shoulder, to: elbow, radius: 0.05, segments: 16), Palette.robotWhite,
            origin: shoulder)
        draft.addPlaced("elbow", joint(elbow, radius: 0.056, length: 0.13), Palette.robotBlue, origin: elbow)
        draft.addPlaced(
            "forearm", .tube(from: elbow, to: wrist, radius: 0.04, segments: 16, topRadius: 0.035), Palette.robotWhite,
            origin: elbow)
        // Three wrist joints: around Y at the end of the forearm, then down, then around Z.
        var wristHousing = joint(wrist, radius: 0.045, length: 0.11)
        let down = wrist + Vec3(0.05, 0, 0)
        wristHousing.append(
            .cylinder(radius: 0.045, height: 0.10, segments: 20).transformed(.translation(down + Vec3(0, 0, -0.10))))
        wristHousing.append(
            .cylinder(radius: 0.04, height: 0.05, segments: 20).transformed(.translation(down + Vec3(0, 0, -0.15))))
        draft.addPlaced("wrist", wristHousing, Palette.robotBlue, origin: wrist)
        let flange = down + Vec3(0, 0, -0.15)
        draft.addPlaced(
            "gripper",
            .box(min: flange + Vec3(-0.035, -0.06, -0.05), max: flange + Vec3(0.035, 0.06, 0), bevel: 0.006),
            Palette.robotDark,
            origin: flange)
        for (side, s) in [("l", 1.0), ("r", -1.0)] {
            let finger = flange + Vec3(0, s * 0.03, -0.05)
            draft.add(
                "finger_\(side)", .box(min: Vec3(-0.012, -0.007, -0.07), max: Vec3(0.012, 0.007, 0), bevel: 0.002),
                Palette.robotDark, at: finger)
        }
        return LibraryAsset(name: "robot_arm", category: .robotics, defaultClass: "robot", parts: draft.parts)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
