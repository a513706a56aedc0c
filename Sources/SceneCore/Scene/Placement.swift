// Placement regions (`placement: {region: ...}`): where a group's objects stand, how they are turned,
// and how they come to rest. The loader resolves a region against the environment into a list of
// `SupportArea`s once; sampling then only draws points in them, turns the object, lowers it onto the
// support (or onto what already lies there, with `stack`) and rejects candidates that interpenetrate
// anything placed before (see Collision.swift).

/// The kinds of `placement.region`.
public enum RegionKind: String, Hashable, Sendable, CaseIterable {
    /// Centred in a lane, heading with its traffic.
    case lane
    /// On a sidewalk, standing on its top.
    case sidewalk
    /// On an intersection's crosswalks, heading across the road.
    case crosswalk
    /// Centred in a parking lot's bays, parked nose-in.
    case parkingBay = "parking_bay"
    /// On shelving boards.
    case shelf
    /// On table tops.
    case tableTop = "table_top"
    /// Dropped into bins (piling up).
    case bin
    /// On pallet decks.
    case pallet
    /// On the room's floor.
    case floor
    /// In a rectangle of the world at a given height.
    case area
}

/// A face of an object's bounding box, named by the local axis its outward normal points along.
public enum BoxFace: String, Hashable, Sendable, CaseIterable {
    case bottom = "-z"
    case top = "+z"
    case front = "+x"
    case back = "-x"
    case left = "+y"
    case right = "-y"

    /// The rotation that turns this face to point down (-Z), keeping the object's origin.
    var restingRotation: Mat4 {
        switch self {
        case .bottom: return .identity
        case .top: return .rotationX(Double.pi)
        case .front: return .rotationY(Double.pi / 2)  // +X to -Z
        case .back: return .rotationY(-Double.pi / 2)
        case .left: return .rotationX(-Double.pi / 2)  // +Y to -Z
        case .right: return .rotationX(Double.pi / 2)
        }
    }
}

/// How placed objects are turned before they are lowered onto their support.
public enum RestingOrientation: Hashable, Sendable {
    /// As modelled (bottom down), turned about Z by the heading and `yaw_deg`, tilted by
    /// `pitch_deg`/`roll_deg` when the group gives them.
    case upright
    /// One of these bounding-box faces down, uniformly, then a uniform random turn about Z (plus
    /// `yaw_deg`): the stable resting poses of a box-like object.
    case faces([BoxFace])
}

/// One place objects of a region can stand: a rectangle or a band along a road.
public struct SupportArea: Hashable, Sendable {
    public enum Extent: Hashable, Sendable {
        /// A rectangle centred on the area's origin: half sizes along the area's X and Y.
        case rect(halfX: Double, halfY: Double)
        /// A band along a road: distances `s` along the path and lateral offsets (left positive).
        case strip(path: RoadPath, s: ClosedRange<Double>, lateral: ClosedRange<Double>)
    }

    /// For messages: "shelf `rack` level 2", "lane 1".
    public var name: String
    /// Rectangles: the area's frame, origin at its centre on the support surface. Strips: a
    /// translation to the support's height.
    public var worldFromArea: Mat4
    public var extent: Extent
    /// Heading of the objects (radians) relative to the area's X axis or the road's direction.
    public var heading: Double
    /// Crosswalks: the heading is turned by pi for half the objects (people cross both ways).
    public var bothWays: Bool = false
    /// The footprint must stay inside the area along its X axis (along the road) / Y axis (across).
    /// Otherwise only the origin does (lanes, sidewalks: the centre follows the lane or band).
    public var containX: Bool
    public var containY: Bool
    /// World height that objects' tops may not pass (a shelf level: the bottom of the board above).
    public var ceiling: Double? = nil
    /// Bins: world height of the rim; an object must come to rest with its bottom below it.
    public var rim: Double? = nil

    /// The support's world height.
    public var height: Double { worldFromArea.translation.z }

    /// For choosing an area in proportion to its size (lines weigh by length).
    var weight: Double {
        switch extent {
        case .rect(let hx, let hy): return Swift.max(2 * hx, 1e-3) * Swift.max(2 * hy, 1e-3)
        case .strip(_, let s, let l):
            return Swift.max(s.upperBound - s.lowerBound, 1e-3) * Swift.max(l.upperBound - l.lowerBound, 1e-3)
        }
    }

