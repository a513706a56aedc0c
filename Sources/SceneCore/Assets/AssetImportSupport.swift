import Foundation

// What the glTF and OBJ importers share: limits, the axis conversion, part naming, flat normals
// and the reading of the files an asset refers to.

/// Hard caps on what one asset may make the importer allocate, so a hostile or broken file fails
/// with an error instead of exhausting memory. Counts are summed over the asset's distinct meshes.
public enum AssetImportLimits {
    /// Vertices over all meshes of one asset.
    public static let maxVertices = 10_000_000
    /// Triangle indices (3 per triangle) over all meshes of one asset.
    public static let maxIndices = 30_000_000
    /// Parts of one asset. glTF instancing multiplies nodes by primitives, so a small file could
    /// otherwise ask for billions of parts.
    public static let maxParts = 100_000
    /// Size of a glTF JSON document (a .gltf file or a GLB's JSON chunk).
    public static let maxJSONBytes = 64 << 20
}

/// Counts what an import has allocated so far against `AssetImportLimits`.
struct ImportBudget {
    let file: String
    private(set) var vertices = 0
    private(set) var indices = 0

    init(file: String) { self.file = file }

    /// Refuses `count` more vertices (`element` names what asked) once the cap would be passed.
    mutating func spend(vertices count: Int, element: String) throws {
        guard count >= 0, count <= AssetImportLimits.maxVertices - vertices else {
            throw AssetImportError(
                file: file, element: element,
                message: "the asset would have more than \(AssetImportLimits.maxVertices) vertices")
        }
        vertices += count
    }

    mutating func spend(indices count: Int, element: String) throws {
        guard count >= 0, count <= AssetImportLimits.maxIndices - indices else {
            throw AssetImportError(
                file: file, element: element,
                message: "the asset would have more than \(AssetImportLimits.maxIndices / 3) triangles")
        }
        indices += count
    }
}

/// `a + b` and `a * b` that say nil instead of trapping on overflow: every offset and length read
/// from a file goes through them before it is compared with the bytes at hand.
func checkedSum(_ a: Int, _ b: Int) -> Int? {
    let (r, o) = a.addingReportingOverflow(b)
    return o ? nil : r
}

func checkedProduct(_ a: Int, _ b: Int) -> Int? {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? nil : r
}

enum AssetAxes {
    /// SceneFarm frame from file frame. A Y-up file follows glTF: +Y up, +Z forward, +X left, so
    /// (x, y, z)_SceneFarm = (z, x, y)_file: a cyclic permutation of the axes, which keeps handedness
    /// (determinant +unitScale³), so winding and normals need no flip. A Z-up file is taken as
    /// already X forward, Y left; only the unit scale applies.
    static func sceneFarmFromFile(_ options: AssetImportOptions) -> Mat4 {
        let s = options.unitScale
        switch options.upAxis {
        case .y: return Mat4(rows: [[0, 0, s, 0], [s, 0, 0, 0], [0, s, 0, 0], [0, 0, 0, 1]])
        case .z: return Mat4.scale(Vec3(s, s, s))
        }
    }

    static func validate(_ options: AssetImportOptions, file: String) throws {
        guard options.unitScale.isFinite, options.unitScale > 0 else {
            throw AssetImportError(
                file: file, element: "unit_scale",
                message: "must be a positive number of metres per file unit, found \(options.unitScale)")
        }
    }
}

/// Names parts uniquely within an asset: the first "wheel" stays "wheel", later ones become
/// "wheel_1", "wheel_2", skipping names already taken.
struct PartNamer {
    private var used: Set<String> = []
    /// The next suffix to try per base name, so naming n parts alike stays linear.
    private var nextSuffix: [String: Int] = [:]

    mutating func unique(_ base: String) -> String {
        var name = base
        var k = nextSuffix[base] ?? 1
        while used.contains(name) {
            name = "\(base)_\(k)"
            k += 1
        }
        nextSuffix[base] = k
        used.insert(name)
        return name
    }
}

enum MeshNormals {
    /// The normal of triangle a-b-c wound counter-clockwise, or +Z for a degenerate one (which
    /// covers no pixels, so any unit vector will do).
    static func faceNormal(_ a: Vec3, _ b: Vec3, _ c: Vec3) -> Vec3 {
        let n = (b - a).cross(c - a)
        let l = n.length
        return l > 0 && l.isFinite ? n / l : .unitZ
    }

