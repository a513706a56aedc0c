import Foundation
import XCTest

@testable import SceneCore

/// Which local lights cast shadows: the file's `shadows:` key, street lamps with `lamp_shadows`, never the
/// vehicles; and the encoding that leaves the flag out where it is false.
final class LocalLightShadowTests: XCTestCase {
    func testFileLightsCastOnlyWhenTheySaySo() throws {
        let yaml =
            minimalValidYAML + """

                lighting:
                  lights:
                    - {type: spot, position: [0, 0, 4], intensity: 3000, shadows: true}
                    - {position: [3, 0, 3], intensity: 800, shadows: false}
                    - {position: [-3, 0, 3], intensity: 800}
                """
        let scene = try SceneLoader.load(yaml: yaml, file: "t.yaml")
        XCTAssertEqual(scene.lighting.lights.map(\.castsShadows), [true, false, false])
        let lights = try scene.frame(0).lighting.lights
        XCTAssertEqual(lights.map(\.castsShadows), [true, false, false])
    }

    func testStreetLampsCastAndVehiclesDoNot() throws {
        let text = try String(contentsOfFile: scenePath("driving_street.yaml"), encoding: .utf8)
        let plain = try SceneLoader.load(yaml: text + "\nweather:\n  condition: night\n", file: "street.yaml")
        XCTAssertFalse(try plain.frame(0).lighting.lights.contains(where: \.castsShadows), "off by default")
        let withShadows = text.replacingOccurrences(of: "lighting:\n", with: "lighting:\n  lamp_shadows: true\n")
        XCTAssertNotEqual(withShadows, text)
        let scene = try SceneLoader.load(yaml: withShadows + "\nweather:\n  condition: night\n", file: "street.yaml")
        let frame = try scene.frame(0)
        let lights = frame.lighting.lights
        let lampSurfaces = Set(frame.surfaces.indices.filter { frame.surfaces[$0].name.hasSuffix("/lamp") })
        let lamps = lights.filter { $0.emitter.map(lampSurfaces.contains) ?? false }
        XCTAssertFalse(lamps.isEmpty)
        XCTAssertTrue(lamps.allSatisfy(\.castsShadows), "street lamps cast")
        let others = lights.filter { !($0.emitter.map(lampSurfaces.contains) ?? false) }
        XCTAssertFalse(others.isEmpty)
        XCTAssertFalse(others.contains(where: \.castsShadows), "head and tail lights do not")
    }

    /// `castsShadows` is encoded only when true, so frames from before it encode byte for byte as
    /// they did; both round-trip.
    func testEncodingLeavesOutLightsThatDoNotCast() throws {
        let plain = LocalLight(kind: .point, position: Vec3(1, 2, 3), color: Vec3(1, 1, 1), intensity: 100, range: 5)
        var casting = plain
        casting.castsShadows = true
        let a = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        let b = String(decoding: try JSONEncoder().encode(casting), as: UTF8.self)
        XCTAssertFalse(a.contains("castsShadows"))
        XCTAssertTrue(b.contains("\"castsShadows\":true"))
        XCTAssertEqual(try JSONDecoder().decode(LocalLight.self, from: Data(a.utf8)), plain)
        XCTAssertEqual(try JSONDecoder().decode(LocalLight.self, from: Data(b.utf8)), casting)
    }

    func testShadowsMustBeABoolean() {
        let base = minimalValidYAML + "\nlighting:\n"
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: 10, shadows: yes please}\n",
            path: "lighting.lights[0].shadows", line: 9, column: 53, "expected true or false")
        assertSingleIssue(
            base + "  lights:\n    - {position: [0, 0, 3], intensity: 10, shadow: true}\n",
            path: "lighting.lights[0].shadow", line: 9, column: 44, "did you mean `shadows`?")
    }
}
