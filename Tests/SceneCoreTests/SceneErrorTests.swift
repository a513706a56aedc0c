import XCTest

@testable import SceneCore

/// Every kind of mistake gives an issue with the right file, line, column, field path and words.
/// `minimalValidYAML` is six lines; appended text starts on line 7.
final class SceneErrorTests: XCTestCase {
    func testMinimalValidSceneLoads() throws {
        let scene = try SceneLoader.load(yaml: minimalValidYAML, file: "test.yaml")
        XCTAssertEqual(scene.name, "test")
        XCTAssertEqual(scene.frameCount, 1)
        XCTAssertEqual(scene.camera.intrinsics.width, 64)
    }

    func testMissingFileNamesThePath() {
        XCTAssertThrowsError(try SceneLoader.load(path: "/no/such/dir/street.yaml")) { error in
            let e = error as! SceneLoadError
            XCTAssertEqual(e.issues.count, 1)
            XCTAssertEqual(e.issues[0].file, "/no/such/dir/street.yaml")
            XCTAssertTrue(e.issues[0].message.contains("/no/such/dir/street.yaml"))
            XCTAssertTrue(e.issues[0].message.contains("does not exist"))
            XCTAssertTrue(e.description.hasPrefix("/no/such/dir/street.yaml: "))
        }
    }

    func testInvalidYAMLSyntaxHasLineAndColumn() {
        let yaml = "format: 1\nname: [unclosed, list\nseed: 3\n"
        let issues = loadIssues(yaml)
        XCTAssertEqual(issues.count, 1)
        XCTAssertTrue(issues[0].message.hasPrefix("invalid YAML"), issues[0].message)
        XCTAssertEqual(issues[0].line, 3)
        XCTAssertEqual(issues[0].column, 5)

        let tab = "format: 1\ncamera:\n\tresolution: [1, 2]\n"
        let t = loadIssues(tab)
        XCTAssertEqual(t.count, 1)
        XCTAssertEqual(t.first?.line, 3)
        XCTAssertEqual(t.first?.column, 1)
    }

    func testDuplicateKeysAreReported() {
        let issues = loadIssues(minimalValidYAML + "\nseed: 1\nseed: 2\n")
        XCTAssertEqual(issues.count, 1)
        XCTAssertTrue(issues[0].message.contains("`seed`"), issues[0].message)
        XCTAssertEqual(issues[0].line, 7)
    }

    func testEmptyAndNonMappingFiles() {
        assertSingleIssue("", path: "", line: 1, column: 1, "empty")
        assertSingleIssue("- 1\n- 2\n", path: "", line: 1, column: 1, "expected a mapping", "found a list of 2")
    }

    func testUnknownFieldSuggestsTheClosestName() {
        assertSingleIssue(
            minimalValidYAML + "\nsede: 3\n", path: "sede", line: 7, column: 1, "unknown field `sede`",
            "did you mean `seed`?")
        assertSingleIssue(
            minimalValidYAML + "\n  fov_degs: 70\n", path: "camera.fov_degs", line: 7, column: 3,
            "did you mean `fov_deg`?")
        // No suggestion when nothing is close.
        let issues = loadIssues(minimalValidYAML + "\nwibble: 3\n")
        XCTAssertFalse(issues[0].message.contains("did you mean"))
    }

    func testWrongTypes() {
        assertSingleIssue(
            minimalValidYAML + "\nseed: abc\n", path: "seed", line: 7, column: 7, "expected a whole number",
            "found the string \"abc\"")
        assertSingleIssue(
            minimalValidYAML + "\nframes: 2.5\n", path: "frames", line: 7, column: 9, "found the fraction 2.5")
        assertSingleIssue(
            minimalValidYAML + "\nground: [1, 2]\n", path: "ground", line: 7, column: 9, "expected a mapping",
            "found a list of 2")
        assertSingleIssue(
            minimalValidYAML + "\n  position: [1, 2]\n", path: "camera.position", line: 7, column: 13, "[x, y, z]",
            "found a list of 2")
        assertSingleIssue(
            minimalValidYAML + "\n  near: \"far\"\n", path: "camera.near", line: 7, column: 9, "greater than 0",
            "found the string \"far\"")
        assertSingleIssue(
            minimalValidYAML + "\nroad: {class: road, markings: {edge_lines: 3}}\n", path: "road.markings.edge_lines",
            line: 7,
            column: 44, "true or false", "found the number 3")
    }