    static func point(_ positions: [Float], _ i: Int) -> Vec3 {
        Vec3(Double(positions[3 * i]), Double(positions[3 * i + 1]), Double(positions[3 * i + 2]))
    }

    /// A flat-shaded copy of an indexed mesh: every triangle gets three vertices of its own with the
    /// triangle's normal (glTF requires flat normals where a primitive has none). `indices` must be
    /// in range; `uvs` is empty or two per vertex.
    static func flatShaded(positions: [Float], uvs: [Float], indices: [UInt32]) -> Mesh {
        var mesh = Mesh()
        mesh.positions.reserveCapacity(indices.count * 3)
        mesh.normals.reserveCapacity(indices.count * 3)
        if !uvs.isEmpty { mesh.uvs.reserveCapacity(indices.count * 2) }
        for t in stride(from: 0, to: indices.count - indices.count % 3, by: 3) {
            let corners = [Int(indices[t]), Int(indices[t + 1]), Int(indices[t + 2])]
            let n = faceNormal(point(positions, corners[0]), point(positions, corners[1]), point(positions, corners[2]))
            for v in corners {
                mesh.positions += [positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]]
                mesh.normals += [Float(n.x), Float(n.y), Float(n.z)]
                if !uvs.isEmpty { mesh.uvs += [uvs[2 * v], uvs[2 * v + 1]] }
            }
        }
        mesh.indices = (0..<UInt32(indices.count - indices.count % 3)).map { $0 }
        return mesh
    }

    /// Scales each normal to unit length; a zero normal (which a file should not have) becomes +Z.
    static func normalize(_ normals: inout [Float]) {
        for v in stride(from: 0, to: normals.count - normals.count % 3, by: 3) {
            let x = Double(normals[v]), y = Double(normals[v + 1]), z = Double(normals[v + 2])
            let l = (x * x + y * y + z * z).squareRoot()
            if l > 0 {
                normals[v] = Float(x / l)
                normals[v + 1] = Float(y / l)
                normals[v + 2] = Float(z / l)
            } else {
                normals[v] = 0
                normals[v + 1] = 0
                normals[v + 2] = 1
            }
        }
    }
}

/// URIs inside asset files: `data:` URIs and relative paths, percent-encoded.
enum AssetURI {
    /// A `data:` URI split into its media type and decoded bytes; nil when `uri` is not a data URI.
    /// Throws (a message) for a data URI that is not base64 or whose base64 is broken.
    static func decodeData(_ uri: String) throws(AssetURIError) -> (mediaType: String, bytes: [UInt8])? {
        guard uri.lowercased().hasPrefix("data:") else { return nil }
        guard let comma = uri.firstIndex(of: ",") else { throw AssetURIError("data URI without a `,`") }
        let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma]
        let params = header.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard params.last == "base64" else {
            throw AssetURIError("data URI is not base64-encoded (`;base64,` expected)")
        }
        let payload = uri[uri.index(after: comma)...]
        guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters) else {
            throw AssetURIError("data URI has invalid base64")
        }
        return (params.first ?? "", [UInt8](data))
    }

    /// The file path a relative URI names, percent-decoded. URIs with a scheme (`http:`, `file:`) and
    /// absolute paths are refused: an asset refers only to files beside it.
    static func relativePath(_ uri: String) throws(AssetURIError) -> String {
        guard !uri.isEmpty else { throw AssetURIError("empty URI") }
        if let colon = uri.firstIndex(of: ":"), !uri[..<colon].contains("/") {
            throw AssetURIError("`\(uri)` is not a relative path; only files beside the asset can be referenced")
        }
        guard let path = uri.removingPercentEncoding else {
            throw AssetURIError("`\(uri)` has an invalid percent-encoding")
        }
        guard !path.hasPrefix("/") else {
            throw AssetURIError("`\(uri)` is an absolute path; only files beside the asset can be referenced")
        }
        guard !path.contains("\0") else { throw AssetURIError("`\(uri)` contains a NUL character") }
        return path
    }

    /// Reads the file a relative `uri` names through `resolve`, turning every failure into an error
    /// naming `element` and the URI.
    static func read(
        _ uri: String, file: String, element: String, resolve: (String) throws -> [UInt8]
    ) throws -> [UInt8] {
        let path: String
        do {
            path = try relativePath(uri)
        } catch {
            throw AssetImportError(file: file, element: element, message: error.message)
        }
        do {
            return try resolve(path)
        } catch {
            throw AssetImportError(file: file, element: element, message: "cannot read `\(path)`: \(error)")
        }
    }
}

struct AssetURIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
