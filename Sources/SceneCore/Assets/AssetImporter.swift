import Foundation

// Entry point of asset import: picks the importer by file extension. The glTF 2.0 (.gltf, .glb)
// and OBJ+MTL importers live beside this file.

/// How a file's coordinates become SceneFarm's (metres, Z up, X forward, Y left).
public struct AssetImportOptions: Hashable, Sendable {
    public enum UpAxis: String, Hashable, Sendable, CaseIterable { case y, z }
    /// Metres per file unit (0.01 for centimetres).
    public var unitScale: Double
    /// The file's up axis. glTF is Y-up by its spec (+Z forward, +X left); OBJ files vary.
    public var upAxis: UpAxis

    public init(unitScale: Double = 1, upAxis: UpAxis = .y) {
        self.unitScale = unitScale
        self.upAxis = upAxis
    }
}

/// A malformed or unsupported asset file: names the file and the offending element
/// (`meshes[2].primitives[0].attributes.POSITION`).
public struct AssetImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var element: String
    public var message: String

    public init(file: String, element: String, message: String) {
        self.file = file
        self.element = element
        self.message = message
    }

    public var description: String { element.isEmpty ? "\(file): \(message)" : "\(file): \(element): \(message)" }
}

public enum AssetImporter {
    /// The file extensions `load` understands.
    public static let extensions = ["gltf", "glb", "obj"]

    /// Imports `bytes`, the file with key `key` (its name decides the format: .gltf, .glb, .obj).
    /// `resolve` reads a file the asset refers to (a .bin buffer, an image, an .mtl) by the URI written
    /// in the file, relative to the asset; it throws for files that are missing or outside the allowed
    /// roots. `name` is the asset's name in the scene.
    ///
    /// Meshes keep the file's coordinates (so instances share one `MeshRef`); every part's
    /// `assetFromPart` carries the file's node transforms and then the axis and unit conversion of
    /// `options`. Errors are `AssetImportError`s with `file` = `key`.
    public static func load(
        bytes: [UInt8], key: String, name: String, options: AssetImportOptions,
        resolve: (String) throws -> [UInt8]
    ) throws -> Asset {
        try AssetAxes.validate(options, file: key)
        switch (key as NSString).pathExtension.lowercased() {
        case "gltf":
            return try GLTFImporter.load(
                bytes: bytes, key: key, name: name, options: options, binary: false, resolve: resolve)
        case "glb":
            return try GLTFImporter.load(
                bytes: bytes, key: key, name: name, options: options, binary: true, resolve: resolve)
        case "obj":
            return try OBJImporter.load(bytes: bytes, key: key, name: name, options: options, resolve: resolve)
        case let ext:
            throw AssetImportError(
                file: key, element: "",
                message: (ext.isEmpty ? "the file has no extension" : "`.\(ext)` is not an asset format")
                    + "; SceneFarm imports " + extensions.map { ".\($0)" }.joined(separator: ", "))
        }
    }
}
