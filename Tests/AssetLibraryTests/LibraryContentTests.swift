import AssetLibrary
import Foundation
import XCTest

/// What the committed files hold, read back with the independent checker.
final class LibraryContentTests: XCTestCase {
    /// Every committed asset, parsed and checked once.
    static let checked: [(asset: LibraryAsset, glb: CheckedGLB)] = Library.assets.compactMap { asset in
        (try? Library.committed(asset)).map { (asset, $0) }
    }

    func glb(_ name: String) throws -> CheckedGLB {
        try XCTUnwrap(Self.checked.first { $0.asset.name == name }?.glb, "\(name) missing or invalid")
    }

    func testEveryCommittedFileIsAValidGLB() {
        for asset in Library.assets {
            XCTAssertNoThrow(try Library.committed(asset), asset.file)
        }
        XCTAssertEqual(Self.checked.count, Library.assets.count)
    }

    func testTheLibraryHasTheAssetsScenesAskFor() {
        let expected: [String: [String]] = [
            "driving": [
                "sedan", "suv", "van", "truck", "bus", "motorcycle", "bicycle", "pedestrian", "traffic_cone", "barrier",
                "traffic_sign", "traffic_light", "street_lamp", "tree", "building_a", "building_b", "building_c",
            ],
            "robotics": [
                "cardboard_box", "tote", "pallet", "shelving", "table", "can", "bottle", "mug", "screwdriver", "wrench",
                "hammer", "robot_arm",
            ],
        ]
        for (category, names) in expected {
            XCTAssertEqual(
                Set(Library.assets.filter { $0.category.rawValue == category }.map(\.name)), Set(names), category)
        }
        for asset in Library.assets {
            XCTAssertEqual(asset.file, "\(asset.category.rawValue)/\(asset.name).glb")
        }
    }

    func testEveryAssetStandsOnTheGroundWithItsFootprintCentred() {
        for (asset, glb) in Self.checked {
            let (lo, hi) = glb.bounds
            XCTAssertEqual(lo.z, 0, accuracy: 1e-4, "\(asset.name) min z")
            XCTAssertEqual((lo.x + hi.x) / 2, 0, accuracy: 1e-4, "\(asset.name) footprint centre x")
            XCTAssertEqual((lo.y + hi.y) / 2, 0, accuracy: 1e-4, "\(asset.name) footprint centre y")
        }
    }

    /// Real-world sizes (x forward, y left, z up), in metres: a file in the wrong axes or units fails.
    func testSizesAreRealistic() throws {
        let ranges: [String: (ClosedRange<Double>, ClosedRange<Double>, ClosedRange<Double>)] = [
            "sedan": (4.3...5.0, 1.7...2.1, 1.35...1.55), "suv": (4.4...5.1, 1.8...2.2, 1.6...1.9),
            "van": (4.8...6.0, 1.9...2.4, 2.0...2.7), "truck": (6.5...9.5, 2.3...2.9, 3.0...4.0),
            "bus": (10...13, 2.4...2.7, 2.9...3.5), "motorcycle": (1.9...2.4, 0.6...0.95, 1.0...1.3),
            "bicycle": (1.6...1.9, 0.4...0.7, 0.9...1.15), "pedestrian": (0.2...0.45, 0.4...0.65, 1.6...1.9),
            "traffic_cone": (0.3...0.45, 0.3...0.45, 0.6...0.8), "barrier": (1.8...4, 0.5...0.7, 0.75...1.1),
            "traffic_sign": (0.03...0.2, 0.6...0.95, 2.4...3.2), "traffic_light": (0.25...0.8, 0.3...0.7, 3.0...4.0),
            "street_lamp": (0.2...0.6, 1.5...3, 7...10), "tree": (2.5...5, 2.5...5, 4...10),
            "building_a": (8...30, 8...30, 6...25), "building_b": (8...30, 8...30, 6...25),
            "building_c": (6...15, 6...15, 6...12), "cardboard_box": (0.39...0.41, 0.29...0.31, 0.29...0.31),
            "tote": (0.58...0.63, 0.38...0.43, 0.30...0.34), "pallet": (1.195...1.205, 0.795...0.805, 0.14...0.15),
            "shelving": (0.45...0.55, 1.15...1.25, 1.95...2.05), "table": (1.18...1.22, 0.78...0.82, 0.74...0.76),
            "can": (0.064...0.068, 0.064...0.068, 0.113...0.118), "bottle": (0.06...0.07, 0.06...0.07, 0.2...0.23),
            "mug": (0.09...0.13, 0.078...0.086, 0.09...0.1), "screwdriver": (0.18...0.25, 0.02...0.04, 0.02...0.04),
            "wrench": (0.15...0.2, 0.025...0.045, 0.005...0.01), "hammer": (0.28...0.36, 0.15...0.2, 0.02...0.04),
            "robot_arm": (0.5...1.0, 0.15...0.4, 0.5...1.0),
        ]
        for (asset, glb) in Self.checked {
            let r = try XCTUnwrap(ranges[asset.name], "no expected size for \(asset.name)")
            let (lo, hi) = glb.bounds
            let s = hi - lo
            XCTAssertTrue(r.0.contains(s.x), "\(asset.name) length \(s.x) not in \(r.0)")
            XCTAssertTrue(r.1.contains(s.y), "\(asset.name) width \(s.y) not in \(r.1)")
            XCTAssertTrue(r.2.contains(s.z), "\(asset.name) height \(s.z) not in \(r.2)")
        }
    }

