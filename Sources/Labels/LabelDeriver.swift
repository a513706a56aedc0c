import SceneCore

/// Derives a frame's labels from its rendered buffers and its spec, in one pass over the pixels.
///
/// ```
///  surface id buffer ──┐   per-surface tables (built once per frame from spec.surfaces):
///                      ├──▶  id k ─▶ instance id, class id, object slot
///  depth buffer ───────┘                                  │
///                            one pass over the pixels ────┴─▶ instance map, semantic map,
///                                                              depth in mm, per-object count + box
/// ```
///
/// The semantic map comes from the surface table, never from a second render, so the semantic and
/// instance maps can never disagree. Boxes are the exact extent of each instance's mask.
public enum LabelDeriver {
    /// The name given to class id 0 when a surface with an instance id has no class.
    public static let unlabelledClassName = "unlabelled"

    /// Derives the labels of `frame`, which must have been rendered from `spec`.
    ///
    /// Throws a `LabelError` (naming the frame, and the pixel or surface) when a buffer's size does
    /// not match `width * height`, a pixel holds a surface id beyond `spec.surfaces.count`, a pixel
    /// with a surface has a depth that is not positive, or the spec is inconsistent (ids out of
    /// range, a class id missing from the class table, one instance with two classes).
    public static func derive(_ frame: RenderedFrame, spec: FrameSpec) throws -> FrameLabels {
        let index = frame.index
        let width = frame.width, height = frame.height
        try checkSizes(frame, spec: spec)
        let table = try SurfaceTable(spec: spec, frame: index)
        let count = width * height

        // Object accumulators, one per distinct instance id in slot order (sorted by instance id).
        // Slot 0 is a scratch slot that "stuff" surfaces update, which keeps the pixel loop free of a
        // branch; it is never read.
        var accumulators = [Accumulator](repeating: Accumulator(), count: table.slotInstance.count)
        var failure: LabelError?

        var semanticMap = [UInt8]()
        var depthMap = [UInt16]()
        let instanceMap = [UInt16](unsafeUninitializedCapacity: count) { instanceOut, instanceCount in
            semanticMap = [UInt8](unsafeUninitializedCapacity: count) { semanticOut, semanticCount in
                depthMap = [UInt16](unsafeUninitializedCapacity: count) { depthOut, depthCount in
                    frame.surfaceIDs.withUnsafeBufferPointer { ids in
                        frame.depth.withUnsafeBufferPointer { depth in
                            accumulators.withUnsafeMutableBufferPointer { acc in
                                failure = labelPixels(
                                    ids: ids, depth: depth, width: width, height: height, frame: index,
                                    table: table, instanceOut: instanceOut, semanticOut: semanticOut,
                                    depthOut: depthOut, accumulators: acc)
                            }
                        }
                    }
                    if failure != nil { depthOut.initialize(repeating: 0) }
                    depthCount = count
                }
                if failure != nil { semanticOut.initialize(repeating: 0) }
                semanticCount = count
            }
            if failure != nil { instanceOut.initialize(repeating: 0) }
            instanceCount = count
        }
        if let failure { throw failure }

        var objects: [ObjectLabel] = []
        objects.reserveCapacity(accumulators.count - 1)
        for slot in 1..<max(1, accumulators.count) {
            let a = accumulators[slot]
            guard a.pixels > 0 else { continue }
            let classID = table.slotClass[slot]
            objects.append(
                ObjectLabel(
                    instanceID: Int(table.slotInstance[slot]), classID: classID,
                    className: table.className(classID),
                    bbox: PixelBox(xmin: Int(a.xmin), ymin: Int(a.ymin), xmax: Int(a.xmax), ymax: Int(a.ymax)),
                    pixels: a.pixels))
        }
        ObjectGeometry.annotate(&objects, frame: frame, spec: spec)
        return FrameLabels(
            frame: index, width: width, height: height, instanceMap: instanceMap, semanticMap: semanticMap,
            depthMillimetres: depthMap, objects: objects)
    }