    func testMissingRequiredFields() {
        assertSingleIssue(
            "format: 1\nclasses: [{id: 1, name: a}]\n", path: "camera", line: 1, column: 1,
            "missing required field `camera`")
        assertSingleIssue(
            "format: 1\nclasses: [{id: 1, name: a}]\ncamera: {fov_deg: 60}\n", path: "camera.resolution", line: 3,
            column: 9,
            "missing required field `resolution`")
        assertSingleIssue(
            "classes: [{id: 1, name: a}]\ncamera: {resolution: [2, 2]}\n", path: "format", line: 1, column: 1,
            "`format: 1`")
        assertSingleIssue(
            minimalValidYAML + "\nobjects:\n  - {shape: box, size: [1, 1, 1], class: car}\n",
            path: "objects[0].position", line: 8,
            column: 5, "missing required field `position`")
    }

    func testUnsupportedFormatVersion() {
        let yaml = minimalValidYAML.replacingOccurrences(of: "format: 1", with: "format: 2")
        assertSingleIssue(yaml, path: "format", line: 1, column: 9, "unsupported format version 2")
    }

    func testOutOfRangeValues() {
        let badResolution = minimalValidYAML.replacingOccurrences(of: "[64, 48]", with: "[0, -48]")
        let issues = loadIssues(badResolution)
        XCTAssertEqual(issues.map(\.path), ["camera.resolution[0]", "camera.resolution[1]"])
        XCTAssertEqual(issues.map(\.line), [6, 6])
        XCTAssertEqual(issues.map(\.column), [16, 19])
        XCTAssertTrue(issues[1].message.contains("found -48"))

        assertSingleIssue(
            minimalValidYAML + "\n  fov_deg: 180\n", path: "camera.fov_deg", line: 7, column: 12,
            "strictly between 0 and 180", "found 180")
        assertSingleIssue(minimalValidYAML + "\n  fov_deg: 0\n", path: "camera.fov_deg", line: 7, column: 12, "found 0")
        let group =
            "\ngroups:\n  - {name: g, shape: sphere, radius: 1, class: car, count: COUNT, placement: {x: [0, 9], y: [0, 9]}}\n"
        assertSingleIssue(
            minimalValidYAML + group.replacingOccurrences(of: "COUNT", with: "-1"), path: "groups[0].count", line: 8,
            column: 60,
            "at least 0", "found -1")
        assertSingleIssue(
            minimalValidYAML + group.replacingOccurrences(of: "COUNT", with: "[5, 2]"), path: "groups[0].count",
            line: 8, column: 60,
            "min <= max", "min 5 > max 2")
        assertSingleIssue(
            minimalValidYAML
                + group.replacingOccurrences(of: "radius: 1", with: "radius: [2, 1]").replacingOccurrences(
                    of: "COUNT", with: "1"), path: "groups[0].radius",
            line: 8, column: 38, "min 2 > max 1")
        assertSingleIssue(
            minimalValidYAML + "\nlighting: {sun_elevation_deg: 95}\n", path: "lighting.sun_elevation_deg", line: 7,
            column: 31,
            "from -90 to 90")
        assertSingleIssue(
            minimalValidYAML + "\nground: {class: road, color: [0, 300, 0]}\n", path: "ground.color[1]", line: 7,
            column: 34,
            "from 0 to 255", "found 300")
    }

    func testUnknownClassNameSuggests() {
        assertSingleIssue(
            minimalValidYAML + "\nobjects:\n  - {shape: box, size: [1, 1, 1], class: cra, position: [0, 0, 0]}\n",
            path: "objects[0].class", line: 8, column: 42, "unknown class `cra`", "did you mean `car`?")
        assertSingleIssue(
            minimalValidYAML + "\nground: {class: gras}\n", path: "ground.class", line: 7, column: 17,
            "unknown class `gras`")
    }

    func testClassTableProblems() {
        let dupID = minimalValidYAML.replacingOccurrences(of: "{id: 2, name: car}", with: "{id: 1, name: car}")
        assertSingleIssue(dupID, path: "classes[1].id", line: 4, column: 10, "duplicate class id 1", "`road`")
        let dupName = minimalValidYAML.replacingOccurrences(of: "{id: 2, name: car}", with: "{id: 2, name: road}")
        assertSingleIssue(dupName, path: "classes[1].name", line: 4, column: 19, "duplicate class name `road`")
        let zero = minimalValidYAML.replacingOccurrences(of: "{id: 2, name: car}", with: "{id: 0, name: car}")
        assertSingleIssue(zero, path: "classes[1].id", line: 4, column: 10, "reserved for background")
        let big = minimalValidYAML.replacingOccurrences(of: "{id: 2, name: car}", with: "{id: 256, name: car}")
        assertSingleIssue(big, path: "classes[1].id", line: 4, column: 10, "from 1 to 255", "found 256")
    }