    /// Size of the area (length along X or the road, width across), for load-time checks.
    var size: (length: Double, width: Double) {
        switch extent {
        case .rect(let hx, let hy): return (2 * hx, 2 * hy)
        case .strip(_, let s, let l): return (s.upperBound - s.lowerBound, l.upperBound - l.lowerBound)
        }
    }
}

/// A group's `placement: {region: ...}` resolved against the environment.
public struct SupportPlacement: Hashable, Sendable {
    public var region: RegionKind
    /// Where objects may stand, chosen in proportion to their size; never empty.
    public var areas: [SupportArea]
    /// Clearance kept from the edges of contained areas (metres).
    public var margin: Double
    /// Objects may rest on objects placed before them (of any group) instead of on the support.
    public var stack: Bool
    public var orientation: RestingOrientation
}

/// The sampled shape of one object, ready to be posed: its parts and their boxes in its frame.
struct PlaceableObject {
    var parts: [SampledPart]
    /// Each non-plane part's bounding box in the object frame (planes take no space).
    var partBoxes: [(min: Vec3, max: Vec3)]
    /// The whole object's box in its frame.
    var bounds: (min: Vec3, max: Vec3)

    init(parts: [SampledPart]) {
        self.parts = parts
        partBoxes = parts.compactMap { p in
            if case .plane = p.shape { return nil }
            return InstanceSpec.bounds(of: [(p.shape, p.objectFromPart)])
        }
        bounds = InstanceSpec.bounds(of: parts.map { ($0.shape, $0.objectFromPart) })
    }

    /// The parts' boxes in the world for a rigid pose.
    func worldBoxes(_ worldFromObject: Mat4) -> [OrientedBox] {
        partBoxes.map { OrientedBox(worldFromLocal: worldFromObject, min: $0.min, max: $0.max) }
    }

    /// The box around the object's bounds after `rotation` (a rotation about the origin).
    func rotatedBounds(_ rotation: Mat4) -> (min: Vec3, max: Vec3) {
        var lo = Vec3(.infinity, .infinity, .infinity), hi = -lo
        let (a, b) = bounds
        for i in 0..<8 {
            let c = rotation.transformDirection(
                Vec3(i & 1 == 0 ? a.x : b.x, i & 2 == 0 ? a.y : b.y, i & 4 == 0 ? a.z : b.z))
            lo = Vec3(Swift.min(lo.x, c.x), Swift.min(lo.y, c.y), Swift.min(lo.z, c.z))
            hi = Vec3(Swift.max(hi.x, c.x), Swift.max(hi.y, c.y), Swift.max(hi.z, c.z))
        }
        return (lo, hi)
    }
}

extension SupportArea {
    /// The area with the room's ceiling as its ceiling, when it lies in a room that has one and has
    /// no lower ceiling of its own (a shelf level has the board above): objects must fit under the
    /// ceiling, and a stack is dropped from it rather than onto the slab.
    func underCeiling(of room: RoomDescription) -> SupportArea {
        guard ceiling == nil, room.ceiling != nil, height < room.wallHeight else { return self }
        let c = worldFromArea.translation
        guard abs(c.x - room.centerX) <= room.sizeX / 2, abs(c.y - room.centerY) <= room.sizeY / 2 else { return self }
        var out = self
        out.ceiling = room.wallHeight
        return out
    }
}

