import SceneCore

/// Boxes, totes, pallets, shelving and tables: the furniture of a pick-and-place cell.
enum Warehouse {
    /// A 40 × 30 × 30 cm shipping box, its top flaps closed with a strip of tape.
    static func cardboardBox() -> LibraryAsset {
        var draft = AssetDraft()
        let L = 0.40, W = 0.30, H = 0.30, flap = 0.004
        draft.add("box", .box(Vec3(L, W, H - flap), bevel: 0.004), Palette.cardboard)
        var flaps = MeshBuilder()
        for s in [-1.0, 1.0] {
            let y0 = s > 0 ? 0.0015 : -W / 2 + 0.001, y1 = s > 0 ? W / 2 - 0.001 : -0.0015
            flaps.append(
                .box(min: Vec3(-L / 2 + 0.001, y0, H - flap - 0.001), max: Vec3(L / 2 - 0.001, y1, H), bevel: 0.0015))
        }
        draft.add("flaps", flaps, Palette.make("cardboard_flap", [186, 144, 96], roughness: 0.9))
        var tape = MeshBuilder.box(
            min: Vec3(-L / 2 - 0.0008, -0.024, H - 0.0002), max: Vec3(L / 2 + 0.0008, 0.024, H + 0.0008))
        for s in [-1.0, 1.0] {
            let x0 = s > 0 ? L / 2 - 0.0004 : -L / 2 - 0.0008, x1 = s > 0 ? L / 2 + 0.0008 : -L / 2 + 0.0004
            tape.append(.box(min: Vec3(x0, -0.024, H - 0.07), max: Vec3(x1, 0.024, H + 0.0008)))
        }
        draft.add("tape", tape, Palette.tape)
        return LibraryAsset(name: "cardboard_box", category: .robotics, defaultClass: "box", parts: draft.parts)
    }

    /// A 60 × 40 × 32 cm stacking tote: slightly flared walls and a thick rim.
    static func tote() -> LibraryAsset {
        var draft = AssetDraft()
        let H = 0.30
        draft.add(
            "bin", .tray(bottom: Vec2(0.56, 0.36), top: Vec2(0.595, 0.395), height: H, wall: 0.012, floor: 0.01),
            Palette.toteBlue)
        var rim = MeshBuilder()
        let outer = Vec2(0.615, 0.415), t = 0.03, z0 = H - 0.005, z1 = H + 0.02
        rim.append(
            .box(min: Vec3(outer.x / 2 - t, -outer.y / 2, z0), max: Vec3(outer.x / 2, outer.y / 2, z1), bevel: 0.004))
        rim.append(
            .box(min: Vec3(-outer.x / 2, -outer.y / 2, z0), max: Vec3(-outer.x / 2 + t, outer.y / 2, z1), bevel: 0.004))
        rim.append(
            .box(
                min: Vec3(-outer.x / 2 + t, outer.y / 2 - t, z0), max: Vec3(outer.x / 2 - t, outer.y / 2, z1),
                bevel: 0.004))
        rim.append(
            .box(
                min: Vec3(-outer.x / 2 + t, -outer.y / 2, z0), max: Vec3(outer.x / 2 - t, -outer.y / 2 + t, z1),
                bevel: 0.004))
        draft.add("rim", rim, Palette.toteBlue)
        return LibraryAsset(name: "tote", category: .robotics, defaultClass: "tote", parts: draft.parts)
    }

    /// A EUR pallet, 1200 × 800 × 144 mm: three bottom boards, nine blocks, three stringer boards and
    /// five top deck boards.
    static func pallet() -> LibraryAsset {
        var draft = AssetDraft()
        let L = 1.2, W = 0.8, board = 0.022, block = 0.078
        let rows = [-0.3275, 0.0, 0.3275], columns = [-0.5275, 0.0, 0.5275]
        var bottom = MeshBuilder()
        for (k, y) in rows.enumerated() {
            let w = k == 1 ? 0.145 : 0.1
            bottom.append(.box(min: Vec3(-L / 2, y - w / 2, 0), max: Vec3(L / 2, y + w / 2, board), bevel: 0.002))
        }
        draft.add("bottom_boards", bottom, Palette.palletWood)
        var blocks = MeshBuilder()
        for x in columns {
            for y in rows {
                blocks.append(
                    .box(
                        min: Vec3(x - 0.0725, y - 0.05, board), max: Vec3(x + 0.0725, y + 0.05, board + block),
                        bevel: 0.003))
            }
        }
        draft.add("blocks", blocks, Palette.palletBlock)
        var stringers = MeshBuilder()
        for x in columns {
            stringers.append(
                .box(
                    min: Vec3(x - 0.0725, -W / 2, board + block), max: Vec3(x + 0.0725, W / 2, 2 * board + block),
                    bevel: 0.002))
        }
        draft.add("stringer_boards", stringers, Palette.palletWood)
        var deck = MeshBuilder()
        let deckBoards: [(Double, Double)] = [
            (-0.3275, 0.145), (-0.1638, 0.1), (0, 0.145), (0.1638, 0.1), (0.3275, 0.145),
        ]
        for (y, w) in deckBoards {
            deck.append(
                .box(
                    min: Vec3(-L / 2, y - w / 2, 2 * board + block), max: Vec3(L / 2, y + w / 2, 3 * board + block),
                    bevel: 0.002))
        }
        draft.add("deck_boards", deck, Palette.palletWood)
        return LibraryAsset(
            name: "pallet", category: .robotics, defaultClass: "pallet", parts: draft.parts,
            supportHeights: [3 * board + block])
    }

