import XCTest

@testable import SceneCore

final class SceneBundleTests: XCTestCase {
    private let bundle = SceneBundle(
        root: "street.yaml",
        files: [
            "street.yaml": Array("format: 1\ninclude: [common/classes.yaml]\n".utf8),
            "common/classes.yaml": Array("classes: []\n".utf8),
            "@library/driving/sedan.glb": [0x67, 0x6C, 0x54, 0x46, 0, 255],
        ])

    func testCanonicalBytesRoundTripAndDoNotDependOnInsertionOrder() throws {
        let bytes = bundle.canonicalBytes
        XCTAssertEqual(try SceneBundle(canonicalBytes: bytes), bundle)
        var reordered = SceneBundle(root: "street.yaml", files: [:])
        for key in bundle.files.keys.sorted().reversed() { reordered.files[key] = bundle.files[key] }
        XCTAssertEqual(reordered.canonicalBytes, bytes)
        XCTAssertEqual(Array(bytes.prefix(4)), Array("SFB1".utf8))
    }

    func testEveryTruncationIsAnErrorNotACrash() {
        let bytes = bundle.canonicalBytes
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try SceneBundle(canonicalBytes: Array(bytes.prefix(n))), "prefix \(n)")
        }
        XCTAssertThrowsError(try SceneBundle(canonicalBytes: bytes + [0])) { error in
            XCTAssertTrue("\(error)".contains("1 bytes after its last file"), "\(error)")
        }
    }

    func testUnsafeNamesMissingRootAndDuplicatesAreRefused() {
        func encoded(root: String, _ files: [(String, [UInt8])]) -> [UInt8] {
            var out = Array("SFB1".utf8)
            func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).bigEndian) { out += $0 } }
            func string(_ s: String) {
                u32(s.utf8.count)
                out += Array(s.utf8)
            }
            string(root)
            u32(files.count)
            for (k, v) in files {
                string(k)
                u32(v.count)
                out += v
            }
            return out
        }
        let cases: [([UInt8], String)] = [
            (encoded(root: "a.yaml", [("a.yaml", []), ("../etc/passwd", [1])]), "unsafe name `../etc/passwd`"),
            (encoded(root: "a.yaml", [("a.yaml", []), ("/abs", [1])]), "unsafe name `/abs`"),
            (encoded(root: "a.yaml", [("b.yaml", [])]), "lacks its root file `a.yaml`"),
            (encoded(root: "a.yaml", [("a.yaml", []), ("a.yaml", [])]), "`a.yaml` twice"),
            (Array("SFB2".utf8), "expected the magic SFB1"),
        ]
        for (bytes, expected) in cases {
            XCTAssertThrowsError(try SceneBundle(canonicalBytes: bytes)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should mention \(expected)")
            }
        }
    }

    /// A scene loaded from disk records the files it read; loading from that bundle gives the same scene.
    func testLoadingFromTheBundleGivesTheSameScene() throws {
        let text = try String(contentsOfFile: scenePath("minimal.yaml"), encoding: .utf8)
        let (scene, recorded) = try SceneLoader.loadWithBundle(path: scenePath("minimal.yaml"))
        XCTAssertEqual(recorded.root, "minimal.yaml")
        XCTAssertEqual(recorded.files, ["minimal.yaml": Array(text.utf8)])
        let again = try SceneLoader.load(bundle: recorded, displayName: "job 1")
        XCTAssertEqual(try again.frame(3), try scene.frame(3))
        XCTAssertThrowsError(try SceneLoader.load(bundle: SceneBundle(root: "x.yaml", files: [:]))) { error in
            XCTAssertTrue("\(error)".contains("not in the scene bundle"), "\(error)")
        }
    }

    func testFileKeysStayInsideTheSceneDirectory() throws {
        let files = SceneFiles(bundle: bundle)
        XCTAssertEqual(
            try files.key(for: "./common/../common/classes.yaml", from: "street.yaml"), "common/classes.yaml")
        XCTAssertEqual(try files.key(for: "../classes.yaml", from: "common/x.yaml"), "classes.yaml")
        for bad in ["../up.yaml", "/etc/passwd", "", "common/.."] {
            XCTAssertThrowsError(try files.key(for: bad, from: "street.yaml"), bad)
        }
        XCTAssertEqual(try files.read("common/classes.yaml", from: "street.yaml").bytes, Array("classes: []\n".utf8))
        XCTAssertEqual(try files.readLibraryAsset("sedan")?.key, "@library/driving/sedan.glb")
        XCTAssertNil(try files.readLibraryAsset("bus"))
    }
}
