import Foundation
import ImageCodec
import Labels
import RenderContext
import SceneCore
import XCTest

@testable import Render

/// Custom meshes, physically based finishes and base color textures on a real EGL context (Mesa
/// llvmpipe in CI): labels exact and independent of the finish, colors where the shading says.
final class MeshRenderTests: XCTestCase {
    /// One EGL context and renderer for the class (RenderFixture.swift).
    static let fixture = RenderFixture()

    func makeRenderer() throws -> GLRenderer { try Self.fixture.makeRenderer() }

    /// A camera at the origin looking along world +X: image right is world -y, image down world -z.
    func forwardCamera(width: Int, height: Int, f: Double) -> Camera {
        let k = CameraIntrinsics(
            width: width, height: height, fx: f, fy: f, cx: Double(width - 1) / 2, cy: Double(height - 1) / 2)
        return Camera(intrinsics: k, worldFromCamera: Camera.lookAt(eye: .zero, target: Vec3(10, 0, 0)))
    }

    func spec(_ surfaces: [Surface], camera: Camera, lighting: Lighting = .daylight, index: Int = 0) -> FrameSpec {
        FrameSpec(
            index: index, camera: camera, lighting: lighting,
            classes: [SemanticClass(id: 1, name: "thing", color: [255, 0, 0])], surfaces: surfaces)
    }

    func surface(
        _ name: String, _ shape: Shape, _ pose: Mat4, instance: Int, finish: SurfaceFinish = .standard,
        color: Vec3 = Vec3(0.7, 0.5, 0.3)
    ) -> Surface {
        Surface(
            name: name, shape: shape, worldFromObject: pose, color: color, classID: 1, instanceID: instance,
            finish: finish)
    }

    /// A tetrahedron with outward counter-clockwise faces and flat normals; `mirrored` reflects it in
    /// y (reversing the winding, so it stays outward).
    static func tetrahedron(key: String, mirrored: Bool = false) -> MeshRef {
        let s = mirrored ? -1.0 : 1.0
        let p = [Vec3(0, 0, 0), Vec3(1.2, 0.1 * s, 0.2), Vec3(0.3, 1.0 * s, 0.1), Vec3(0.4, 0.3 * s, 1.3)]
        let centre = (p[0] + p[1] + p[2] + p[3]) / 4
        var mesh = Mesh()
        for f in [[0, 2, 1], [0, 1, 3], [1, 2, 3], [0, 3, 2]] {
            var (a, b, c) = (p[f[0]], p[f[1]], p[f[2]])
            var n = (b - a).cross(c - a).normalized
            if n.dot(a - centre) < 0 {
                swap(&b, &c)
                n = -n
            }
            for v in [a, b, c] {
                mesh.positions += [Float(v.x), Float(v.y), Float(v.z)]
                mesh.normals += [Float(n.x), Float(n.y), Float(n.z)]
            }
            let base = UInt32(mesh.indices.count)
            mesh.indices += [base, base + 1, base + 2]
        }
        return MeshRef(key: key, mesh: mesh)
    }

    /// The unit box's own triangles as a custom mesh.
    static let boxAsMesh = MeshRef(key: "test/unit-box", mesh: UnitMesh.box.mesh)

    // MARK: - Labels

