import SceneCore

/// City blocks: solid walls with windows as dark glass panels standing just proud of the façade,
/// sills under them, a door, and a roof.
enum Buildings {
    /// One of the four façades of a box building of plan size `plan`, centred on the origin.
    struct Facade {
        /// +1/-1: which side; `alongX`: the façade faces ±Y (runs along X) rather than ±X.
        var sign: Double
        var alongX: Bool

        static let all = [
            Facade(sign: 1, alongX: false), Facade(sign: -1, alongX: false), Facade(sign: 1, alongX: true),
            Facade(sign: -1, alongX: true),
        ]

        func width(_ plan: Vec2) -> Double { alongX ? plan.x : plan.y }

        /// A box on the façade: `u` across it (centre), z from `z0` to `z1`, reaching `out` in front
        /// of the wall and `into` behind it.
        func box(
            _ plan: Vec2, u: Double, width: Double, z0: Double, z1: Double, out: Double, into: Double = 0.02
        )
            -> MeshBuilder
        {
            let face = (alongX ? plan.y : plan.x) / 2
            let near = face - into, far = face + out
            let a = sign > 0 ? near : -far, b = sign > 0 ? far : -near
            if alongX {
                return .box(min: Vec3(u - width / 2, a, z0), max: Vec3(u + width / 2, b, z1))
            }
            return .box(min: Vec3(a, u - width / 2, z0), max: Vec3(b, u + width / 2, z1))
        }
    }

    /// Centres of `n` evenly spaced windows across a façade `width` wide, `margin` kept free at each end.
    static func spread(_ n: Int, width: Double, margin: Double) -> [Double] {
        let span = width - 2 * margin
        return (0..<n).map { k in -span / 2 + (Double(k) + 0.5) * span / Double(n) }
    }

    /// Four storeys of plaster with punched windows, a shop front and a parapet.
    static func buildingA() -> LibraryAsset {
        var draft = AssetDraft()
        let plan = Vec2(12, 10), floors = 4, storey = 3.0, top = Double(floors) * storey
        let plaster = Palette.make("plaster", [214, 200, 170], roughness: 0.85)
        draft.add("walls", .box(Vec3(plan.x, plan.y, top), bevel: 0.03), plaster)
        draft.add(
            "parapet", .tray(bottom: plan, top: plan, height: 0.6, wall: 0.25, floor: 0.05), plaster,
            at: Vec3(0, 0, top))
        draft.add("roof", .box(Vec3(plan.x - 0.5, plan.y - 0.5, 0.08)), Palette.roofing, at: Vec3(0, 0, top))
        var glass = MeshBuilder(), sills = MeshBuilder()
        for facade in Facade.all {
            let width = facade.width(plan)
            let count = Int((width / 2.6).rounded(.down))
            for floor in 1..<floors {
                let z = Double(floor) * storey + 0.9
                for u in spread(count, width: width, margin: 0.8) {
                    glass.append(facade.box(plan, u: u, width: 1.2, z0: z, z1: z + 1.5, out: 0.015))
                    sills.append(facade.box(plan, u: u, width: 1.4, z0: z - 0.08, z1: z, out: 0.07))
                    sills.append(facade.box(plan, u: u, width: 1.4, z0: z + 1.5, z1: z + 1.62, out: 0.04))
                }
            }
            // Ground floor: shop windows, and a door in the middle of the front.
            let shop = spread(max(2, count - 1), width: width, margin: 0.6)
            for (k, u) in shop.enumerated() {
                if facade.sign > 0 && !facade.alongX && k == shop.count / 2 { continue }
                glass.append(facade.box(plan, u: u, width: 2.2, z0: 0.5, z1: 2.6, out: 0.015))
            }
        }
        draft.add("windows", glass, Palette.windowGlass)
        draft.add("sills", sills, Palette.windowFrame)
        let front = Facade(sign: 1, alongX: false)
        let shop = spread(max(2, Int((plan.y / 2.6).rounded(.down)) - 1), width: plan.y, margin: 0.6)
        draft.add("door", front.box(plan, u: shop[shop.count / 2], width: 1.2, z0: 0, z1: 2.3, out: 0.03), Palette.door)
        draft.add(
            "cornice", .box(Vec3(plan.x + 0.3, plan.y + 0.3, 0.25), bevel: 0.05), plaster, at: Vec3(0, 0, storey - 0.25)
        )
        return LibraryAsset(name: "building_a", category: .driving, defaultClass: "building", parts: draft.parts)
    }