    func testDefaultAndPartClasses() throws {
        let defaults: [String: String] = [
            "sedan": "car", "suv": "car", "van": "car", "truck": "truck", "bus": "bus", "motorcycle": "motorcycle",
            "bicycle": "bicycle", "pedestrian": "person", "traffic_cone": "traffic_cone", "barrier": "barrier",
            "traffic_sign": "traffic_sign", "traffic_light": "traffic_light", "street_lamp": "pole",
            "tree": "vegetation",
            "building_a": "building", "building_b": "building", "building_c": "building", "cardboard_box": "box",
            "tote": "tote", "pallet": "pallet", "shelving": "shelf", "table": "table", "can": "can", "bottle": "bottle",
            "mug": "mug", "screwdriver": "tool", "wrench": "tool", "hammer": "tool", "robot_arm": "robot",
        ]
        for (asset, glb) in Self.checked {
            XCTAssertEqual(glb.sceneClass, defaults[asset.name], asset.name)
            for node in glb.nodes {
                XCTAssertNotEqual(
                    node.classHint, glb.sceneClass, "\(asset.name).\(node.name) repeats the default class")
            }
        }
        let sign = try glb("traffic_sign")
        XCTAssertEqual(sign.node("pole")?.classHint, "pole")
        XCTAssertNil(sign.node("sign")?.classHint, "the plate takes the asset's class, traffic_sign")
        XCTAssertNil(sign.node("sign_face")?.classHint)
        let light = try glb("traffic_light")
        XCTAssertEqual(light.node("pole")?.classHint, "pole")
        for lens in ["lens_red", "lens_amber", "lens_green", "housing"] {
            XCTAssertNotNil(light.node(lens), lens)
            XCTAssertNil(light.node(lens)?.classHint, "\(lens) is a traffic_light")
        }
        let red = try XCTUnwrap(light.node("lens_red")), green = try XCTUnwrap(light.node("lens_green"))
        XCTAssertGreaterThan(red.translation.z, green.translation.z, "red above green")
        XCTAssertGreaterThan(red.translation.z, try XCTUnwrap(light.node("lens_amber")).translation.z)
        let lamp = try glb("street_lamp")
        let lampHead = try XCTUnwrap(lamp.node("lamp"))
        XCTAssertGreaterThan(lampHead.translation.z, 7, "the lamp sits at the top of the pole")
        XCTAssertTrue(lamp.nodes.allSatisfy { $0.classHint == nil }, "every part of a street lamp is a pole")
        let tree = try glb("tree")
        XCTAssertNotNil(tree.node("trunk"))
        XCTAssertGreaterThanOrEqual(tree.nodes.filter { $0.name.hasPrefix("crown") }.count, 2, "a layered crown")
        let person = try glb("pedestrian")
        for part in ["head", "torso", "arm_l", "arm_r", "leg_l", "leg_r"] { XCTAssertNotNil(person.node(part), part) }
        let head = try XCTUnwrap(person.node("head")), torso = try XCTUnwrap(person.node("torso"))
        XCTAssertGreaterThan(head.translation.z, torso.translation.z)
        XCTAssertNotNil(try glb("mug").node("handle"))
        let arm = try glb("robot_arm")
        for part in ["base", "upper_arm", "forearm", "gripper", "finger_l", "finger_r"] {
            XCTAssertNotNil(arm.node(part), part)
        }
    }