    /// Boltless shelving, 1.2 m wide (along Y), 0.5 m deep (along X, the open side facing +X), 2 m
    /// tall, four shelf levels.
    static func shelving() -> LibraryAsset {
        var draft = AssetDraft()
        let depth = 0.5, width = 1.2, height = 2.0, levels = [0.15, 0.70, 1.25, 1.80], deckThickness = 0.018
        // Angle-section uprights (40 × 40 mm, 2.5 mm wall), the angle's corner at the outside corner.
        let t = 0.0025, a = 0.04
        let angle = [Vec2(0, 0), Vec2(a, 0), Vec2(a, t), Vec2(t, t), Vec2(t, a), Vec2(0, a)]
        var uprights = MeshBuilder()
        for sx in [-1.0, 1.0] {
            for sy in [-1.0, 1.0] {
                let placed = angle.map { Vec2(sx * (depth / 2 - $0.x), sy * (width / 2 - $0.y)) }
                uprights.append(.planExtrusion(placed, height: height))
                uprights.append(
                    .box(
                        min: Vec3(sx * (depth / 2 - 0.025) - 0.025, sy * (width / 2 - 0.025) - 0.025, 0),
                        max: Vec3(sx * (depth / 2 - 0.025) + 0.025, sy * (width / 2 - 0.025) + 0.025, 0.004)))
            }
        }
        draft.add("uprights", uprights, Palette.rackBlue)
        var beams = MeshBuilder(), decks = MeshBuilder(), bracing = MeshBuilder()
        for z in levels {
            let top = z - deckThickness
            for sx in [-1.0, 1.0] {
                let x0 = sx * (depth / 2 - 0.045), x1 = sx * (depth / 2 - 0.003)
                beams.append(
                    .box(
                        min: Vec3(min(x0, x1), -width / 2 + 0.003, top - 0.07),
                        max: Vec3(max(x0, x1), width / 2 - 0.003, top), bevel: 0.003))
            }
            for sy in [-1.0, 1.0] {
                let y0 = sy * (width / 2 - 0.04), y1 = sy * (width / 2 - 0.003)
                beams.append(
                    .box(
                        min: Vec3(-depth / 2 + 0.003, min(y0, y1), top - 0.04),
                        max: Vec3(depth / 2 - 0.003, max(y0, y1), top), bevel: 0.002))
            }
            decks.append(
                .box(
                    min: Vec3(-depth / 2 + 0.005, -width / 2 + 0.005, top),
                    max: Vec3(depth / 2 - 0.005, width / 2 - 0.005, z), bevel: 0.002))
        }
        // Diagonal braces on both ends, between the levels.
        for sy in [-1.0, 1.0] {
            let y = sy * (width / 2 - 0.01)
            for (k, z) in levels.dropLast().enumerated() {
                let zTop = levels[k + 1] - deckThickness - 0.08
                let from = Vec3(k % 2 == 0 ? -depth / 2 + 0.03 : depth / 2 - 0.03, y, z - deckThickness)
                let to = Vec3(k % 2 == 0 ? depth / 2 - 0.03 : -depth / 2 + 0.03, y, zTop)
                bracing.append(.tube(from: from, to: to, radius: 0.008, segments: 6))
            }
        }
        draft.add("beams", beams, Palette.rackOrange)
        draft.add("shelves", decks, Palette.deckBoard)
        draft.add("bracing", bracing, Palette.rackBlue)
        return LibraryAsset(
            name: "shelving", category: .robotics, defaultClass: "shelf", parts: draft.parts, supportHeights: levels)
    }

    /// A work table, 1.2 × 0.8 m, 0.75 m high.
    static func table() -> LibraryAsset {
        var draft = AssetDraft()
        let L = 1.2, W = 0.8, H = 0.75, top = 0.03
        draft.add(
            "top", .box(min: Vec3(-L / 2, -W / 2, H - top), max: Vec3(L / 2, W / 2, H), bevel: 0.006), Palette.tableTop)
        var frame = MeshBuilder()
        for sx in [-1.0, 1.0] {
            for sy in [-1.0, 1.0] {
                let c = Vec3(sx * (L / 2 - 0.06), sy * (W / 2 - 0.06), 0)
                frame.append(.box(min: c - Vec3(0.02, 0.02, 0), max: c + Vec3(0.02, 0.02, H - top), bevel: 0.003))
            }
            frame.append(
                .box(
                    min: Vec3(sx * (L / 2 - 0.06) - 0.01, -W / 2 + 0.08, H - top - 0.08),
                    max: Vec3(sx * (L / 2 - 0.06) + 0.01, W / 2 - 0.08, H - top)))
        }
        for sy in [-1.0, 1.0] {
            frame.append(
                .box(
                    min: Vec3(-L / 2 + 0.08, sy * (W / 2 - 0.06) - 0.01, H - top - 0.08),
                    max: Vec3(L / 2 - 0.08, sy * (W / 2 - 0.06) + 0.01, H - top)))
        }
        draft.add("frame", frame, Palette.tableLeg)
        return LibraryAsset(
            name: "table", category: .robotics, defaultClass: "table", parts: draft.parts, supportHeights: [H])
    }
}
