import SceneCore

/// Amodal boxes, visibility, truncation and 3D boxes: what an object's labels say beyond its mask.
///
/// - Amodal box and visibility come from the renderer's hidden-pixel counts (`RenderedFrame.coverage`):
///   the unoccluded silhouette is the visible mask plus the hidden pixels, both rasterized by the
///   same GL pass rules, so visibility = visible / (visible + hidden) is exact, not estimated.
/// - The unclipped extent projects every vertex of the object's meshes (edges crossing the near
///   plane are cut there), so it also reaches beyond the image, where no pixel can be counted.
/// - The 3D box is the instance's box from the frame spec, in world and camera coordinates.
/// Extent and 3D box need the instance in `FrameSpec.instances`; amodal needs `frame.coverage`.
enum ObjectGeometry {
    static func annotate(_ objects: inout [ObjectLabel], frame: RenderedFrame, spec: FrameSpec) {
        guard !objects.isEmpty else { return }
        var hidden: [Int: InstanceCoverage] = [:]
        for c in frame.coverage { hidden[c.instanceID] = c }
        var instances: [Int: InstanceSpec] = [:]
        for i in spec.instances { instances[i.instanceID] = i }
        var parts: [Int: [Surface]] = [:]
        for s in spec.surfaces where s.instanceID > 0 { parts[s.instanceID, default: []].append(s) }
        let cameraFromWorld = spec.camera.cameraFromWorld
        let k = spec.camera.intrinsics

        for n in objects.indices {
            let id = objects[n].instanceID
            if !frame.coverage.isEmpty {
                let h = hidden[id]
                let hiddenPixels = h?.pixels ?? 0
                var box = objects[n].bbox
                if let h, h.pixels > 0 {
                    box = PixelBox(
                        xmin: min(box.xmin, h.xmin), ymin: min(box.ymin, h.ymin),
                        xmax: max(box.xmax, h.xmax), ymax: max(box.ymax, h.ymax))
                }
                let total = objects[n].pixels + hiddenPixels
                objects[n].amodal = AmodalLabel(
                    box: box, pixels: total, visibility: Double(objects[n].pixels) / Double(total))
            }
            // Geometry labels need the instance described in the spec (frames built by hand may not).
            if let inst = instances[id] {
                if let surfaces = parts[id], let extent = projectedExtent(surfaces, cameraFromWorld: cameraFromWorld, k)
                {
                    objects[n].extent = extent
                }
                let worldFromBox = inst.worldFromBox
                objects[n].box3D = Box3DLabel(
                    size: inst.size, worldFromBox: worldFromBox, cameraFromBox: cameraFromWorld * worldFromBox)
            }
        }
    }

    /// The unit meshes' vertices, made once.
    private static let meshes: [UnitMesh: Mesh] = Dictionary(
        uniqueKeysWithValues: UnitMesh.allCases.map { ($0, $0.mesh) })

    static func projectedExtent(_ surfaces: [Surface], cameraFromWorld: Mat4, _ k: CameraIntrinsics) -> ProjectedExtent?
    {
        var umin = Double.infinity, vmin = Double.infinity, umax = -Double.infinity, vmax = -Double.infinity
        func add(_ p: Vec3) {
            let u = k.fx * p.x / p.z + k.cx, v = k.fy * p.y / p.z + k.cy
            umin = min(umin, u); umax = max(umax, u); vmin = min(vmin, v); vmax = max(vmax, v)
        }
        for s in surfaces {
            let mesh: Mesh
            switch s.shape.geometry {
            case .unit(let u):
                guard let m = meshes[u] else { continue }
                mesh = m
            case .custom(let m): mesh = m.mesh
            }
            let m = cameraFromWorld * s.worldFromObject * Mat4.scale(s.shape.scale)
            var points: [Vec3] = []
            points.reserveCapacity(mesh.vertexCount)
            for v in 0..<mesh.vertexCount {
                points.append(
                    m.transformPoint(
                        Vec3(
                            Double(mesh.positions[v * 3]), Double(mesh.positions[v * 3 + 1]),
                            Double(mesh.positions[v * 3 + 2]))))
            }
            let anyBehind = points.contains { $0.z < k.near }
            if !anyBehind {
                for p in points { add(p) }
                continue
            }
            // Cut at the near plane: keep vertices in front and the points where edges cross it.
            for p in points where p.z >= k.near { add(p) }
            for t in stride(from: 0, to: mesh.indices.count, by: 3) {
                for (a, b) in [(0, 1), (1, 2), (2, 0)] {
                    let p = points[Int(mesh.indices[t + a])], q = points[Int(mesh.indices[t + b])]
                    if (p.z < k.near) != (q.z < k.near) {
                        let f = (k.near - p.z) / (q.z - p.z)
                        add(p + (q - p) * f)
                    }
                }
            }
        }
        guard umin.isFinite, vmin.isFinite, umax.isFinite, vmax.isFinite else { return nil }
        let W = Double(k.width), H = Double(k.height)
        let area = max(umax - umin, 0) * max(vmax - vmin, 0)
        let insideW = max(0, min(umax, W - 0.5) - max(umin, -0.5))
        let insideH = max(0, min(vmax, H - 0.5) - max(vmin, -0.5))
        let truncation = area > 0 ? min(1, max(0, 1 - insideW * insideH / area)) : 0
        return ProjectedExtent(box: [umin, vmin, umax, vmax], truncation: truncation)
    }
}