    func testVehiclesHaveSeparateWheelsLightsAndGlass() throws {
        for name in ["sedan", "suv", "van", "truck", "bus"] {
            let v = try glb(name)
            for part in [
                "wheel_fl", "wheel_fr", "wheel_rl", "wheel_rr", "head_light_l", "head_light_r", "tail_light_l",
                "tail_light_r",
            ] {
                XCTAssertNotNil(v.node(part), "\(name).\(part)")
            }
            let (lo, hi) = v.bounds
            // Wheels touch the ground, left ones on the left; head lights at the front, tail lights at the back.
            for wheel in v.nodes where wheel.name.hasPrefix("wheel_") {
                let bottom = wheel.positions.map(\.z).min()! + wheel.translation.z
                XCTAssertEqual(bottom, 0, accuracy: 0.01, "\(name).\(wheel.name) on the ground")
                let position = wheel.name.split(separator: "_")[1]  // "fl", "rr", ...
                XCTAssertEqual(wheel.translation.y > 0, position.last == "l", "\(name).\(wheel.name) side")
            }
            XCTAssertGreaterThan(
                try XCTUnwrap(v.node("wheel_fl")).translation.x, try XCTUnwrap(v.node("wheel_rl")).translation.x)
            for side in ["l", "r"] {
                let head = try XCTUnwrap(v.node("head_light_\(side)")),
                    tail = try XCTUnwrap(v.node("tail_light_\(side)"))
                XCTAssertGreaterThan(head.translation.x, hi.x - 0.3, "\(name) head light at the front")
                XCTAssertLessThan(tail.translation.x, lo.x + 0.3, "\(name) tail light at the back")
                XCTAssertEqual(head.translation.y > 0, side == "l")
            }
            let glass = v.nodes.filter { $0.materialName == "glass" }
            XCTAssertFalse(glass.isEmpty, "\(name) has glass")
            for g in glass { XCTAssertLessThan(g.roughness, 0.2, "\(name) glass is smooth") }
        }
        for name in ["motorcycle", "bicycle"] {
            let v = try glb(name)
            for part in ["wheel_f", "wheel_r", "head_light", "tail_light"] {
                XCTAssertNotNil(v.node(part), "\(name).\(part)")
            }
        }
    }

    func testSupportHeights() throws {
        let shelf = try glb("shelving")
        XCTAssertEqual(shelf.support.count, 4)
        XCTAssertEqual(shelf.support, shelf.support.sorted())
        let (_, hi) = shelf.bounds
        XCTAssertTrue(shelf.support.allSatisfy { $0 > 0 && $0 < hi.z })
        // Each level is the top of a shelf board: some geometry of the shelves part lies exactly there.
        let boards = try XCTUnwrap(shelf.node("shelves"))
        let tops = Set(boards.positions.map { (($0.z + boards.translation.z) * 1000).rounded() })
        for level in shelf.support {
            XCTAssertTrue(tops.contains((level * 1000).rounded()), "no shelf board top at \(level)")
        }
        let table = try glb("table")
        XCTAssertEqual(table.support.count, 1)
        XCTAssertEqual(table.support.first ?? 0, table.bounds.max.z, accuracy: 1e-4, "the table top is the table's top")
        XCTAssertEqual(try glb("pallet").support.first ?? 0, try glb("pallet").bounds.max.z, accuracy: 1e-4)
        XCTAssertEqual(try glb("sedan").support, [])
    }