    func testTooManyInstances() {
        let yaml =
            minimalValidYAML + """

                groups:
                  - {name: a, shape: plane, size: [1, 1], class: car, count: 40000, placement: {x: [0, 9], y: [0, 9]}}
                  - {name: b, shape: plane, size: [1, 1], class: car, count: [0, 30000], placement: {x: [0, 9], y: [0, 9]}}
                """
        // Planes take no space, so 70000 fit the region; the instance map is what limits them.
        assertSingleIssue(yaml, path: "groups[1].count", line: 9, column: 62, "70000 instances", "at most 65535")
        // Stuff does not count.
        let stuff = yaml.replacingOccurrences(of: "name: b,", with: "name: b, stuff: true,")
        XCTAssertNoThrow(try SceneLoader.load(yaml: stuff, file: "test.yaml"))
    }

    func testImpossiblePlacementIsALoadError() {
        // 100 objects 10 m apart cannot fit in 20 x 20 m.
        let yaml =
            minimalValidYAML + """

                groups:
                  - name: crowd
                    shape: sphere
                    radius: 0.5
                    class: car
                    count: 100
                    min_spacing: 10
                    placement: {x: [0, 20], y: [0, 20]}
                """
        assertSingleIssue(yaml, path: "groups[0].count", line: 12, column: 12, "`crowd`", "at most")
    }

    func testPossibleInPrincipleButNotInPracticeTerminatesWithAnError() {
        // Exactly 11 fit on a 100 m line 10 m apart, but only if placed perfectly: random placement
        // gives up after a bounded number of attempts and names the group.
        let yaml =
            minimalValidYAML + """

                groups:
                  - name: queue
                    shape: sphere
                    radius: 0.5
                    class: car
                    count: 11
                    min_spacing: 10
                    placement: {x: [0, 100], y: [0, 0]}
                """
        assertSingleIssue(yaml, path: "groups[0].count", line: 12, column: 12, "`queue`", "could not place", "attempts")
    }

    func testSamplingFailureAtFrameTimeIsAnErrorNotALoop() throws {
        let yaml =
            minimalValidYAML + """

                groups:
                  - {name: few, shape: sphere, radius: 0.5, class: car, count: 3, min_spacing: 10, placement: {x: [0, 100], y: [0, 0]}}
                """
        var scene = try SceneLoader.load(yaml: yaml, file: "test.yaml")
        scene.groups[0].count = CountRange(min: 11, max: 11)
        XCTAssertThrowsError(try scene.frame(5, seed: 99)) { error in
            let e = error as! FrameSamplingError
            XCTAssertEqual(e.frameIndex, 5)
            XCTAssertEqual(e.seed, 99)
            XCTAssertEqual(e.location.path, "groups[0].count")
            XCTAssertEqual(e.location.line, 8)
            XCTAssertTrue(e.description.contains("`few`"))
        }
    }

    func testModelFieldsThatDoNotApply() {
        assertSingleIssue(
            minimalValidYAML
                + "\nobjects:\n  - {shape: box, size: [1, 1, 1], radius: 2, class: car, position: [0, 0, 0]}\n",
            path: "objects[0].radius", line: 8, column: 35, "does not apply to shape box")
        assertSingleIssue(
            minimalValidYAML + "\nobjects:\n  - {shape: boxx, size: [1, 1, 1], class: car, position: [0, 0, 0]}\n",
            path: "objects[0].shape", line: 8, column: 13, "did you mean `box`?")
        assertSingleIssue(
            minimalValidYAML + "\ngroups:\n  - {shape: car, class: car, count: 1, placement: {along_road: lane}}\n",
            path: "groups[0].placement.along_road", line: 8, column: 64, "needs a `road` section")
    }

    func testAllProblemsAreReportedInOneRun() {
        let yaml = """
            format: 1
            seeed: 4
            classes:
              - {id: 1, name: road}
              - {id: 2, name: car}
            camera:
              resolution: [640, 0]
            objects:
              - {shape: box, size: [1, 1, 1], class: truck, position: [0, 0, 0]}
            """
        let issues = loadIssues(yaml)
        XCTAssertEqual(issues.count, 3, issues.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(issues.map(\.path), ["seeed", "camera.resolution[1]", "objects[0].class"])
        XCTAssertEqual(issues.map(\.line), [2, 7, 9])
        let text = SceneLoadError(issues: issues).description
        XCTAssertEqual(text.split(separator: "\n").count, 3)
        XCTAssertTrue(text.hasPrefix("test.yaml:2:1: seeed: unknown field `seeed`"), text)
    }
}