    /// Six storeys of brick with ribbon windows between concrete floor bands.
    static func buildingB() -> LibraryAsset {
        var draft = AssetDraft()
        let plan = Vec2(20, 14), floors = 6, storey = 3.2, top = Double(floors) * storey
        draft.add(
            "walls", .box(Vec3(plan.x, plan.y, top), bevel: 0.03), Palette.make("brick", [150, 74, 52], roughness: 0.9))
        let concrete = Palette.make("concrete_band", [190, 188, 182], roughness: 0.8)
        var bands = MeshBuilder()
        for floor in 1...floors {
            bands.append(
                .box(Vec3(plan.x + 0.12, plan.y + 0.12, 0.3), bevel: 0.02).transformed(
                    .translation(Vec3(0, 0, Double(floor) * storey - 0.3))))
        }
        draft.add("floor_bands", bands, concrete)
        draft.add("roof", .box(Vec3(plan.x - 0.2, plan.y - 0.2, 0.1)), Palette.roofing, at: Vec3(0, 0, top))
        draft.add("plant_room", .box(Vec3(5, 4, 2.4), bevel: 0.05), concrete, at: Vec3(-3, 1, top))
        var glass = MeshBuilder(), mullions = MeshBuilder()
        for facade in Facade.all {
            let width = facade.width(plan)
            for floor in 0..<floors {
                let z0 = Double(floor) * storey + (floor == 0 ? 0.3 : 0.95), z1 = Double(floor + 1) * storey - 0.5
                glass.append(facade.box(plan, u: 0, width: width - 1.6, z0: z0, z1: z1, out: 0.02))
            }
            // Vertical fins over the full height, every 3 m or so.
            let count = Int((width - 1.6) / 3)
            for k in 0...count {
                let u = -(width - 1.6) / 2 + Double(k) * (width - 1.6) / Double(count)
                mullions.append(facade.box(plan, u: u, width: 0.12, z0: 0.3, z1: top - 0.3, out: 0.1))
            }
        }
        draft.add("windows", glass, Palette.windowGlass)
        draft.add(
            "mullions", mullions, Palette.make("aluminium_frame", [120, 124, 128], roughness: 0.4, metallic: 0.8))
        return LibraryAsset(name: "building_b", category: .driving, defaultClass: "building", parts: draft.parts)
    }

    /// A two-storey house with a gable roof (ridge along X), a chimney and a front door.
    static func buildingC() -> LibraryAsset {
        var draft = AssetDraft()
        let plan = Vec2(9, 8), storey = 2.8, eaves = 2 * storey
        draft.add(
            "walls", .box(Vec3(plan.x, plan.y, eaves), bevel: 0.02),
            Palette.make("render_white", [228, 226, 216], roughness: 0.85))
        // Gable ends filling the triangle under the roof.
        let ridge = eaves + 3.0
        draft.add(
            "gables",
            .frontExtrusion(
                [Vec2(-plan.y / 2, eaves), Vec2(plan.y / 2, eaves), Vec2(0, ridge)], length: plan.x - 0.02),
            Palette.make("render_white", [228, 226, 216], roughness: 0.85))
        let overhang = 0.45, thickness = 0.18
        let half = plan.y / 2 + overhang
        let drop = overhang * (ridge - eaves) / (plan.y / 2)
        draft.add(
            "roof",
            .frontExtrusion(
                [
                    Vec2(-half, eaves - drop), Vec2(-half, eaves - drop + thickness), Vec2(0, ridge + thickness),
                    Vec2(half, eaves - drop + thickness), Vec2(half, eaves - drop),
                    Vec2(0, ridge),
                ], length: plan.x + 2 * overhang, bevel: 0.03), Palette.roofTiles)
        draft.add(
            "chimney", .box(Vec3(0.6, 0.6, 2.2), bevel: 0.03), Palette.make("brick", [150, 74, 52], roughness: 0.9),
            at: Vec3(-2.5, 1.5, ridge - 1.0))
        var glass = MeshBuilder(), frames = MeshBuilder()
        for facade in Facade.all {
            let width = facade.width(plan)
            for floor in 0..<2 {
                let z = Double(floor) * storey + 0.9
                for (k, u) in spread(3, width: width, margin: 1.0).enumerated() {
                    if floor == 0 && facade.sign > 0 && !facade.alongX && k == 1 { continue }
                    glass.append(facade.box(plan, u: u, width: 1.0, z0: z, z1: z + 1.3, out: 0.015))
                    frames.append(facade.box(plan, u: u, width: 1.16, z0: z - 0.08, z1: z, out: 0.06))
                    frames.append(facade.box(plan, u: u, width: 0.06, z0: z, z1: z + 1.3, out: 0.03))
                }
            }
        }
        draft.add("windows", glass, Palette.windowGlass)
        draft.add("frames", frames, Palette.windowFrame)
        draft.add(
            "door", Facade(sign: 1, alongX: false).box(plan, u: 0, width: 1.0, z0: 0, z1: 2.2, out: 0.03), Palette.door)
        return LibraryAsset(name: "building_c", category: .driving, defaultClass: "building", parts: draft.parts)
    }
}
