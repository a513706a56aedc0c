import Foundation
import XCTest

@testable import SceneCore

/// Distributions: how they are written, their bounds, and that sampling them is deterministic,
/// takes one number per draw and has the right shape.
final class DistributionTests: XCTestCase {
    /// The sun azimuth of a scene whose lighting writes `value` for it.
    func azimuth(_ value: String, file: StaticString = #filePath, line: UInt = #line) throws -> RandomValue {
        let scene = try SceneLoader.load(
            yaml: minimalValidYAML + "\nlighting: {sun_azimuth_deg: \(value)}\n", file: "t.yaml")
        return scene.lighting.sunAzimuthDeg
    }

    func testEveryFormLoads() throws {
        XCTAssertEqual(try azimuth("[10, 20]"), .uniform(min: 10, max: 20))
        XCTAssertEqual(try azimuth("{uniform: [10, 20]}"), .uniform(min: 10, max: 20))
        XCTAssertEqual(try azimuth("{normal: {mean: 90, std: 5}}"), .normal(mean: 90, std: 5))
        XCTAssertEqual(
            try azimuth("{truncated_normal: {mean: 90, std: 5, min: 80, max: 95}}"),
            .truncatedNormal(mean: 90, std: 5, min: 80, max: 95))
        XCTAssertEqual(try azimuth("{choice: [0, 90, 180]}"), .choice(values: [0, 90, 180], weights: [1, 1, 1]))
        XCTAssertEqual(
            try azimuth("{choice: [0, 90], weights: [3, 0.5]}"), .choice(values: [0, 90], weights: [3, 0.5]))
        XCTAssertEqual(try azimuth("{steps: {min: 0, max: 1, step: 0.1}}"), .steps(min: 0, step: 0.1, count: 11))
        XCTAssertEqual(try azimuth("{steps: {min: 0, max: 10, step: 3}}"), .steps(min: 0, step: 3, count: 4))
        // Forms that can give one value only are that value.
        XCTAssertEqual(try azimuth("{normal: {mean: 7, std: 0}}"), .fixed(7))
        XCTAssertEqual(try azimuth("{truncated_normal: {mean: 7, std: 2, min: 3, max: 3}}"), .fixed(3))
        XCTAssertEqual(try azimuth("{choice: [42]}"), .fixed(42))
        XCTAssertEqual(try azimuth("{steps: {min: 5, max: 5.5, step: 1}}"), .fixed(5))
    }

    func testDistributionsWorkWhereverANumberIsRandom() throws {
        let yaml =
            minimalValidYAML + """

                  jitter: {yaw_deg: {normal: {mean: 0, std: 0.5}}, height: {choice: [0, 0.1]}}
                groups:
                  - name: g
                    shape: box
                    size: [{truncated_normal: {mean: 1, std: 0.2, min: 0.5, max: 1.5}}, 1, {steps: {min: 1, max: 2, step: 0.5}}]
                    class: car
                    count: 3
                    yaw_deg: {choice: [0, 180], weights: [3, 1]}
                    placement: {x: [0, 20], y: [0, 20], z: {uniform: [0, 1]}}
                """
        let scene = try SceneLoader.load(yaml: yaml, file: "t.yaml")
        XCTAssertEqual(scene.camera.jitter.yawDeg, .normal(mean: 0, std: 0.5))
        XCTAssertEqual(scene.camera.jitter.height, .choice(values: [0, 0.1], weights: [1, 1]))
        XCTAssertEqual(scene.groups[0].template.yawDeg, .choice(values: [0, 180], weights: [3, 1]))
        let frame = try scene.frame(0)
        for instance in frame.instances {
            XCTAssertTrue(instance.size.x >= 0.5 - 1e-12 && instance.size.x <= 1.5 + 1e-12, "\(instance.size)")
            XCTAssertTrue([1, 1.5, 2].contains(instance.size.z), "\(instance.size)")
        }
        XCTAssertEqual(try scene.frame(0), frame, "the same frame every time")
    }

    func testBoundsAreTheSupportAndFourStandardDeviationsForANormal() {
        XCTAssertEqual(RandomValue.normal(mean: 10, std: 2).lowerBound, 2)
        XCTAssertEqual(RandomValue.normal(mean: 10, std: 2).upperBound, 18)
        XCTAssertEqual(RandomValue.truncatedNormal(mean: 0, std: 9, min: -1, max: 3).lowerBound, -1)
        XCTAssertEqual(RandomValue.truncatedNormal(mean: 0, std: 9, min: -1, max: 3).upperBound, 3)
        let choice = RandomValue.choice(values: [5, -7, 30], weights: [1, 1, 0])
        XCTAssertEqual([choice.lowerBound, choice.upperBound], [-7, 5], "a value of weight 0 is never drawn")
        XCTAssertEqual(RandomValue.steps(min: 1, step: 0.5, count: 5).upperBound, 3)
    }

