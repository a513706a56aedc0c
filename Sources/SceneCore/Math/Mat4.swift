/// A 4x4 matrix of Doubles, stored column-major (as OpenGL expects), `m[column * 4 + row]`.
///
/// Transforms are named `targetFromSource` throughout: `worldFromCamera * p_camera = p_world`.
public struct Mat4: Hashable, Sendable {
    public var m: [Double]

    public init(columnMajor m: [Double]) {
        precondition(m.count == 16, "Mat4 needs 16 values")
        self.m = m
    }

    /// Builds from rows, which reads naturally in source code.
    public init(rows r: [[Double]]) {
        precondition(r.count == 4 && r.allSatisfy { $0.count == 4 }, "Mat4 needs 4 rows of 4")
        var m = [Double](repeating: 0, count: 16)
        for row in 0..<4 { for col in 0..<4 { m[col * 4 + row] = r[row][col] } }
        self.m = m
    }

    public static let identity = Mat4(rows: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])

    public subscript(row: Int, col: Int) -> Double {
        get { m[col * 4 + row] }
        set { m[col * 4 + row] = newValue }
    }

    public var rows: [[Double]] { (0..<4).map { r in (0..<4).map { c in self[r, c] } } }

    public static func * (a: Mat4, b: Mat4) -> Mat4 {
        var out = [Double](repeating: 0, count: 16)
        for c in 0..<4 {
            for r in 0..<4 {
                var s = 0.0
                for k in 0..<4 { s += a.m[k * 4 + r] * b.m[c * 4 + k] }
                out[c * 4 + r] = s
            }
        }
        return Mat4(columnMajor: out)
    }

    /// Transforms a point (w = 1), dividing by w when it is not 1.
    public func transformPoint(_ p: Vec3) -> Vec3 {
        let x = self[0, 0] * p.x + self[0, 1] * p.y + self[0, 2] * p.z + self[0, 3]
        let y = self[1, 0] * p.x + self[1, 1] * p.y + self[1, 2] * p.z + self[1, 3]
        let z = self[2, 0] * p.x + self[2, 1] * p.y + self[2, 2] * p.z + self[2, 3]
        let w = self[3, 0] * p.x + self[3, 1] * p.y + self[3, 2] * p.z + self[3, 3]
        return w == 1 ? Vec3(x, y, z) : Vec3(x / w, y / w, z / w)
    }

    /// Transforms a direction (w = 0).
    public func transformDirection(_ d: Vec3) -> Vec3 {
        Vec3(
            self[0, 0] * d.x + self[0, 1] * d.y + self[0, 2] * d.z,
            self[1, 0] * d.x + self[1, 1] * d.y + self[1, 2] * d.z,
            self[2, 0] * d.x + self[2, 1] * d.y + self[2, 2] * d.z)
    }

    public var translation: Vec3 { Vec3(self[0, 3], self[1, 3], self[2, 3]) }

    public static func translation(_ t: Vec3) -> Mat4 {
        Mat4(rows: [[1, 0, 0, t.x], [0, 1, 0, t.y], [0, 0, 1, t.z], [0, 0, 0, 1]])
    }

    public static func scale(_ s: Vec3) -> Mat4 {
        Mat4(rows: [[s.x, 0, 0, 0], [0, s.y, 0, 0], [0, 0, s.z, 0], [0, 0, 0, 1]])
    }

    /// Rotation about the world Z (up) axis by `radians`, counter-clockwise seen from above.
    public static func rotationZ(_ radians: Double) -> Mat4 {
        let c = cos(radians), s = sin(radians)
        return Mat4(rows: [[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    }

    public static func rotationX(_ radians: Double) -> Mat4 {
        let c = cos(radians), s = sin(radians)
        return Mat4(rows: [[1, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1]])
    }

    public static func rotationY(_ radians: Double) -> Mat4 {
        let c = cos(radians), s = sin(radians)
        return Mat4(rows: [[c, 0, s, 0], [0, 1, 0, 0], [-s, 0, c, 0], [0, 0, 0, 1]])
    }

    /// Inverse of a rigid transform (rotation + translation), exact and cheap.
    public var rigidInverse: Mat4 {
        var out = Mat4.identity
        for r in 0..<3 { for c in 0..<3 { out[r, c] = self[c, r] } }
        let t = translation
        for r in 0..<3 { out[r, 3] = -(out[r, 0] * t.x + out[r, 1] * t.y + out[r, 2] * t.z) }
        return out
    }

    /// The upper 3x3 block, inverted and transposed: transforms normals under non-uniform scale.
    public var normalMatrix: [Double] {
        let a = self[0, 0], b = self[0, 1], c = self[0, 2]
        let d = self[1, 0], e = self[1, 1], f = self[1, 2]
        let g = self[2, 0], h = self[2, 1], i = self[2, 2]
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
        let s = det != 0 ? 1 / det : 0
        // inverse transposed = cofactor matrix / det, column-major 3x3
        let rowsOfInverseT: [[Double]] = [
            [(e * i - f * h) * s, -(d * i - f * g) * s, (d * h - e * g) * s],
            [-(b * i - c * h) * s, (a * i - c * g) * s, -(a * h - b * g) * s],
            [(b * f - c * e) * s, -(a * f - c * d) * s, (a * e - b * d) * s],
        ]
        var out = [Double](repeating: 0, count: 9)
        for r in 0..<3 { for c in 0..<3 { out[c * 3 + r] = rowsOfInverseT[r][c] } }
        return out
    }

    /// A rigid pose: rotate by yaw (about Z), pitch (about the rotated Y), roll (about the rotated X),
    /// then translate. Angles in radians, the aerospace Z-Y-X convention.
    public static func pose(position: Vec3, yaw: Double, pitch: Double = 0, roll: Double = 0) -> Mat4 {
        translation(position) * rotationZ(yaw) * rotationY(pitch) * rotationX(roll)
    }
}

extension Mat4: Codable {
    /// Encoded as 4 rows of 4 numbers, which is how people read a matrix in a JSON file.
    public init(from decoder: Decoder) throws {
        let rows = try [[Double]](from: decoder)
        guard rows.count == 4, rows.allSatisfy({ $0.count == 4 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected 4x4"))
        }
        self.init(rows: rows)
    }
    public func encode(to encoder: Encoder) throws { try rows.encode(to: encoder) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