    /// A custom mesh holding the unit box's triangles gives exactly the pixels, depths and hidden-pixel
    /// counts of the unit box drawn with the same transforms (instanced in every pass).
    func testMeshWithTheUnitBoxTrianglesMatchesTheUnitBoxExactly() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 96, height: 72, f: 61.7)
        let poses: [(Mat4, Vec3)] = [
            (.translation(Vec3(9, 0.4, -1)) * .rotationZ(0.5), Vec3(1.5, 2, 1.2)),
            (.translation(Vec3(14, -1.5, -1.5)) * .rotationZ(-0.3) * .rotationX(0.2), Vec3(3, 1.5, 2.5)),
            (.translation(Vec3(7, -0.8, 0.2)) * .rotationY(0.4), Vec3(0.6, 0.6, 0.6)),
        ]
        func frame(asMesh: Bool) throws -> RenderedFrame {
            let surfaces = poses.enumerated().map { i, p in
                surface(
                    "box\(i)", asMesh ? .mesh(Self.boxAsMesh, scale: p.1) : .box(size: p.1), p.0, instance: i + 1)
            }
            var s = spec(surfaces, camera: camera)
            s.lighting.shadows = true
            return try renderer.render(s)
        }
        let unit = try frame(asMesh: false), mesh = try frame(asMesh: true)
        XCTAssertEqual(Set(unit.surfaceIDs), [0, 1, 2, 3], "every box is visible")
        XCTAssertEqual(mesh.surfaceIDs, unit.surfaceIDs)
        XCTAssertEqual(mesh.depth, unit.depth)
        XCTAssertEqual(mesh.coverage, unit.coverage)
        XCTAssertGreaterThan(unit.coverage.map(\.pixels).reduce(0, +), 0, "the boxes hide each other somewhere")
        XCTAssertEqual(mesh.color, unit.color, "same triangles, normals and finish: same shading")
    }

    /// A tetrahedron's front faces cover exactly the pixels whose centres lie inside its projected
    /// silhouette (the convex hull of its projected corners).
    func testTetrahedronCoversItsProjectedSilhouette() throws {
        let renderer = try makeRenderer()
        let W = 64, H = 48
        let camera = forwardCamera(width: W, height: H, f: 40.3)
        let tet = Self.tetrahedron(key: "test/tetra")
        let pose = Mat4.translation(Vec3(3.5, 0.2, -0.6)) * .rotationZ(2.6)
        let frame = try renderer.render(
            spec([surface("tet", .mesh(tet, scale: Vec3(1, 1, 1)), pose, instance: 1)], camera: camera))
        let corners = [Vec3(0, 0, 0), Vec3(1.2, 0.1, 0.2), Vec3(0.3, 1.0, 0.1), Vec3(0.4, 0.3, 1.3)].compactMap {
            camera.project(pose.transformPoint($0))
        }
        XCTAssertEqual(corners.count, 4)
        // The silhouette is the convex hull of the projected corners (monotone chain, counter-clockwise
        // in (u, v)); a pixel centre's margin is its signed distance to the nearest hull edge.
        let points = corners.map { (u: $0.u, v: $0.v) }.sorted { $0.u != $1.u ? $0.u < $1.u : $0.v < $1.v }
        func turn(_ o: (u: Double, v: Double), _ a: (u: Double, v: Double), _ b: (u: Double, v: Double)) -> Double {
            (a.u - o.u) * (b.v - o.v) - (a.v - o.v) * (b.u - o.u)
        }
        var hull: [(u: Double, v: Double)] = []
        for pass in [points, points.reversed()] {
            let start = hull.count
            for p in pass {
                while hull.count >= start + 2 && turn(hull[hull.count - 2], hull[hull.count - 1], p) <= 0 {
                    hull.removeLast()
                }
                hull.append(p)
            }
            hull.removeLast()
        }
        func margin(_ u: Double, _ v: Double) -> Double {
            (0..<hull.count).map { k in
                let a = hull[k], b = hull[(k + 1) % hull.count]
                let length = ((b.u - a.u) * (b.u - a.u) + (b.v - a.v) * (b.v - a.v)).squareRoot()
                return turn(a, b, (u, v)) / length
            }.min() ?? -1
        }
        var covered = 0, mismatches: [String] = []
        for j in 0..<H {
            for i in 0..<W {
                let m = margin(Double(i), Double(j))
                let got = frame.surfaceIDs[j * W + i] == 1
                if got { covered += 1 }
                // Pixel centres within 1e-6 px of an edge are left to GL's tie rule.
                if got != (m > 0) && abs(m) > 1e-6 { mismatches.append("(\(i),\(j)) margin \(m)") }
            }
        }
        XCTAssertGreaterThan(covered, 100)
        XCTAssertEqual(mismatches, [])
    }

    /// A mesh placed with a mirroring transform (negative determinant) covers the pixels, at the
    /// depths, of the mirrored triangles placed with a proper one: the winding flip keeps its front
    /// faces in front.
    func testMirroredMeshKeepsItsPixels() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 64, height: 48, f: 40.3)
        let pose = Mat4.translation(Vec3(3.5, 0.4, -0.5)) * .rotationZ(2.2)
        let mirroredByTransform = surface(
            "tet", .mesh(Self.tetrahedron(key: "test/tetra"), scale: Vec3(1, -1, 1)), pose, instance: 1)
        let mirroredTriangles = surface(
            "tet", .mesh(Self.tetrahedron(key: "test/tetra-mirrored", mirrored: true), scale: Vec3(1, 1, 1)), pose,
            instance: 1)
        let a = try renderer.render(spec([mirroredByTransform], camera: camera))
        let b = try renderer.render(spec([mirroredTriangles], camera: camera))
        XCTAssertGreaterThan(a.surfaceIDs.filter { $0 == 1 }.count, 100)
        XCTAssertEqual(a.surfaceIDs, b.surfaceIDs)
        // The nearer faces are drawn: culling the other way would show the far faces (same
        // silhouette, since the tetrahedron is convex, but deeper).
        let worst = zip(a.depth, b.depth).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4)
    }

    /// Roughness, metallic and texture change the color output only: IDs, depth and hidden-pixel
    /// counts are identical, with and without weather and shadows.
    func testLabelsDoNotDependOnTheFinish() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 80, height: 60, f: 50.9)
        let checker = try PNGEncoder.encodeRGB8(
            [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0], width: 2, height: 2)
        let texture = TextureRef(key: "test/checker.png", format: .png, bytes: checker)
        let finishes = [
            SurfaceFinish.standard,
            SurfaceFinish(roughness: 0.1, metallic: 1),
            SurfaceFinish(roughness: 1, metallic: 0.3, texture: texture),
        ]
        for shadows in [false, true] {
            var frames: [RenderedFrame] = []
            for finish in finishes {
                let surfaces = [
                    surface(
                        "ground", .plane(sizeX: 60, sizeY: 60), .translation(Vec3(10, 0, -1.5)), instance: 0,
                        finish: finish),
                    surface(
                        "box", .mesh(Self.boxAsMesh, scale: Vec3(1, 2, 1.5)), .translation(Vec3(9, 0.5, -1.5)),
                        instance: 1, finish: finish),
                    surface(
                        "tet", .mesh(Self.tetrahedron(key: "test/tetra"), scale: Vec3(1, 1, 1)),
                        .translation(Vec3(7, -1, -1.2)) * .rotationZ(1), instance: 2, finish: finish),
                    surface(
                        "ball", .sphere(radius: 0.7), .translation(Vec3(12, -0.8, -1.5)), instance: 3,
                        finish: finish),
                ]
                var s = spec(surfaces, camera: camera)
                s.lighting.shadows = shadows
                frames.append(try renderer.render(s))
            }
            XCTAssertEqual(Set(frames[0].surfaceIDs), [0, 1, 2, 3, 4])
            for f in frames.dropFirst() {
                XCTAssertEqual(f.surfaceIDs, frames[0].surfaceIDs, "shadows \(shadows)")
                XCTAssertEqual(f.depth, frames[0].depth, "shadows \(shadows)")
                XCTAssertEqual(f.coverage, frames[0].coverage, "shadows \(shadows)")
                XCTAssertNotEqual(f.color, frames[0].color, "shadows \(shadows)")
            }
            XCTAssertNotEqual(frames[1].color, frames[2].color)
        }
    }

    /// The record carries roughness, metallic and a texture index where DrawList's layout says.
    func testDrawListRecordHoldsTheFinish() {
        let camera = forwardCamera(width: 8, height: 8, f: 5)
        let t = TextureRef(key: "t", format: .png, bytes: [])
        let s = spec(
            [
                surface("a", .box(size: Vec3(1, 1, 1)), .translation(Vec3(5, 0, 0)), instance: 1),
                surface(
                    "b", .box(size: Vec3(1, 1, 1)), .translation(Vec3(6, 0, 0)), instance: 2,
                    finish: SurfaceFinish(roughness: 0.25, metallic: 0.75, texture: t)),
            ], camera: camera)
        let list = DrawList(spec: s, clipFromWorld: Mat4.scale(Vec3(1, 1, 1)), items: [(0, 0), (1, 0)])
        XCTAssertEqual(DrawList.stride, 152)
        XCTAssertEqual(list.textures, [t])
        XCTAssertEqual(list.batches.map { $0.texture?.key }, [nil, "t"], "one batch per texture")
        func record(_ item: Int) -> ArraySlice<Float> {
            let r = list.recordOfItem[item] * DrawList.floatsPerRecord
            return list.records[r..<(r + DrawList.floatsPerRecord)]
        }
        let a = record(0), b = record(1)
        XCTAssertEqual(a[a.startIndex + 35].bitPattern, 0)
        XCTAssertEqual([a[a.startIndex + 36], a[a.startIndex + 37]], [0.6, 0])
        XCTAssertEqual(b[b.startIndex + 35].bitPattern, 1)
        XCTAssertEqual([b[b.startIndex + 36], b[b.startIndex + 37]], [0.25, 0.75])
    }

    // MARK: - Shading

    static func luma(_ frame: RenderedFrame, _ i: Int) -> Double {
        let c = frame.color
        return 0.2126 * Double(c[i * 4]) + 0.7152 * Double(c[i * 4 + 1]) + 0.0722 * Double(c[i * 4 + 2])
    }

    /// A smooth metal ground shows the sun's highlight where the half vector of the sun and view
    /// directions is the ground's normal: at the sun's mirror image seen from the camera.
    func testSpecularHighlightIsWhereTheHalfVectorSays() throws {
        let renderer = try makeRenderer()
        let W = 160, H = 120
        let eye = Vec3(0, 0, 3)
        let k = CameraIntrinsics(width: W, height: H, fx: 90, fy: 90, cx: 79.5, cy: 59.5)
        let camera = Camera(intrinsics: k, worldFromCamera: Camera.lookAt(eye: eye, target: Vec3(10, 0, 0)))
        let ground = surface(
            "ground", .plane(sizeX: 80, sizeY: 80), .translation(Vec3(20, 0, 0)), instance: 0,
            finish: SurfaceFinish(roughness: 0.2, metallic: 1), color: Vec3(0.9, 0.9, 0.9))
        for sun in [Vec3(1, 0.3, 0.5), Vec3(1, -0.4, 0.6), Vec3(1, 0.1, 0.25)] {
            let l = sun.normalized
            let lighting = Lighting(
                sunDirection: l, sunColor: Vec3(0.002, 0.002, 0.002), skyColor: Vec3(0.02, 0.02, 0.02),
                groundColor: Vec3(0.02, 0.02, 0.02), backgroundColor: .zero)
            let frame = try renderer.render(spec([ground], camera: camera, lighting: lighting))
            // h = n = +z: the view direction is the sun's mirrored in the ground, v = (-l.x, -l.y, l.z),
            // so the spot is where the ray from the eye along (l.x, l.y, -l.z) meets z = 0.
            let spot = eye + Vec3(l.x, l.y, -l.z) * (eye.z / l.z)
            let predicted = try XCTUnwrap(camera.project(spot))
            let lumas = (0..<(W * H)).map { Self.luma(frame, $0) }
            let peak = lumas.max() ?? 0
            let brightest = lumas.indices.filter { lumas[$0] >= peak - 1 }
            let u = brightest.map { Double($0 % W) }.reduce(0, +) / Double(brightest.count)
            let v = brightest.map { Double($0 / W) }.reduce(0, +) / Double(brightest.count)
            let groundLumas = lumas.indices.filter { frame.surfaceIDs[$0] == 1 }.map { lumas[$0] }.sorted()
            let median = groundLumas[groundLumas.count / 2]
            XCTAssertGreaterThan(peak, 2 * median + 20, "a highlight stands out (sun \(sun))")
            XCTAssertEqual(u, predicted.u, accuracy: 2, "sun \(sun)")
            XCTAssertEqual(v, predicted.v, accuracy: 2, "sun \(sun)")
        }
    }

    /// The default finish (roughness 0.6, dielectric) stays close to the Lambert shading of before:
    /// a matte face lit head-on differs from `color * (ambient + sun n.l)` by a few levels (the
    /// specular terms add light, the diffuse keeps what the specular lobe does not reflect).
    func testDefaultFinishStaysCloseToLambert() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 48, height: 36, f: 30)
        let color = Vec3(0.5, 0.4, 0.3)
        let lighting = Lighting(
            sunDirection: Vec3(-1, 0.4, 0.3), sunColor: Vec3(0.8, 0.8, 0.8), skyColor: Vec3(0.3, 0.3, 0.3),
            groundColor: Vec3(0.3, 0.3, 0.3), backgroundColor: .zero)
        let wall = surface(
            "wall", .box(size: Vec3(1, 20, 20)), .translation(Vec3(10.5, 0, -10)), instance: 1, color: color)
        let frame = try renderer.render(spec([wall], camera: camera, lighting: lighting))
        let nl = Vec3(-1, 0, 0).dot(lighting.sunDirection)
        let centre = 18 * 48 + 24
        func srgb(_ x: Double) -> Double {
            255 * (x <= 0.0031308 ? 12.92 * x : 1.055 * pow(x, 1 / 2.4) - 0.055)
        }
        for c in 0..<3 {
            let lambert = srgb(color.array[c] * (0.3 + 0.8 * nl))
            let got = Double(frame.color[centre * 4 + c])
            XCTAssertEqual(got, lambert, accuracy: 10, "channel \(c): close to the Lambert shading")
        }
    }

    // MARK: - Textures

    /// A quad facing the camera with glTF texture coordinates ((0, 0) at its top-left corner as seen)
    /// shows each texel in its own quadrant: the texture is not flipped or mirrored.
    static func texturedQuad(_ texture: TextureRef, key: String) -> Surface {
        // Seen from the origin looking along +X: +y is left, +z is up.
        let corners: [(Vec3, Float, Float)] = [
            (Vec3(10, 2, 1.5), 0, 0), (Vec3(10, 2, -1.5), 0, 1), (Vec3(10, -2, -1.5), 1, 1), (Vec3(10, -2, 1.5), 1, 0),
        ]
        var mesh = Mesh()
        for (p, u, v) in corners {
            mesh.positions += [Float(p.x), Float(p.y), Float(p.z)]
            mesh.normals += [-1, 0, 0]
            mesh.uvs += [u, v]
        }
        mesh.indices = [0, 1, 2, 0, 2, 3]  // counter-clockwise seen from the camera
        return Surface(
            name: "quad", shape: .mesh(MeshRef(key: key, mesh: mesh), scale: Vec3(1, 1, 1)),
            worldFromObject: .translation(.zero),
            color: Vec3(1, 1, 1), classID: 1, instanceID: 1, finish: SurfaceFinish(roughness: 1, texture: texture))
    }

    /// Lit by a white ambient alone, a texel of linear value x shows as about x.
    static let ambientOnly = Lighting(
        sunDirection: Vec3(0, 0, 1), sunColor: .zero, skyColor: Vec3(1, 1, 1), groundColor: Vec3(1, 1, 1),
        backgroundColor: .zero)

    func assertQuadrants(_ texture: TextureRef, file: StaticString = #filePath, line: UInt = #line) throws {
        let renderer = try makeRenderer()
        let W = 80, H = 60
        let camera = forwardCamera(width: W, height: H, f: 100)
        let frame = try renderer.render(
            spec([Self.texturedQuad(texture, key: "test/quad")], camera: camera, lighting: Self.ambientOnly))
        // Quadrant centres: the quad spans y in [-2, 2], z in [-1.5, 1.5] at x = 10.
        let expected: [(name: String, at: Vec3, high: [Bool])] = [
            ("top-left red", Vec3(10, 1, 0.75), [true, false, false]),
            ("top-right green", Vec3(10, -1, 0.75), [false, true, false]),
            ("bottom-left blue", Vec3(10, 1, -0.75), [false, false, true]),
            ("bottom-right yellow", Vec3(10, -1, -0.75), [true, true, false]),
        ]
        for q in expected {
            let p = try XCTUnwrap(camera.project(q.at), file: file, line: line)
            let i = Int(p.v.rounded()) * W + Int(p.u.rounded())
            XCTAssertEqual(frame.surfaceIDs[i], 1, q.name, file: file, line: line)
            let rgb = (0..<3).map { Int(frame.color[i * 4 + $0]) }
            let high = rgb.map { $0 > 200 }, low = rgb.map { $0 < 80 }
            XCTAssertEqual(high, q.high, "\(q.name): \(rgb)", file: file, line: line)
            XCTAssertEqual(low, q.high.map { !$0 }, "\(q.name): \(rgb)", file: file, line: line)
        }
    }

    func testPNGTextureTexelsLandInTheirQuadrants() throws {
        // 2x2, rows top first: red, green / blue, yellow.
        let png = try PNGEncoder.encodeRGB8([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0], width: 2, height: 2)
        try assertQuadrants(TextureRef(key: "test/quadrants.png", format: .png, bytes: png))
    }

    func testJPEGTextureTexelsLandInTheirQuadrants() throws {
        // 16x16 in four 8x8 blocks (one JPEG block each, so the colours survive compression).
        var rgb: [UInt8] = []
        for y in 0..<16 {
            for x in 0..<16 {
                switch (x < 8, y < 8) {
                case (true, true): rgb += [255, 0, 0]
                case (false, true): rgb += [0, 255, 0]
                case (true, false): rgb += [0, 0, 255]
                case (false, false): rgb += [255, 255, 0]
                }
            }
        }
        let jpeg = try JPEGEncoder.encode(rgb, width: 16, height: 16, layout: .rgb, quality: 95)
        try assertQuadrants(TextureRef(key: "test/quadrants.jpg", format: .jpeg, bytes: jpeg))
    }

    /// Texels are sRGB-encoded: a texel of sRGB value 128 on a white surface shows like an untextured
    /// surface whose linear color is that value decoded.
    func testTextureIsDecodedFromSRGB() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 40, height: 30, f: 50)
        let gray = try PNGEncoder.encodeRGB8([UInt8](repeating: 128, count: 12), width: 2, height: 2)
        let textured = Self.texturedQuad(TextureRef(key: "test/gray.png", format: .png, bytes: gray), key: "test/quad")
        var plain = textured
        let linear = pow((128.0 / 255 + 0.055) / 1.055, 2.4)
        plain.color = Vec3(linear, linear, linear)
        plain.finish.texture = nil
        let a = try renderer.render(spec([textured], camera: camera, lighting: Self.ambientOnly))
        let b = try renderer.render(spec([plain], camera: camera, lighting: Self.ambientOnly))
        let centre = 15 * 40 + 20
        XCTAssertEqual(a.surfaceIDs[centre], 1)
        for c in 0..<3 {
            XCTAssertEqual(Double(a.color[centre * 4 + c]), Double(b.color[centre * 4 + c]), accuracy: 1)
        }
    }

    /// Bytes that do not decode fail the frame with an error naming the texture and the surface;
    /// the renderer draws the next frame as usual.
    func testMalformedTextureIsAClearError() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 40, height: 30, f: 50)
        let png = try PNGEncoder.encodeRGB8([UInt8](repeating: 90, count: 12), width: 2, height: 2)
        let jpeg = try JPEGEncoder.encode([UInt8](repeating: 90, count: 64 * 3), width: 8, height: 8, layout: .rgb)
        let broken: [(String, TextureRef.Format, [UInt8])] = [
            ("test/truncated.png", .png, Array(png.prefix(png.count - 20))),
            ("test/truncated.jpg", .jpeg, Array(jpeg.prefix(jpeg.count / 2))),
            ("test/not-an-image.png", .png, Array("not an image".utf8)),
            ("test/empty.jpg", .jpeg, []),
        ]
        for (key, format, bytes) in broken {
            var s = Self.texturedQuad(TextureRef(key: key, format: format, bytes: bytes), key: "test/quad")
            s.name = "poster"
            XCTAssertThrowsError(try renderer.render(spec([s], camera: camera, index: 42))) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(key), text)
                XCTAssertTrue(text.contains("poster") && text.contains("frame 42"), text)
            }
        }
        let good = Self.texturedQuad(TextureRef(key: "test/good.png", format: .png, bytes: png), key: "test/quad")
        let frame = try renderer.render(spec([good], camera: camera))
        XCTAssertTrue(frame.surfaceIDs.contains(1))
    }

    /// A mesh whose arrays disagree (an index past the last vertex) is an error naming it, not a
    /// read outside the vertex buffer.
    func testMalformedMeshIsAClearError() throws {
        let renderer = try makeRenderer()
        let camera = forwardCamera(width: 40, height: 30, f: 50)
        var mesh = Self.tetrahedron(key: "x").mesh
        mesh.indices[4] = 99
        let bad = surface(
            "rock", .mesh(MeshRef(key: "test/bad-indices", mesh: mesh), scale: Vec3(1, 1, 1)),
            .translation(Vec3(6, 0, 0)), instance: 1)
        XCTAssertThrowsError(try renderer.render(spec([bad], camera: camera))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("test/bad-indices") && text.contains("rock") && text.contains("99"), text)
        }
        var short = Self.tetrahedron(key: "x").mesh
        short.uvs = [0, 0, 1]
        let noUVs = surface(
            "rock", .mesh(MeshRef(key: "test/short-uvs", mesh: short), scale: Vec3(1, 1, 1)),
            .translation(Vec3(6, 0, 0)), instance: 1)
        XCTAssertThrowsError(try renderer.render(spec([noUVs], camera: camera))) { error in
            XCTAssertTrue("\(error)".contains("uvs"), "\(error)")
        }
    }

    // MARK: - Residency

    /// 300 frames cycling through 40 meshes and 12 textures never hold more than the budgets: the
    /// least recently used go, and come back when a frame needs them again.
    func testResidentMeshesAndTexturesStayWithinTheBudget() throws {
        _ = try makeRenderer()
        let renderer = try GLRenderer()
        let camera = forwardCamera(width: 32, height: 24, f: 20)
        let meshes = (0..<40).map { Self.tetrahedron(key: "test/cycle/\($0)") }
        let meshBytes = 12 * 32 + 12 * 4  // 12 vertices of 32 bytes, 12 indices
        renderer.meshBudgetBytes = 8 * meshBytes
        let textures = try (0..<12).map { i in
            TextureRef(
                key: "test/cycle/\(i).png", format: .png,
                bytes: try PNGEncoder.encodeRGB8(
                    [UInt8](repeating: UInt8(i * 20), count: 4 * 4 * 3), width: 4, height: 4))
        }
        let textureBytes = 4 * 4 * 4 * 4 / 3
        renderer.textureBudgetBytes = 3 * textureBytes
        for i in 0..<300 {
            let surfaces = (0..<3).map { k in
                surface(
                    "m\(k)", .mesh(meshes[(i * 3 + k) % 40], scale: Vec3(1, 1, 1)),
                    .translation(Vec3(6, Double(k - 1) * 1.5, -0.5)), instance: k + 1,
                    finish: SurfaceFinish(texture: k == 0 ? textures[i % 12] : nil))
            }
            let frame = try renderer.render(spec(surfaces, camera: camera, index: i))
            XCTAssertEqual(Set(frame.surfaceIDs), [0, 1, 2, 3], "frame \(i) draws all three meshes")
            let stats = renderer.resourceStats
            XCTAssertLessThanOrEqual(stats.residentMeshBytes, renderer.meshBudgetBytes, "frame \(i)")
            XCTAssertLessThanOrEqual(stats.residentMeshes, 8, "frame \(i)")
            XCTAssertLessThanOrEqual(stats.residentTextureBytes, renderer.textureBudgetBytes, "frame \(i)")
        }
        let stats = renderer.resourceStats
        XCTAssertEqual(stats.meshUploads, 900, "each mesh comes back after 13 frames, long evicted")
        XCTAssertEqual(stats.meshUploads - stats.meshEvictions, stats.residentMeshes)
        XCTAssertEqual(stats.textureUploads, 300)
        XCTAssertEqual(stats.textureUploads - stats.textureEvictions, stats.residentTextures)
    }

    /// Under budget, what a run stopped using is released after `resourceIdleFrames`; what it keeps
    /// using stays resident and is uploaded once.
    func testIdleMeshesAreReleased() throws {
        _ = try makeRenderer()
        let renderer = try GLRenderer()
        renderer.resourceIdleFrames = 5
        let camera = forwardCamera(width: 16, height: 12, f: 10)
        let kept = surface(
            "kept", .mesh(Self.tetrahedron(key: "test/kept"), scale: Vec3(1, 1, 1)), .translation(Vec3(6, 0, 0)),
            instance: 1)
        let once = surface(
            "once", .mesh(Self.tetrahedron(key: "test/once"), scale: Vec3(1, 1, 1)), .translation(Vec3(6, 1, 0)),
            instance: 2)
        _ = try renderer.render(spec([kept, once], camera: camera))
        XCTAssertEqual(renderer.resourceStats.residentMeshes, 2)
        for i in 1...5 {
            _ = try renderer.render(spec([kept], camera: camera, index: i))
            XCTAssertEqual(renderer.resourceStats.residentMeshes, 2, "frame \(i): idle for \(i) frames")
        }
        _ = try renderer.render(spec([kept], camera: camera, index: 6))
        let stats = renderer.resourceStats
        XCTAssertEqual(stats.residentMeshes, 1)
        XCTAssertEqual(stats.meshUploads, 2)
        XCTAssertEqual(stats.meshEvictions, 1)
    }
}