    private static func checkSizes(_ frame: RenderedFrame, spec: FrameSpec) throws {
        let index = frame.index
        let width = frame.width, height = frame.height
        guard width > 0, height > 0, width <= 1 << 20, height <= 1 << 20 else {
            throw LabelError(.bufferSizeMismatch, frame: index, detail: "image size \(width)x\(height) is not positive")
        }
        let intrinsics = spec.camera.intrinsics
        guard intrinsics.width == width, intrinsics.height == height else {
            throw LabelError(
                .bufferSizeMismatch, frame: index,
                detail: "frame is \(width)x\(height) but its spec's camera is \(intrinsics.width)x\(intrinsics.height)")
        }
        guard spec.index == index else {
            throw LabelError(
                .bufferSizeMismatch, frame: index, detail: "frame index \(index) but spec index \(spec.index)")
        }
        let count = width * height
        guard frame.surfaceIDs.count == count else {
            throw LabelError(
                .bufferSizeMismatch, frame: index,
                detail: "surface id buffer has \(frame.surfaceIDs.count) values, expected \(width)x\(height) = \(count)"
            )
        }
        guard frame.depth.count == count else {
            throw LabelError(
                .bufferSizeMismatch, frame: index,
                detail: "depth buffer has \(frame.depth.count) values, expected \(width)x\(height) = \(count)")
        }
    }

    /// The hot loop. Its output buffers are uninitialized memory, which it initializes in full
    /// unless it fails. Returns the first error instead of throwing, so that the callers' buffers can
    /// be finished off.
    @inline(__always)
    private static func labelPixels(
        ids: UnsafeBufferPointer<UInt32>, depth: UnsafeBufferPointer<Float>, width: Int, height: Int, frame: Int,
        table: SurfaceTable, instanceOut: UnsafeMutableBufferPointer<UInt16>,
        semanticOut: UnsafeMutableBufferPointer<UInt8>, depthOut: UnsafeMutableBufferPointer<UInt16>,
        accumulators acc: UnsafeMutableBufferPointer<Accumulator>
    ) -> LabelError? {
        let surfaceCount = UInt32(table.surfaceInstance.count - 1)
        return table.surfaceInstance.withUnsafeBufferPointer { surfaceInstance in
            table.surfaceClass.withUnsafeBufferPointer { surfaceClass in
                table.surfaceSlot.withUnsafeBufferPointer { surfaceSlot -> LabelError? in
                    guard let ids = ids.baseAddress, let depth = depth.baseAddress,
                        let instanceOut = instanceOut.baseAddress, let semanticOut = semanticOut.baseAddress,
                        let depthOut = depthOut.baseAddress, let acc = acc.baseAddress
                    else { return nil }
                    // Rows are split into runs of one surface id: the tables are read and the
                    // object's accumulator updated once per run, not once per pixel.
                    for y in 0..<height {
                        let row = y * width
                        let y32 = Int32(truncatingIfNeeded: y)
                        var x = 0
                        while x < width {
                            let start = row + x
                            let id = ids[start]
                            var end = start + 1
                            let rowEnd = row + width
                            while end < rowEnd && ids[end] == id { end += 1 }
                            let length = end - start
                            defer { x += length }
                            if id == 0 {
                                (instanceOut + start).initialize(repeating: 0, count: length)
                                (semanticOut + start).initialize(repeating: 0, count: length)
                                (depthOut + start).initialize(repeating: 0, count: length)
                                continue
                            }
                            guard id <= surfaceCount else {
                                return LabelError(
                                    .surfaceIDOutOfRange, frame: frame,
                                    detail: "pixel (\(x), \(y)) holds surface id \(id) but the spec has "
                                        + "\(surfaceCount) surfaces")
                            }
                            let s = Int(id)
                            (instanceOut + start).initialize(repeating: surfaceInstance[s], count: length)
                            (semanticOut + start).initialize(repeating: surfaceClass[s], count: length)
                            // Double(Float) * 1000 is exact (24 + 10 significant bits), and so is the
                            // + 0.5, so truncating it rounds half up exactly like round(). Saturates
                            // at 65535 (z is first clamped to 66 m, which also maps NaN there, so the
                            // conversion cannot overflow); a positive depth under 0.5 mm reads 1, since
                            // 0 means "no surface". Selects rather than branches, so that depth noise
                            // does not cost mispredictions; a depth that is not positive (or NaN) is
                            // caught after the run.
                            var invalid: UInt8 = 0
                            for p in start..<end {
                                let z = depth[p]
                                invalid |= z > 0 ? 0 : 1
                                let clamped: Float = z < 66 ? (z > 0 ? z : 0) : 66
                                let mm = Int32(Double(clamped) * 1000 + 0.5)
                                let saturated = mm < 65535 ? mm : 65535
                                depthOut[p] = UInt16(truncatingIfNeeded: saturated > 1 ? saturated : 1)
                            }
                            if invalid != 0 {
                                let p = (start..<end).first { !(depth[$0] > 0) } ?? start
                                return LabelError(
                                    .invalidDepth, frame: frame,
                                    detail: "pixel (\(p - row), \(y)) shows surface id \(id) but has depth \(depth[p])")
                            }
                            let a = acc + Int(surfaceSlot[s])
                            let first = Int32(truncatingIfNeeded: x)
                            let last = Int32(truncatingIfNeeded: x + length - 1)
                            if a.pointee.pixels == 0 { a.pointee.ymin = y32 }
                            a.pointee.pixels &+= length
                            if first < a.pointee.xmin { a.pointee.xmin = first }
                            if last > a.pointee.xmax { a.pointee.xmax = last }
                            a.pointee.ymax = y32  // rows are visited top to bottom
                        }
                    }
                    return nil
                }
            }
        }
    }
}

