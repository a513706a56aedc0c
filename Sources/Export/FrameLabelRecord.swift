import Foundation
import Labels
import SceneCore

/// `labels/N.json`: one frame's camera and objects, as stored. Decoding reads the file; `json`
/// writes it.
public struct FrameLabelRecord: Codable, Hashable, Sendable {
    public struct CameraRecord: Codable, Hashable, Sendable {
        /// The intrinsic matrix K as three rows (OpenCV convention, see docs/DATASET.md).
        public var K: [[Double]]
        /// Camera (OpenCV: x right, y down, z forward) to world (Z up), four rows.
        public var worldFromCamera: [[Double]]

        enum CodingKeys: String, CodingKey {
            case K
            case worldFromCamera = "world_from_camera"
        }
    }

    public struct ObjectRecord: Codable, Hashable, Sendable {
        public var instanceID: Int
        public var classID: Int
        public var className: String
        /// [xmin, ymin, xmax, ymax], inclusive pixel indices.
        public var bbox: [Int]
        public var pixels: Int
        /// Extent of the unoccluded silhouette in the image, inclusive pixel indices.
        public var amodalBBox: [Int]?
        /// Pixels of the unoccluded silhouette in the image.
        public var amodalPixels: Int?
        /// pixels / amodal_pixels.
        public var visibility: Double?
        /// Projected extent of the geometry, [umin, vmin, umax, vmax], continuous, unclipped.
        public var amodalBBoxUnclipped: [Double]?
        /// Share of the unclipped extent outside the image.
        public var truncation: Double?
        public var box3D: Box3DRecord?