extension SupportPlacement {
    /// One candidate pose for `object`, or nil when this attempt cannot fit (too big for the area
    /// drawn, landing above a shelf's clearance or a bin's rim, unsupported, or interpenetrating).
    /// Stacking rests on the tops of the boxes below, which are exact for upright and face-down
    /// objects (their boxes stay level); a tilted object is lowered onto its box's top.
    func candidate(
        _ object: PlaceableObject, tilt: (pitch: RandomValue, roll: RandomValue, yaw: RandomValue),
        world: CollisionWorld, rng: inout Xoshiro256StarStar
    ) -> (worldFromObject: Mat4, boxes: [OrientedBox])? {
        let area = areas.count == 1 ? areas[0] : areas[Self.weightedIndex(areas.map(\.weight), &rng)]
        // The turn in the area's frame: the area's heading, the face set down, a yaw and a tilt.
        var yaw = area.heading + radians(rng.sample(tilt.yaw))
        if area.bothWays, rng.index(2) == 1 { yaw += Double.pi }
        var rotation: Mat4
        switch orientation {
        case .upright:
            rotation =
                Mat4.rotationZ(yaw) * .rotationY(radians(rng.sample(tilt.pitch)))
                * .rotationX(radians(rng.sample(tilt.roll)))
        case .faces(let faces):
            let face = rng.choose(faces)
            yaw += rng.uniform(-Double.pi, Double.pi)
            rotation = Mat4.rotationZ(yaw) * face.restingRotation
        }
        let (lo, hi) = object.rotatedBounds(rotation)
        // The origin's range in the area so that the (rotated) box stays inside where it must.
        let u = rng.unit(), v = rng.unit()
        func interval(_ lower: Double, _ upper: Double, _ contain: Bool, _ l: Double, _ h: Double) -> (Double, Double)?
        {
            guard contain else { return (lower, upper) }
            let a = lower + margin - l, b = upper - margin - h
            return a <= b + 1e-12 ? (a, Swift.max(a, b)) : nil
        }
        let areaFromObject: Mat4
        switch area.extent {
        case .rect(let hx, let hy):
            guard let (x0, x1) = interval(-hx, hx, area.containX, lo.x, hi.x),
                let (y0, y1) = interval(-hy, hy, area.containY, lo.y, hi.y)
            else { return nil }
            areaFromObject = Mat4.translation(Vec3(x0 + (x1 - x0) * u, y0 + (y1 - y0) * v, 0)) * rotation
        case .strip(let path, let s, let lateral):
            guard let (s0, s1) = interval(s.lowerBound, s.upperBound, area.containX, lo.x, hi.x),
                let (l0, l1) = interval(lateral.lowerBound, lateral.upperBound, area.containY, lo.y, hi.y)
            else { return nil }
            let p = path.pose(s: s0 + (s1 - s0) * u, lateral: l0 + (l1 - l0) * v)
            areaFromObject = Mat4.translation(p.point) * .rotationZ(p.heading) * rotation
        }
        // Lower the object onto the support, or onto the highest thing below it when stacking.
        let base = area.height
        var rest = base
        let standing = area.worldFromArea * Mat4.translation(Vec3(0, 0, -lo.z)) * areaFromObject
        let outline = OrientedBox(worldFromLocal: standing, min: object.bounds.min, max: object.bounds.max)
        let footprint = Footprint(outline)
        if stack {
            let dropFrom = area.ceiling ?? .infinity
            var supports: [OrientedBox] = []
            let (blo, bhi) = outline.bounds
            for k in world.nearby(blo, bhi) {
                let b = world.boxes[k]
                let (bl, bh) = b.bounds
                guard bl.z < dropFrom - CollisionWorld.contactTolerance,
                    bh.z > base + CollisionWorld.contactTolerance,
                    Footprint(b).overlaps(footprint, tolerance: CollisionWorld.contactTolerance)
                else { continue }
                if bh.z > rest + CollisionWorld.contactTolerance {
                    rest = bh.z
                    supports = [b]
                } else if abs(bh.z - rest) <= CollisionWorld.contactTolerance {
                    supports.append(b)
                }
            }
            // Resting on something: its centre of mass (the box centre) must be over a support.
            if rest > base, !supports.contains(where: { Footprint($0).contains(outline.center.x, outline.center.y) }) {
                return nil
            }
        }
        let height = hi.z - lo.z
        if let ceiling = area.ceiling, rest + height > ceiling + CollisionWorld.contactTolerance { return nil }
        if let rim = area.rim, rest >= rim { return nil }
        let worldFromObject = Mat4.translation(Vec3(0, 0, rest - base)) * standing
        let boxes = object.worldBoxes(worldFromObject)
        return world.collides(boxes) ? nil : (worldFromObject, boxes)
    }

    /// Index drawn in proportion to `weights` (all positive).
    static func weightedIndex(_ weights: [Double], _ rng: inout Xoshiro256StarStar) -> Int {
        let total = weights.reduce(0, +)
        var remaining = rng.unit() * total
        for (i, w) in weights.enumerated() {
            if remaining < w { return i }
            remaining -= w
        }
        return weights.count - 1
    }
}