/// Per-object running count and extent.
private struct Accumulator {
    var pixels = 0
    var xmin = Int32.max
    var ymin = Int32.max
    var xmax = Int32(-1)
    var ymax = Int32(-1)
}

/// Lookup tables indexed by surface id (index 0 = "nothing drawn"), and the object slots.
private struct SurfaceTable {
    /// Surface id → instance id (0 for stuff and for id 0).
    var surfaceInstance: [UInt16]
    /// Surface id → semantic class id.
    var surfaceClass: [UInt8]
    /// Surface id → object slot (0 for stuff); slots are numbered in increasing instance id.
    var surfaceSlot: [UInt32]
    /// Slot → instance id and class id (slot 0 unused).
    var slotInstance: [UInt16]
    var slotClass: [Int]
    /// Class id → name.
    var classNames: [Int: String]

    init(spec: FrameSpec, frame: Int) throws {
        var names: [Int: String] = [:]
        for c in spec.classes where names[c.id] == nil { names[c.id] = c.name }
        classNames = names

        let n = spec.surfaces.count
        guard n < Int(UInt32.max) else {
            throw LabelError(.invalidSpec, frame: frame, detail: "\(n) surfaces do not fit 32-bit surface ids")
        }
        surfaceInstance = [0]
        surfaceClass = [0]
        surfaceInstance.reserveCapacity(n + 1)
        surfaceClass.reserveCapacity(n + 1)
        // instance id → (class id, index of the first surface that named it)
        var instanceClass: [Int: (classID: Int, surface: Int)] = [:]
        for (i, surface) in spec.surfaces.enumerated() {
            let what = "surface \(i) \"\(surface.name)\" (id \(i + 1))"
            guard (0...Int(UInt16.max)).contains(surface.instanceID) else {
                throw LabelError(
                    .invalidSpec, frame: frame,
                    detail: "\(what) has instance id \(surface.instanceID), outside 0...65535")
            }
            guard (0...Int(UInt8.max)).contains(surface.classID) else {
                throw LabelError(
                    .invalidSpec, frame: frame, detail: "\(what) has class id \(surface.classID), outside 0...255")
            }
            guard surface.classID == 0 || names[surface.classID] != nil else {
                throw LabelError(
                    .invalidSpec, frame: frame,
                    detail: "\(what) has class id \(surface.classID), which is not in the class table")
            }
            if surface.instanceID != 0 {
                if let first = instanceClass[surface.instanceID] {
                    guard first.classID == surface.classID else {
                        let other = spec.surfaces[first.surface]
                        throw LabelError(
                            .conflictingInstanceClass, frame: frame,
                            detail:
                                "instance \(surface.instanceID) has class \(first.classID) on surface \(first.surface) "
                                + "\"\(other.name)\" but class \(surface.classID) on \(what)")
                    }
                } else {
                    instanceClass[surface.instanceID] = (surface.classID, i)
                }
            }
            surfaceInstance.append(UInt16(surface.instanceID))
            surfaceClass.append(UInt8(surface.classID))
        }

        let instances = instanceClass.keys.sorted()
        var slotOfInstance: [Int: UInt32] = [:]
        slotInstance = [0]
        slotClass = [0]
        for (k, instance) in instances.enumerated() {
            slotOfInstance[instance] = UInt32(k + 1)
            slotInstance.append(UInt16(instance))
            slotClass.append(instanceClass[instance]!.classID)
        }
        surfaceSlot = surfaceInstance.map { $0 == 0 ? 0 : slotOfInstance[Int($0)]! }
    }

    func className(_ id: Int) -> String {
        id == 0 ? LabelDeriver.unlabelledClassName : classNames[id] ?? LabelDeriver.unlabelledClassName
    }
}
