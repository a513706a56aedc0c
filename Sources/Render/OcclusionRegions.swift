import SceneCore

/// Where each object can possibly be hidden, so the coverage pass rasterizes it only there.
///
/// An object can be hidden only at pixels where some other surface that is nearer than the
/// object's farthest point also projects. Each surface's projection is bounded by the screen
/// rectangle of its bounding box's 8 corners (1 pixel of margin; the whole image when a corner is
/// behind the near plane), so the union of "other surface ∩ this object" rectangles contains every
/// pixel where the object can be hidden. The coverage pass draws the object once per rectangle with
/// a scissor; its per-pixel bits make overlapping rectangles count each pixel once, so the result
/// is exact and the same as drawing the object over the whole image — only cheaper.
///
/// An upward-facing plane (ground, road, markings) with the camera above it can hide only what lies
/// below it, so it is no occluder for an object whose lowest point is at or above the plane.
struct OcclusionRegions {
    struct Rect: Hashable {
        var x0: Int
        var y0: Int
        var x1: Int  // inclusive
        var y1: Int
        var isEmpty: Bool { x1 < x0 || y1 < y0 }
        func intersection(_ o: Rect) -> Rect {
            Rect(x0: max(x0, o.x0), y0: max(y0, o.y0), x1: min(x1, o.x1), y1: min(y1, o.y1))
        }
        func union(_ o: Rect) -> Rect {
            Rect(x0: min(x0, o.x0), y0: min(y0, o.y0), x1: max(x1, o.x1), y1: max(y1, o.y1))
        }
        var area: Int { isEmpty ? 0 : (x1 - x0 + 1) * (y1 - y0 + 1) }
    }

    /// Per-instance rectangles to rasterize (empty: the object cannot be hidden).
    var regions: [Int: [Rect]] = [:]

    /// More rectangles than this per object are merged into their bounding rectangle.
    static let maxRectsPerObject = 2

    init(spec: FrameSpec) {
        let k = spec.camera.intrinsics
        let image = Rect(x0: 0, y0: 0, x1: k.width - 1, y1: k.height - 1)
        let cameraFromWorld = spec.camera.cameraFromWorld
        let eye = spec.camera.worldFromCamera.translation

        struct Bound {
            var rect: Rect
            var zNear: Double  // nearest camera z of the box (≤ near when it crosses the plane)
            var zFar: Double
            var worldMinZ: Double
            var groundPlaneHeight: Double?  // set for up-facing planes below the camera
        }
        var bounds: [Bound?] = []
        bounds.reserveCapacity(spec.surfaces.count)
        for s in spec.surfaces {
            let (umin, umax) = s.shape.geometry.extent
            let worldFromUnit = s.worldFromObject * Mat4.scale(s.shape.scale)
            var minU = Double.infinity, maxU = -Double.infinity, minV = Double.infinity, maxV = -Double.infinity
            var zNear = Double.infinity, zFar = -Double.infinity, worldMinZ = Double.infinity
            var behind = false
            for c in 0..<8 {
                let corner = Vec3(
                    c & 1 == 0 ? umin.x : umax.x, c & 2 == 0 ? umin.y : umax.y, c & 4 == 0 ? umin.z : umax.z)
                let w = worldFromUnit.transformPoint(corner)
                worldMinZ = min(worldMinZ, w.z)
                let p = cameraFromWorld.transformPoint(w)
                zNear = min(zNear, p.z)
                zFar = max(zFar, p.z)
                if p.z < k.near {
                    behind = true
                    continue
                }
                let u = k.fx * p.x / p.z + k.cx, v = k.fy * p.y / p.z + k.cy
                minU = min(minU, u); maxU = max(maxU, u); minV = min(minV, v); maxV = max(maxV, v)
            }
            if zFar < k.near {
                bounds.append(nil)  // entirely behind the camera
                continue
            }
            var rect = image
            if !behind {
                rect = Rect(
                    x0: Int((minU - 1).rounded(.down)), y0: Int((minV - 1).rounded(.down)),
                    x1: Int((maxU + 1).rounded(.up)), y1: Int((maxV + 1).rounded(.up))
                ).intersection(image)
            }
            if rect.isEmpty {
                bounds.append(nil)
                continue
            }
            var planeHeight: Double?
            if case .plane = s.shape {
                let n = s.worldFromObject.transformDirection(.unitZ).normalized
                let h = s.worldFromObject.translation.z
                if n.z > 1 - 1e-9 && eye.z > h { planeHeight = h }
            }
            bounds.append(
                Bound(rect: rect, zNear: zNear, zFar: zFar, worldMinZ: worldMinZ, groundPlaneHeight: planeHeight))
        }

        var partsOf: [Int: [Int]] = [:]
        for (i, s) in spec.surfaces.enumerated() where s.instanceID > 0 { partsOf[s.instanceID, default: []].append(i) }
        for (id, parts) in partsOf {
            let own = parts.compactMap { bounds[$0] }
            guard var objectRect = own.first?.rect else {
                regions[id] = []
                continue
            }
            for b in own.dropFirst() { objectRect = objectRect.union(b.rect) }
            let zFar = own.map(\.zFar).max() ?? 0
            let lowest = own.map(\.worldMinZ).min() ?? 0
            var rects: [Rect] = []
            for (j, b) in bounds.enumerated() {
                guard let b, spec.surfaces[j].instanceID != id, b.zNear < zFar else { continue }
                if let h = b.groundPlaneHeight, lowest >= h { continue }
                let r = b.rect.intersection(objectRect)
                if !r.isEmpty { rects.append(r) }
            }
            // Drop rectangles inside others, then merge if too many remain.
            rects = Array(Set(rects)).sorted { ($0.area, $0.x0, $0.y0) > ($1.area, $1.x0, $1.y0) }
            var kept: [Rect] = []
            for r in rects where !kept.contains(where: { $0.intersection(r) == r }) { kept.append(r) }
            if kept.count > Self.maxRectsPerObject, let first = kept.first {
                kept = [kept.dropFirst().reduce(first) { $0.union($1) }]
            }
            regions[id] = kept
        }
    }
}