    func testIndexDescribesEveryFile() throws {
        let data = try XCTUnwrap(
            FileManager.default.contents(atPath: Library.root.appendingPathComponent("library.json").path))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try XCTUnwrap(json["assets"] as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["name"] as? String }, Library.assets.map(\.name))
        for entry in entries {
            let name = try XCTUnwrap(entry["name"] as? String)
            let glb = try self.glb(name)
            let file = try XCTUnwrap(entry["file"] as? String)
            XCTAssertEqual(file, "\(entry["category"] as? String ?? "?")/\(name).glb")
            let bytes = try XCTUnwrap(
                FileManager.default.contents(atPath: Library.root.appendingPathComponent(file).path))
            XCTAssertEqual(entry["bytes"] as? Int, bytes.count, name)
            XCTAssertEqual(entry["class"] as? String, glb.sceneClass, name)
            XCTAssertEqual(entry["triangles"] as? Int, glb.nodes.reduce(0) { $0 + $1.indices.count / 3 }, name)
            let size = try XCTUnwrap(entry["size"] as? [Double])
            let (lo, hi) = glb.bounds
            for (k, extent) in [hi.x - lo.x, hi.y - lo.y, hi.z - lo.z].enumerated() {
                XCTAssertEqual(size[k], extent, accuracy: 0.0006, "\(name) size[\(k)]")
            }
            let parts = try XCTUnwrap(entry["parts"] as? [[String: String]])
            XCTAssertEqual(parts.map { $0["name"] }, glb.nodes.map(\.name), name)
            for (part, node) in zip(parts, glb.nodes) {
                XCTAssertEqual(part["class"], node.classHint ?? glb.sceneClass, "\(name).\(node.name)")
            }
            let support = entry["support"] as? [Double] ?? []
            XCTAssertEqual(support.count, glb.support.count, name)
            for (a, b) in zip(support, glb.support) { XCTAssertEqual(a, b, accuracy: 0.0006, name) }
        }
    }

    /// Solids that must be closed: every edge shared by two triangles, faces looking out.
    func testClosedPartsAreWatertightAndFaceOutwards() throws {
        let closed: [(String, String)] = [
            ("can", "body"), ("can", "lid"), ("bottle", "body"), ("bottle", "cap"), ("mug", "body"), ("mug", "handle"),
            ("cardboard_box", "box"), ("tote", "bin"), ("traffic_cone", "cone"), ("traffic_cone", "base"),
            ("barrier", "body"), ("sedan", "body"), ("sedan", "wheel_fl"), ("sedan", "rim_fl"), ("sedan", "cabin"),
            ("wrench", "body"), ("hammer", "head"), ("screwdriver", "handle"), ("traffic_sign", "sign"),
            ("building_c", "roof"), ("tree", "crown_0"), ("street_lamp", "lamp"), ("robot_arm", "base"),
        ]
        for (asset, part) in closed {
            let node = try XCTUnwrap(try glb(asset).node(part), "\(asset).\(part)")
            XCTAssertNil(
                SolidCheck.watertightProblem(positions: node.positions, indices: node.indices), "\(asset).\(part)")
            XCTAssertGreaterThan(
                SolidCheck.signedVolume(positions: node.positions, indices: node.indices), 0, "\(asset).\(part)")
        }
    }

    /// Every triangle winds counter-clockwise seen from the side its vertex normals point to.
    func testTriangleWindingAgreesWithNormalsEverywhere() {
        for (asset, glb) in Self.checked {
            for node in glb.nodes {
                var disagreeing = 0
                for t in stride(from: 0, to: node.indices.count, by: 3) {
                    let i = node.indices[t], j = node.indices[t + 1], k = node.indices[t + 2]
                    let a = node.positions[i], b = node.positions[j], c = node.positions[k]
                    let e1 = b - a, e2 = c - a
                    let face = SIMD3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)
                    if (face * (node.normals[i] + node.normals[j] + node.normals[k])).sum() <= 0 { disagreeing += 1 }
                }
                XCTAssertEqual(disagreeing, 0, "\(asset.name).\(node.name): triangles facing against their normals")
            }
        }
    }

    func testVerticesAreWeldedOnSmoothSurfaces() throws {
        // A smooth lathe shares vertices between neighbouring quads: far fewer vertices than 3 per triangle.
        let can = try XCTUnwrap(try glb("can").node("body"))
        XCTAssertLessThan(Double(can.positions.count), 0.75 * Double(can.indices.count))
        XCTAssertEqual(Set(can.indices).count, can.positions.count, "no unused vertices")
    }
}