    /// `[a, b]` draws what it always drew: `lo + (hi - lo) * unit()`, one number; a fixed value draws
    /// nothing; every distribution takes exactly one number from the stream.
    func testEachDrawTakesOneNumberAndUniformIsUnchanged() {
        let kinds: [RandomValue] = [
            .uniform(min: -3, max: 8), .normal(mean: 1, std: 2), .truncatedNormal(mean: 0, std: 1, min: 2, max: 3),
            .choice(values: [1, 2, 3], weights: [0, 1, 5]), .steps(min: 0, step: 0.25, count: 9),
        ]
        for kind in kinds {
            var a = Xoshiro256StarStar(key: [1, 2, 3]), b = Xoshiro256StarStar(key: [1, 2, 3])
            _ = a.sample(kind)
            _ = b.next()
            XCTAssertEqual(a.next(), b.next(), "\(kind) takes one number")
        }
        var a = Xoshiro256StarStar(key: [9]), b = Xoshiro256StarStar(key: [9])
        for _ in 0..<100 {
            XCTAssertEqual(a.sample(.uniform(min: -3, max: 8)), -3 + 11 * b.unit())
        }
        var c = Xoshiro256StarStar(key: [9]), d = Xoshiro256StarStar(key: [9])
        XCTAssertEqual(c.sample(.fixed(4)), 4)
        XCTAssertEqual(c.next(), d.next(), "a fixed value draws nothing")
    }

    func testSamplesHaveTheirDistributionsShape() {
        var rng = Xoshiro256StarStar(key: [77])
        let n = 40_000
        let normal = (0..<n).map { _ in rng.sample(.normal(mean: 3, std: 2)) }
        let mean = normal.reduce(0, +) / Double(n)
        let std = (normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
        XCTAssertEqual(mean, 3, accuracy: 0.05)
        XCTAssertEqual(std, 2, accuracy: 0.05)
        XCTAssertEqual(Double(normal.filter { abs($0 - 3) < 2 }.count) / Double(n), 0.6827, accuracy: 0.01)

        // Symmetric truncation keeps the mean; one-sided truncation in the far tail stays in range.
        let truncated = (0..<n).map { _ in rng.sample(.truncatedNormal(mean: 0, std: 1, min: -1, max: 1)) }
        XCTAssertTrue(truncated.allSatisfy { $0 >= -1 && $0 <= 1 })
        XCTAssertEqual(truncated.reduce(0, +) / Double(n), 0, accuracy: 0.01)
        // Var of N(0,1) on [-1, 1]: 1 - 2 φ(1) / (Φ(1) - Φ(-1)) = 0.2911.
        XCTAssertEqual(truncated.map { $0 * $0 }.reduce(0, +) / Double(n), 0.2911, accuracy: 0.01)
        let tail = (0..<2000).map { _ in rng.sample(.truncatedNormal(mean: 0, std: 1, min: 30, max: 31)) }
        XCTAssertTrue(tail.allSatisfy { $0 >= 30 && $0 <= 31 })
        XCTAssertLessThan(tail.reduce(0, +) / 2000, 30.1, "the mass sits at the near edge (mean 30 + 1/30)")
        let lowerTail = (0..<2000).map { _ in rng.sample(.truncatedNormal(mean: 5, std: 1, min: -40, max: -20)) }
        XCTAssertTrue(lowerTail.allSatisfy { $0 >= -40 && $0 <= -20 })

        let choices = (0..<n).map { _ in rng.sample(.choice(values: [10, 20, 30], weights: [1, 0, 3])) }
        XCTAssertEqual(choices.filter { $0 == 20 }.count, 0)
        XCTAssertEqual(Double(choices.filter { $0 == 30 }.count) / Double(n), 0.75, accuracy: 0.01)

        let steps = (0..<n).map { _ in rng.sample(.steps(min: 1, step: 0.5, count: 5)) }
        XCTAssertEqual(Set(steps), [1, 1.5, 2, 2.5, 3])
    }

    /// The arithmetic stands in for libm so that draws are the same everywhere; it must still be
    /// the same function.
    func testTheDeterministicFunctionsAgreeWithTheMathLibrary() {
        for x in [1e-300, 1e-12, 0.001, 0.3, 0.5, 0.999, 1, 1.0001, 2, 7.5, 1e5, 1e300] {
            XCTAssertEqual(NormalDistribution.log(x), log(x), accuracy: 1e-15 * max(1, abs(log(x))))
        }
        for x in [-700.0, -30, -1, -1e-8, 0, 1e-8, 0.5, 1, 20, 700] {
            XCTAssertEqual(NormalDistribution.exp(x), exp(x), accuracy: 1e-15 * exp(x))
        }
        for x in [-5.0, -2, -0.5, 0, 0.3, 1, 3, 6, 20] {
            XCTAssertEqual(NormalDistribution.erfc(x), erfc(x), accuracy: 1.3e-7 * erfc(x))
        }
        for x in [-8.0, -3, -1, 0, 0.5, 2, 6] {
            XCTAssertEqual(NormalDistribution.quantile(NormalDistribution.cdf(x)), x, accuracy: 1e-5)
        }
        XCTAssertEqual(NormalDistribution.quantile(0.975), 1.959964, accuracy: 1e-6)
        XCTAssertEqual(NormalDistribution.quantile(0), -.infinity)
        XCTAssertEqual(NormalDistribution.quantile(1), .infinity)
    }
}
