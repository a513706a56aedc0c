// Turning an `ObjectModel` into drawable parts: primitives, the built-in composites (car, tree,
// pedestrian, street lamp, traffic cone), custom `parts` and assets. Every part is placed in the
// object's local frame — X forward, Y left, Z up, origin at the centre of the footprint on the ground.
// All parts of one object share its instance id, except asset parts with a class of their own (see
// SceneAssets.swift).

/// One primitive of a sampled object.
public struct SampledPart: Hashable, Sendable {
    /// "body", "wheel_fl", ...; empty for a single-primitive object.
    public var name: String
    public var shape: Shape
    public var objectFromPart: Mat4
    public var color: RGB
    /// The part's own class (an asset part's override); nil: the object's class.
    public var classID: Int? = nil
    public var finish: SurfaceFinish = .standard

    /// The part scaled uniformly about the object's origin.
    func scaled(by k: Double) -> SampledPart {
        guard k != 1 else { return self }
        var out = self
        switch shape {
        case .box(let s): out.shape = .box(size: s * k)
        case .cylinder(let r, let h): out.shape = .cylinder(radius: r * k, height: h * k)
        case .sphere(let r): out.shape = .sphere(radius: r * k)
        case .plane(let x, let y): out.shape = .plane(sizeX: x * k, sizeY: y * k)
        case .mesh(let m, let s): out.shape = .mesh(m, scale: s * k)
        }
        for r in 0..<3 { out.objectFromPart[r, 3] *= k }
        return out
    }
}

extension ObjectModel {
    /// An upper bound on the object's largest horizontal extent (metres), for capacity estimates.
    public var maxFootprint: Double {
        switch self {
        case .box(let s): return max(s.x.upperBound, s.y.upperBound)
        case .cylinder(let r, _): return 2 * r.upperBound
        case .sphere(let r): return 2 * r.upperBound
        case .plane(let x, let y): return max(x.upperBound, y.upperBound)
        case .builtIn(_, let s): return max(s.x.upperBound, s.y.upperBound)
        case .parts(let parts):
            return parts.map { p in
                let reach = max(
                    abs(p.offset.x.lowerBound), abs(p.offset.x.upperBound), abs(p.offset.y.lowerBound),
                    abs(p.offset.y.upperBound))
                return 2 * reach + p.model.maxFootprint
            }.max() ?? 0
        case .asset(let a, let size):
            let fit = size.map { s in a.fitScale(Vec3(s.x.upperBound, s.y.upperBound, s.z.upperBound)) } ?? 1
            return max(a.naturalSize.x, a.naturalSize.y) * fit
        }
    }

    /// Draws sizes (and part colors) and builds the primitives. `color` is the object's color.
    func sampleParts(color: RGB, rng: inout Xoshiro256StarStar) -> [SampledPart] {
        switch self {
        case .box(let s):
            return [SampledPart(name: "", shape: .box(size: rng.sample(s)), objectFromPart: .identity, color: color)]
        case .cylinder(let r, let h):
            let radius = rng.sample(r)
            return [
                SampledPart(
                    name: "", shape: .cylinder(radius: radius, height: rng.sample(h)), objectFromPart: .identity,
                    color: color)
            ]
        case .sphere(let r):
            return [
                SampledPart(name: "", shape: .sphere(radius: rng.sample(r)), objectFromPart: .identity, color: color)
            ]
        case .plane(let x, let y):
            let sx = rng.sample(x)
            return [
                SampledPart(
                    name: "", shape: .plane(sizeX: sx, sizeY: rng.sample(y)), objectFromPart: .identity, color: color)
            ]
        case .builtIn(let model, let s):
            return model.parts(size: rng.sample(s), color: color)
        case .parts(let parts):
            return parts.enumerated().map { i, p in
                let partColor = p.colors.map { rng.choose($0) } ?? color
                let inner = p.model.sampleParts(color: partColor, rng: &rng)[0]
                let offset = rng.sample(p.offset)
                let yaw = rng.sample(p.yawDeg), pitch = rng.sample(p.pitchDeg), roll = rng.sample(p.rollDeg)
                let pose = Mat4.pose(position: offset, yaw: radians(yaw), pitch: radians(pitch), roll: radians(roll))
                return SampledPart(name: "part\(i)", shape: inner.shape, objectFromPart: pose, color: partColor)
            }
        case .asset(let a, let size):
            let fit = size.map { a.fitScale(rng.sample($0)) } ?? 1
            return a.sampledParts(scale: fit, color: color, roughness: nil, metallic: nil)
        }
    }
}

extension ObjectTemplate {
    /// Draws one object's color and model, then its scale and finish (each only when the file
    /// randomizes it, so scenes without them draw exactly as before).
    func sampleParts(rng: inout Xoshiro256StarStar) -> [SampledPart] {
        let color = rng.choose(colors)
        let parts = model.sampleParts(color: color, rng: &rng)
        let k = rng.sample(scale)
        let roughness = self.roughness.map { rng.sample($0) }, metallic = self.metallic.map { rng.sample($0) }
        guard k != 1 || roughness != nil || metallic != nil else { return parts }
        return parts.map { p in
            var out = p.scaled(by: k)
            if let roughness { out.finish.roughness = roughness }
            if let metallic { out.finish.metallic = metallic }
            return out
        }
    }
}

