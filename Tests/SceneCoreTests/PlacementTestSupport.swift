import XCTest

@testable import SceneCore

// Geometry for checking placements from the outside: written apart from the sampler's own
// Collision.swift, it works on the frame's surfaces only (their shape extents carried by their full
// world transforms, which may scale), so a bug in the sampler cannot hide behind the same code.

/// The world corners of a surface's bounding box: 8 points, bit 0 of the index choosing x, bit 1 y,
/// bit 2 z. Nil for planes, which take no space.
func worldCorners(_ s: Surface) -> [Vec3]? {
    let lo: Vec3, hi: Vec3
    switch s.shape {
    case .plane: return nil
    case .box: (lo, hi) = (Vec3(-0.5, -0.5, 0), Vec3(0.5, 0.5, 1))
    // Shapes sit on their origin (docs/SCENE_FORMAT.md): a cylinder of radius 1 and height 1, a sphere of radius 1.
    case .cylinder: (lo, hi) = (Vec3(-1, -1, 0), Vec3(1, 1, 1))
    case .sphere: (lo, hi) = (Vec3(-1, -1, 0), Vec3(1, 1, 2))
    case .mesh(let m, _): (lo, hi) = m.bounds
    }
    let k = s.shape.scale
    return (0..<8).map { i in
        let local = Vec3(i & 1 == 0 ? lo.x : hi.x, i & 2 == 0 ? lo.y : hi.y, i & 4 == 0 ? lo.z : hi.z).scaled(by: k)
        return s.worldFromObject.transformPoint(local)
    }
}

/// Whether two parallelepipeds (8 corners each, as `worldCorners` orders them) overlap by more than
/// `tolerance`: separating axes from both solids' face normals and the cross products of their edges.
func solidsOverlap(_ a: [Vec3], _ b: [Vec3], tolerance: Double) -> Bool {
    func edges(_ c: [Vec3]) -> [Vec3] { [c[1] - c[0], c[2] - c[0], c[4] - c[0]] }
    let ea = edges(a), eb = edges(b)
    var axes: [Vec3] = []
    for e in [ea, eb] { axes += [e[0].cross(e[1]), e[1].cross(e[2]), e[2].cross(e[0])] }
    for x in ea { for y in eb { axes.append(x.cross(y)) } }
    for axis in axes where axis.length > 1e-9 {
        let n = axis / axis.length
        let pa = a.map { $0.dot(n) }, pb = b.map { $0.dot(n) }
        let overlap = Swift.min(pa.max()!, pb.max()!) - Swift.max(pa.min()!, pb.min()!)
        if overlap <= tolerance { return false }
    }
    return true
}

/// Pairs of instances whose parts overlap each other (or a fixed solid part of the environment,
/// reported with instance 0) by more than `tolerance`. With `scene`, environment pieces drawn from an
/// asset are checked as their generated boxes (see `solidSurfaces`).
func interpenetrations(
    _ frame: FrameSpec, scene: SceneDescription? = nil, tolerance: Double = 1e-4
) -> [(Int, Int, String)] {
    let solids = solidSurfaces(frame, scene: scene).compactMap { s in worldCorners(s).map { (s, $0) } }
    // World-aligned bounds first: most pairs are far apart.
    let bounds = solids.map { _, c in
        (
            Vec3(c.map(\.x).min()!, c.map(\.y).min()!, c.map(\.z).min()!),
            Vec3(c.map(\.x).max()!, c.map(\.y).max()!, c.map(\.z).max()!)
        )
    }
    var found: [(Int, Int, String)] = []
    for i in solids.indices {
        for j in solids.indices where j > i {
            let (a, ca) = solids[i], (b, cb) = solids[j]
            // Parts of one object may overlap each other; stuff against stuff is the environment's business.
            if a.instanceID == b.instanceID { continue }
            if a.instanceID == 0 && b.instanceID == 0 { continue }
            // Parts of one asset object that form instances of their own (a traffic light's pole and
            // head) are one placed object: surfaces are named `<object>/<part>`.
            let objectA = a.name.prefix(while: { $0 != "/" }), objectB = b.name.prefix(while: { $0 != "/" })
            if a.name.contains("/") && objectA == objectB { continue }
            let (la, ha) = bounds[i], (lb, hb) = bounds[j]
            if Swift.min(ha.x, hb.x) - Swift.max(la.x, lb.x) <= tolerance
                || Swift.min(ha.y, hb.y) - Swift.max(la.y, lb.y) <= tolerance
                || Swift.min(ha.z, hb.z) - Swift.max(la.z, lb.z) <= tolerance
            {
                continue
            }
            if solidsOverlap(ca, cb, tolerance: tolerance) {
                found.append((a.instanceID, b.instanceID, "\(a.name) × \(b.name)"))
            }
        }
    }
    return found
}

/// The frame's surfaces, except that an environment piece drawn from an asset (a tote, a shelving
/// unit) stands for its generated boxes - posts, boards, walls, the floor of a bin - in its pose: such
/// a piece is hollow, the bounding box of its mesh holds whatever stands in it, and its generated boxes
/// are what placement keeps clear of (docs/SCENE_FORMAT.md, environment pieces).
func solidSurfaces(_ frame: FrameSpec, scene: SceneDescription?) -> [Surface] {
    let hollow = (scene?.environment?.pieces ?? []).filter {
        if case .asset = $0.model { return true } else { return false }
    }
    guard !hollow.isEmpty else { return frame.surfaces }
    var out = frame.surfaces.filter { s in !hollow.contains { s.name.hasPrefix("\($0.name)/") } }
    for piece in hollow {
        let id = frame.surfaces.first { $0.name.hasPrefix("\(piece.name)/") }?.instanceID ?? 0
        for part in piece.builtParts {
            out.append(
                Surface(
                    name: "\(piece.name)/\(part.name)", shape: part.shape,
                    worldFromObject: piece.worldFromPiece * part.objectFromPart, color: part.color,
                    classID: piece.classID, instanceID: id))
        }
    }
    return out
}

/// Lowest and highest world z of an instance's parts.
func verticalExtent(_ frame: FrameSpec, instance: Int) -> (bottom: Double, top: Double) {
    let zs = frame.surfaces.filter { $0.instanceID == instance }.compactMap(worldCorners).flatMap { $0.map(\.z) }
    return (zs.min() ?? .nan, zs.max() ?? .nan)
}

/// The instance ids whose names start with `prefix_` (a group's objects).
func groupInstances(_ frame: FrameSpec, _ group: String) -> [InstanceSpec] {
    frame.instances.filter { $0.name.hasPrefix("\(group)_") }
}

/// A scene loaded from text (failing the test with every issue when it does not load).
func loadScene(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) throws -> SceneDescription {
    do {
        return try SceneLoader.load(yaml: yaml, file: "test.yaml")
    } catch let e as SceneLoadError {
        XCTFail("scene rejected:\n\(e)", file: file, line: line)
        throw e
    }
}