        public init(
            instanceID: Int, classID: Int, className: String, bbox: [Int], pixels: Int, amodalBBox: [Int]? = nil,
            amodalPixels: Int? = nil, visibility: Double? = nil, amodalBBoxUnclipped: [Double]? = nil,
            truncation: Double? = nil, box3D: Box3DRecord? = nil
        ) {
            self.instanceID = instanceID
            self.classID = classID
            self.className = className
            self.bbox = bbox
            self.pixels = pixels
            self.amodalBBox = amodalBBox
            self.amodalPixels = amodalPixels
            self.visibility = visibility
            self.amodalBBoxUnclipped = amodalBBoxUnclipped
            self.truncation = truncation
            self.box3D = box3D
        }

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id"
            case classID = "class_id"
            case className = "class"
            case bbox
            case pixels
            case amodalBBox = "amodal_bbox"
            case amodalPixels = "amodal_pixels"
            case visibility
            case amodalBBoxUnclipped = "amodal_bbox_unclipped"
            case truncation
            case box3D = "box3d"
        }
    }

    /// An oriented 3D box: `size` [length, width, height] along the box axes (the object's X
    /// forward, Y left, Z up), and the box frame (origin at its centre) as 4x4 rows.
    public struct Box3DRecord: Codable, Hashable, Sendable {
        public var size: [Double]
        public var worldFromBox: [[Double]]
        public var cameraFromBox: [[Double]]

        public init(size: [Double], worldFromBox: [[Double]], cameraFromBox: [[Double]]) {
            self.size = size
            self.worldFromBox = worldFromBox
            self.cameraFromBox = cameraFromBox
        }

        enum CodingKeys: String, CodingKey {
            case size
            case worldFromBox = "world_from_box"
            case cameraFromBox = "camera_from_box"
        }

        /// Box centre in camera coordinates (OpenCV, metres).
        public var centerCamera: [Double] { [cameraFromBox[0][3], cameraFromBox[1][3], cameraFromBox[2][3]] }
    }

    public var frame: Int
    public var width: Int
    public var height: Int
    public var camera: CameraRecord
    public var objects: [ObjectRecord]
    /// The frame's sampled lighting, for filtering and stratifying (absent in older files).
    public var lighting: LightingRecord?

    /// The sampled variation values of a frame's lighting.
    public struct LightingRecord: Codable, Hashable, Sendable {
        /// Unit vector towards the sun, world coordinates.
        public var sunDirection: [Double]
        /// Degrees above the horizon, and from +X counter-clockwise.
        public var sunElevationDeg: Double
        public var sunAzimuthDeg: Double
        /// Linear RGB (color times intensity).
        public var sunColor: [Double]
        public var skyColor: [Double]
        /// The frame's weather; only for scenes with a `weather` block (absent otherwise).
        public var weather: WeatherRecord?

        enum CodingKeys: String, CodingKey {
            case sunDirection = "sun_direction"
            case sunElevationDeg = "sun_elevation_deg"
            case sunAzimuthDeg = "sun_azimuth_deg"
            case sunColor = "sun_color"
            case skyColor = "sky_color"
            case weather
        }

        init(_ l: Lighting) {
            let d = l.sunDirection
            sunDirection = d.array
            sunElevationDeg = asin(max(-1, min(1, d.z))) * 180 / .pi
            sunAzimuthDeg = atan2(d.y, d.x) * 180 / .pi
            sunColor = l.sunColor.array
            skyColor = l.skyColor.array
            weather = l.weather.map {
                WeatherRecord($0, exposure: l.exposure, shadows: l.castsSunShadows, localLights: l.lights.count)
            }
        }
    }

    /// The sampled weather of a frame (`lighting.weather` in the file).
    public struct WeatherRecord: Codable, Hashable, Sendable {
        /// `clear`, `overcast`, `fog`, `night`, `rain` or `snow`.
        public var condition: String
        /// 0 (clear) ... 1 (overcast).
        public var cloudCover: Double
        /// Fog extinction per metre at z = 0 and its falloff per metre of height; nil without fog.
        public var fogDensity: Double?
        public var fogHeightFalloff: Double?
        /// The exposure the color was rendered with (1 = none).
        public var exposure: Double
        /// Whether the sun cast shadows.
        public var shadows: Bool
        /// Rain or snow intensity (0...1) under those conditions; nil otherwise.
        public var rainIntensity: Double?
        public var snowIntensity: Double?
        /// How wet upward-facing surfaces are, the share of the road in puddles and how much snow
        /// lies on what faces up (0...1 each); nil where there is none.
        public var wetness: Double?
        public var puddles: Double?
        public var snowCover: Double?
        /// Local lights that lit the frame (street lamps, vehicle lights, the file's lights).
        public var localLights: Int

        enum CodingKeys: String, CodingKey {
            case condition
            case cloudCover = "cloud_cover"
            case fogDensity = "fog_density"
            case fogHeightFalloff = "fog_height_falloff"
            case exposure
            case shadows
            case rainIntensity = "rain_intensity"
            case snowIntensity = "snow_intensity"
            case wetness
            case puddles
            case snowCover = "snow_cover"
            case localLights = "local_lights"
        }

        init(_ w: WeatherState, exposure: Double, shadows: Bool, localLights: Int) {
            condition = w.condition.rawValue
            cloudCover = w.cloudCover
            fogDensity = w.fog?.density
            fogHeightFalloff = w.fog?.heightFalloff
            self.exposure = exposure
            self.shadows = shadows
            rainIntensity = w.precipitation.flatMap { $0.kind == .rain ? $0.intensity : nil }
            snowIntensity = w.precipitation.flatMap { $0.kind == .snow ? $0.intensity : nil }
            wetness = w.wetness
            puddles = w.puddles
            snowCover = w.snowCover
            self.localLights = localLights
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            condition = try c.decode(String.self, forKey: .condition)
            cloudCover = try c.decode(Double.self, forKey: .cloudCover)
            fogDensity = try c.decodeIfPresent(Double.self, forKey: .fogDensity)
            fogHeightFalloff = try c.decodeIfPresent(Double.self, forKey: .fogHeightFalloff)
            exposure = try c.decode(Double.self, forKey: .exposure)
            shadows = try c.decode(Bool.self, forKey: .shadows)
            rainIntensity = try c.decodeIfPresent(Double.self, forKey: .rainIntensity)
            snowIntensity = try c.decodeIfPresent(Double.self, forKey: .snowIntensity)
            wetness = try c.decodeIfPresent(Double.self, forKey: .wetness)
            puddles = try c.decodeIfPresent(Double.self, forKey: .puddles)
            snowCover = try c.decodeIfPresent(Double.self, forKey: .snowCover)
            // Datasets written before local lights existed have none.
            localLights = try c.decodeIfPresent(Int.self, forKey: .localLights) ?? 0
        }

        var json: JSONValue {
            var fields: [String: JSONValue] = [
                "condition": .string(condition),
                "cloud_cover": .double(cloudCover),
                "exposure": .double(exposure),
                "shadows": .bool(shadows),
            ]
            if let d = fogDensity { fields["fog_density"] = .double(d) }
            if let f = fogHeightFalloff { fields["fog_height_falloff"] = .double(f) }
            if let r = rainIntensity { fields["rain_intensity"] = .double(r) }
            if let r = snowIntensity { fields["snow_intensity"] = .double(r) }
            if let w = wetness { fields["wetness"] = .double(w) }
            if let p = puddles { fields["puddles"] = .double(p) }
            if let c = snowCover { fields["snow_cover"] = .double(c) }
            if localLights > 0 { fields["local_lights"] = .int(localLights) }
            return .object(fields)
        }
    }

    public init(labels: FrameLabels, spec: FrameSpec) {
        frame = labels.frame
        width = labels.width
        height = labels.height
        camera = CameraRecord(K: spec.camera.intrinsics.K, worldFromCamera: spec.camera.worldFromCamera.rows)
        lighting = LightingRecord(spec.lighting)
        objects = labels.objects.map { o in
            ObjectRecord(
                instanceID: o.instanceID, classID: o.classID, className: o.className,
                bbox: [o.bbox.xmin, o.bbox.ymin, o.bbox.xmax, o.bbox.ymax], pixels: o.pixels,
                amodalBBox: o.amodal.map { [$0.box.xmin, $0.box.ymin, $0.box.xmax, $0.box.ymax] },
                amodalPixels: o.amodal?.pixels, visibility: o.amodal?.visibility,
                amodalBBoxUnclipped: o.extent?.box, truncation: o.extent?.truncation,
                box3D: o.box3D.map {
                    Box3DRecord(
                        size: $0.size.array, worldFromBox: $0.worldFromBox.rows, cameraFromBox: $0.cameraFromBox.rows)
                })
        }
    }

    /// The file's content, deterministic (see `JSONValue`).
    public var json: JSONValue {
        func matrix(_ rows: [[Double]]) -> JSONValue { .array(rows.map { .array($0.map { .double($0) }) }) }
        var top: [String: JSONValue] = [
            "frame": .int(frame),
            "width": .int(width),
            "height": .int(height),
            "camera": .object(["K": matrix(camera.K), "world_from_camera": matrix(camera.worldFromCamera)]),
            "objects": .array(
                objects.map { o in
                    var fields: [String: JSONValue] = [
                        "instance_id": .int(o.instanceID),
                        "class_id": .int(o.classID),
                        "class": .string(o.className),
                        "bbox": .array(o.bbox.map { .int($0) }),
                        "pixels": .int(o.pixels),
                    ]
                    if let b = o.amodalBBox { fields["amodal_bbox"] = .array(b.map { .int($0) }) }
                    if let n = o.amodalPixels { fields["amodal_pixels"] = .int(n) }
                    if let v = o.visibility { fields["visibility"] = .double(v) }
                    if let b = o.amodalBBoxUnclipped { fields["amodal_bbox_unclipped"] = .array(b.map { .double($0) }) }
                    if let t = o.truncation { fields["truncation"] = .double(t) }
                    if let b = o.box3D {
                        fields["box3d"] = .object([
                            "size": .array(b.size.map { .double($0) }),
                            "world_from_box": matrix(b.worldFromBox),
                            "camera_from_box": matrix(b.cameraFromBox),
                        ])
                    }
                    return .object(fields)
                }),
        ]
        if let l = lighting {
            var fields: [String: JSONValue] = [
                "sun_direction": .array(l.sunDirection.map { .double($0) }),
                "sun_elevation_deg": .double(l.sunElevationDeg),
                "sun_azimuth_deg": .double(l.sunAzimuthDeg),
                "sun_color": .array(l.sunColor.map { .double($0) }),
                "sky_color": .array(l.skyColor.map { .double($0) }),
            ]
            if let w = l.weather { fields["weather"] = w.json }
            top["lighting"] = .object(fields)
        }
        return .object(top)
    }
}