extension BuiltInModel {
    /// The primitives of this model at overall size (length, width, height).
    public func parts(size: Vec3, color: RGB) -> [SampledPart] {
        let L = size.x, W = size.y, H = size.z
        func part(_ name: String, _ shape: Shape, _ pose: Mat4, _ c: RGB) -> SampledPart {
            SampledPart(name: name, shape: shape, objectFromPart: pose, color: c)
        }
        switch self {
        case .car:
            let r = min(0.36, 0.24 * H), wheelWidth = min(0.25, 0.13 * W)
            let clearance = 0.55 * r, beltLine = 0.58 * H
            let glass = linearRGB([35, 40, 48]), tyre = linearRGB([22, 22, 22])
            var parts = [
                part(
                    "body", .box(size: Vec3(L, W - 0.06, beltLine - clearance)), .translation(Vec3(0, 0, clearance)),
                    color),
                part(
                    "cabin", .box(size: Vec3(0.5 * L, 0.84 * W, H - beltLine)),
                    .translation(Vec3(-0.06 * L, 0, beltLine)), glass),
            ]
            // Wheels: cylinders turned so their axis is +Y (rotationX(-90°) maps local Z to +Y),
            // each spanning [y0, y0 + wheelWidth] across the car.
            for (label, x) in [("f", 0.31 * L), ("r", -0.31 * L)] {
                for (sideLabel, y0) in [("l", W / 2 - wheelWidth), ("r", -W / 2)] {
                    let pose = Mat4.translation(Vec3(x, y0, r)) * Mat4.rotationX(-Double.pi / 2)
                    parts.append(
                        part("wheel_\(label)\(sideLabel)", .cylinder(radius: r, height: wheelWidth), pose, tyre))
                }
            }
            return parts
        case .tree:
            let crownRadius = min(min(L, W) / 2, 0.375 * H)
            let crownBottom = H - 2 * crownRadius
            let trunkRadius = max(0.05, 0.06 * min(L, W))
            return [
                part(
                    "trunk", .cylinder(radius: trunkRadius, height: crownBottom + 0.3 * crownRadius), .identity,
                    linearRGB([90, 64, 40])),
                part("crown", .sphere(radius: crownRadius), .translation(Vec3(0, 0, crownBottom)), color),
            ]
        case .pedestrian:
            let headRadius = 0.065 * H, hip = 0.47 * H
            let torsoRadius = 0.35 * min(L, W), legRadius = 0.12 * min(L, W)
            let trousers = linearRGB([40, 45, 60]), skin = linearRGB([200, 160, 130])
            return [
                part(
                    "leg_l", .cylinder(radius: legRadius, height: hip), .translation(Vec3(0, 0.45 * torsoRadius, 0)),
                    trousers),
                part(
                    "leg_r", .cylinder(radius: legRadius, height: hip), .translation(Vec3(0, -0.45 * torsoRadius, 0)),
                    trousers),
                part(
                    "torso", .cylinder(radius: torsoRadius, height: H - 2 * headRadius - hip),
                    .translation(Vec3(0, 0, hip)), color),
                part("head", .sphere(radius: headRadius), .translation(Vec3(0, 0, H - 2 * headRadius)), skin),
            ]
        case .streetLamp:
            // The arm reaches along local +Y: towards the road for lamps placed along it.
            let poleRadius = max(0.04, 0.3 * L), arm = 0.08
            return [
                part("pole", .cylinder(radius: poleRadius, height: H), .identity, color),
                part("arm", .box(size: Vec3(arm, W, arm)), .translation(Vec3(0, W / 2, H - arm)), color),
                part(
                    "lamp", .box(size: Vec3(0.3, 0.45, 0.1)), .translation(Vec3(0, W - 0.2, H - arm - 0.1)),
                    linearRGB([255, 244, 214])),
            ]
        case .trafficCone:
            let base = 0.05 * H, segment = 0.3 * H, w = min(L, W)
            var parts = [part("base", .box(size: Vec3(L, W, base)), .identity, color)]
            for k in 0..<3 {
                let c = k == 1 ? linearRGB([240, 240, 240]) : color
                parts.append(
                    part(
                        "cone\(k)", .cylinder(radius: (0.4 - 0.1 * Double(k)) * w, height: segment),
                        .translation(Vec3(0, 0, base + segment * Double(k))), c))
            }
            parts.append(
                part(
                    "tip", .cylinder(radius: 0.08 * w, height: H - base - 3 * segment),
                    .translation(Vec3(0, 0, base + 3 * segment)), color))
            return parts
        }
    }
}

extension Shape {
    /// The corners of the shape's local bounding box.
    var boundingCorners: [Vec3] {
        let s = scale
        let (lo, hi) = geometry.extent
        var out: [Vec3] = []
        for x in [lo.x, hi.x] {
            for y in [lo.y, hi.y] { for z in [lo.z, hi.z] { out.append(Vec3(x, y, z).scaled(by: s)) } }
        }
        return out
    }
}

extension Array where Element == SampledPart {
    /// Half the object's extent across a direction at `yaw` (radians) from its local X axis: how far
    /// it reaches sideways when it heads `yaw` away from the road's direction.
    func halfExtentAcross(yaw: Double) -> Double {
        let s = sin(yaw), c = cos(yaw)
        var reach = 0.0
        for p in self {
            for corner in p.shape.boundingCorners {
                let q = p.objectFromPart.transformPoint(corner)
                reach = Swift.max(reach, abs(q.x * s + q.y * c))
            }
        }
        return reach
    }
}

@inline(__always) func radians(_ degrees: Double) -> Double { degrees * Double.pi / 180 }

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
