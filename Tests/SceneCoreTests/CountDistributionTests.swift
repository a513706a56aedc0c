import Foundation
import XCTest

@testable import SceneCore

/// A group's `count` as a distribution (docs/SCENE_FORMAT.md, "Counts"): what loads, what the draws
/// look like over many layouts, and that `[min, max]` draws what it always drew.
final class CountDistributionTests: XCTestCase {
    /// One group of small boxes, far apart from nothing, in a large region: every count fits.
    func scene(count: String, frames: Int = 1, seed: UInt64 = 7) throws -> SceneDescription {
        try SceneLoader.load(
            yaml: minimalValidYAML + """

                seed: \(seed)
                frames: \(frames)
                resample_every: 1
                groups:
                  - {name: boxes, shape: box, size: [0.2, 0.2, 0.2], class: car, count: \(count), placement: {x: [-100, 100], y: [-100, 100]}}
                """, file: "test.yaml")
    }

    /// The group's count in each of the first `layouts` layouts (one instance per box).
    func counts(_ scene: SceneDescription, layouts: Int, seed: UInt64? = nil) throws -> [Int] {
        try (0..<layouts).map { i in
            try scene.frame(i, seed: seed ?? scene.seed).instances.filter { $0.name.hasPrefix("boxes_") }.count
        }
    }

    func meanAndVariance(_ xs: [Int]) -> (mean: Double, variance: Double) {
        let n = Double(xs.count)
        let mean = xs.reduce(0.0) { $0 + Double($1) } / n
        let variance = xs.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
        return (mean, variance)
    }

    /// P(X = k) of a Poisson, in log space with Foundation's lgamma: an implementation independent of
    /// the sampler's.
    func poissonProbability(_ k: Int, _ mean: Double) -> Double {
        Foundation.exp(Double(k) * Foundation.log(mean) - mean - lgamma(Double(k) + 1))
    }

    /// Pearson's chi-square of observed counts against expected probabilities (the last bin takes the
    /// rest of the mass).
    func chiSquare(_ xs: [Int], bins: Int, probability: (Int) -> Double) -> Double {
        var observed = [Double](repeating: 0, count: bins)
        for x in xs { observed[Swift.min(x, bins - 1)] += 1 }
        var expected = (0..<(bins - 1)).map { probability($0) }
        expected.append(1 - expected.reduce(0, +))
        let n = Double(xs.count)
        return zip(observed, expected).reduce(0.0) { $0 + ($1.0 - n * $1.1) * ($1.0 - n * $1.1) / (n * $1.1) }
    }

    // MARK: loading

    func testEachFormLoadsWithItsRangeAndLaw() throws {
        let cases: [(String, Int, Int)] = [
            ("3", 3, 3),
            ("[2, 5]", 2, 5),
            ("{uniform: [2, 5]}", 2, 5),
            ("{normal: {mean: 6, std: 2}}", 0, 14),
            ("{normal: {mean: 2.5, std: 0}}", 3, 3),
            ("{truncated_normal: {mean: 3, std: 2, min: 1, max: 6}}", 1, 6),
            ("{truncated_normal: {mean: 3, std: 2, min: 4, max: 4}}", 4, 4),
            ("{choice: [0, 2, 7], weights: [1, 0, 1]}", 0, 7),
            ("{choice: [4]}", 4, 4),
            ("{steps: {min: 1, max: 8, step: 3}}", 1, 7),
            ("{poisson: {mean: 3}}", 0, 17),
            ("{poisson: {mean: 3, max: 9}}", 0, 9),
            ("{poisson: {mean: 0}}", 0, 0),
        ]
        for (count, lo, hi) in cases {
            let c = try scene(count: count).groups[0].count
            XCTAssertEqual([c.min, c.max], [lo, hi], count)
        }
        XCTAssertEqual(try scene(count: "{uniform: [2, 5]}").groups[0].count, CountRange(min: 2, max: 5))
        XCTAssertEqual(try scene(count: "{poisson: {mean: 3}}").groups[0].count.law, .poisson(mean: 3))
        XCTAssertEqual(
            try scene(count: "{normal: {mean: 6, std: 2}}").groups[0].count.law, .rounded(.normal(mean: 6, std: 2)))
    }

    func testTheDefaultPoissonMaximumIsPassedWithProbabilityBelowOneInAMillion() {
        for mean in [0.01, 0.5, 1, 3, 7.5, 20, 64, 150, 333, 499.9, 500] {
            let most = CountRange.poissonDefaultMax(mean: mean)
            let below = (0...most).reduce(0.0) { $0 + poissonProbability($1, mean) }
            XCTAssertLessThan(1 - below, 1e-6, "mean \(mean), max \(most)")
            XCTAssertGreaterThan(Double(most), mean)
        }
    }

    func testBadCountsNameTheFieldAndWhatIsWrong() {
        func group(_ count: String) -> String {
            minimalValidYAML + """

                groups:
                  - {name: g, shape: car, class: car, count: \(count), placement: {x: [-50, 50], y: [-50, 50]}}
                """
        }
        assertSingleIssue(
            group("{choice: [1, 2.5]}"), path: "groups[0].count.choice[1]", line: 8, column: 59, "whole number",
            "fraction 2.5")
        assertSingleIssue(
            group("{steps: {min: 0, max: 4, step: 0.5}}"), path: "groups[0].count.steps.step", line: 8, column: 77,
            "whole number", "fraction 0.5")
        assertSingleIssue(
            group("{normal: {mean: -2, std: 1}}"), path: "groups[0].count.normal.mean", line: 8, column: 62,
            "at least 0", "-2")
        assertSingleIssue(
            group("{truncated_normal: {mean: 2, std: 1, min: 0.5, max: 4}}"),
            path: "groups[0].count.truncated_normal.min", line: 8, column: 88, "whole number", "0.5")
        assertSingleIssue(
            group("{poisson: {mean: 501}}"), path: "groups[0].count.poisson.mean", line: 8, column: 63, "0 to 500",
            "501")
        assertSingleIssue(
            group("{poisson: {mean: 6, max: 4}}"), path: "groups[0].count.poisson.max", line: 8, column: 71,
            "at least the mean 6", "found 4")
        assertSingleIssue(
            group("{normal: {mean: 70000, std: 1}}"), path: "groups[0].count.normal", line: 8, column: 55,
            "70004", "65535")
        assertSingleIssue(group("-1"), path: "groups[0].count", line: 8, column: 46, "at least 0", "-1")
        assertSingleIssue(
            group("[2, 70000]"), path: "groups[0].count[1]", line: 8, column: 50, "at most 65535", "70000")
        assertSingleIssue(
            group("{poisson: {mean: 3}, weights: [1]}"), path: "groups[0].count.weights", line: 8, column: 67,
            "`weights` goes with `choice`")
        assertSingleIssue(
            group("{poison: {mean: 3}}"), path: "groups[0].count.poison", line: 8, column: 47, "poisson")
    }

    /// The load-time capacity checks take the distribution's maximum, not its mean.
    func testImpossibleRequestChecksUseTheDistributionsMaximum() throws {
        let road =
            minimalValidYAML + """

                road: {class: road, length: 30, start_x: 0}
                groups:
                  - {name: jam, shape: car, class: car, count: COUNT, placement: {along_road: lane}, min_spacing: 6}
                """
        // 30 m of two lanes hold at most 12 cars 6 m apart: a Poisson of mean 3 may reach its maximum 17.
        let issues = loadIssues(road.replacingOccurrences(of: "COUNT", with: "{poisson: {mean: 3}}"))
        XCTAssertEqual(issues.map(\.path), ["groups[0].count"])
        XCTAssertTrue(issues.first?.message.contains("asks for up to 17 objects") ?? false, "\(issues)")
        XCTAssertNoThrow(
            try SceneLoader.load(
                yaml: road.replacingOccurrences(of: "COUNT", with: "{poisson: {mean: 3, max: 8}}"), file: "t.yaml"))
        let normal = loadIssues(road.replacingOccurrences(of: "COUNT", with: "{normal: {mean: 5, std: 2}}"))
        XCTAssertTrue(normal.first?.message.contains("asks for up to 13 objects") ?? false, "\(normal)")
        XCTAssertEqual(
            try scene(count: "{choice: [1, 30], weights: [9, 1]}").maxInstanceCount, 30,
            "the instance budget counts a choice's largest value")
    }

    // MARK: sampling

    func testPoissonCountsFollowThePoissonDistribution() throws {
        let n = 3000, mean = 3.0
        let xs = try counts(scene(count: "{poisson: {mean: 3}}", frames: n), layouts: n)
        let (m, v) = meanAndVariance(xs)
        // Standard errors: sqrt(mean / n) = 0.032 for the mean, sqrt((mean + 2 mean²) / n) = 0.084 for the
        // variance; 5 of them is far outside chance.
        XCTAssertEqual(m, mean, accuracy: 5 * (mean / Double(n)).squareRoot())
        XCTAssertEqual(v, mean, accuracy: 5 * ((mean + 2 * mean * mean) / Double(n)).squareRoot())
        // The whole shape: chi-square over 0...7 and 8+ (8 degrees of freedom; 31 has p < 1e-4).
        XCTAssertLessThan(chiSquare(xs, bins: 9) { self.poissonProbability($0, mean) }, 31)
        XCTAssertTrue(xs.contains(0), "a mean of 3 gives no objects about one layout in twenty")
    }

    func testPoissonInverseCDFIsTheLeastCountWhoseCDFExceedsTheDraw() {
        for mean in [0.3, 3, 42, 500] {
            let most = CountRange.poissonDefaultMax(mean: mean)
            var cdf = [Double]()
            for k in 0...most { cdf.append((cdf.last ?? 0) + poissonProbability(k, mean)) }
            for i in 0..<200 {
                let u = (Double(i) + 0.5) / 200
                let k = PoissonDistribution.quantile(u, mean: mean, max: most)
                // Allow for the two sums' rounding only where u sits on a step's edge.
                XCTAssertTrue(cdf[k] > u - 1e-9, "mean \(mean) u \(u): P(X <= \(k)) = \(cdf[k])")
                if k > 0 { XCTAssertTrue(cdf[k - 1] <= u + 1e-9, "mean \(mean) u \(u): k \(k) is not the least") }
            }
            XCTAssertEqual(PoissonDistribution.quantile(0.9999999999, mean: mean, max: 2), 2, "the cap")
        }
    }

    func testRoundedNormalCountsHaveTheirMeanAndVariance() throws {
        let n = 3000
        let xs = try counts(scene(count: "{normal: {mean: 6, std: 2}}", frames: n), layouts: n)
        let (m, v) = meanAndVariance(xs)
        // Rounding adds 1/12 to the variance and keeps the mean of a Gaussian centred on a whole number.
        XCTAssertEqual(m, 6, accuracy: 5 * 2 / Double(n).squareRoot())
        XCTAssertEqual(v, 4 + 1.0 / 12, accuracy: 5 * 4 * (2 / Double(n - 1)).squareRoot())
        XCTAssertTrue(xs.allSatisfy { (0...14).contains($0) })
    }

    func testTruncatedNormalChoiceAndStepsGiveOnlyTheirValuesInProportion() throws {
        let n = 2000
        let truncated = try counts(
            scene(count: "{truncated_normal: {mean: 2, std: 3, min: 0, max: 5}}", frames: n), layouts: n)
        XCTAssertEqual(Set(truncated), Set(0...5))

        let chosen = try counts(scene(count: "{choice: [0, 2, 7], weights: [1, 2, 1]}", frames: n), layouts: n)
        XCTAssertEqual(Set(chosen), [0, 2, 7])
        for (value, p) in [(0, 0.25), (2, 0.5), (7, 0.25)] {
            let share = Double(chosen.filter { $0 == value }.count) / Double(n)
            XCTAssertEqual(share, p, accuracy: 5 * (p * (1 - p) / Double(n)).squareRoot(), "value \(value)")
        }

        let stepped = try counts(scene(count: "{steps: {min: 1, max: 8, step: 3}}", frames: n), layouts: n)
        XCTAssertEqual(Set(stepped), [1, 4, 7])
        for value in [1, 4, 7] {
            let share = Double(stepped.filter { $0 == value }.count) / Double(n)
            XCTAssertEqual(share, 1.0 / 3, accuracy: 5 * (2.0 / 9 / Double(n)).squareRoot(), "value \(value)")
        }
    }

    func testCountsAreAPureFunctionOfSceneSeedAndLayout() throws {
        for count in ["{poisson: {mean: 4}}", "{normal: {mean: 5, std: 2}}", "{choice: [1, 3, 9]}"] {
            let a = try counts(scene(count: count, frames: 200), layouts: 200)
            let b = try counts(scene(count: count, frames: 200), layouts: 200)
            XCTAssertEqual(a, b, count)
            let other = try counts(scene(count: count, frames: 200), layouts: 200, seed: 8)
            XCTAssertNotEqual(a, other, "\(count): another seed draws other counts")
        }
    }

    /// `[min, max]` takes the same number from the same stream as before distributions existed, so
    /// existing scenes keep their frames; `{uniform: [min, max]}` is the same thing.
    func testRangeCountsDrawWhatTheyAlwaysDrew() throws {
        let ranged = try scene(count: "[2, 9]", frames: 300, seed: 11)
        let xs = try counts(ranged, layouts: 300)
        for (layout, x) in xs.enumerated() {
            var rng = Xoshiro256StarStar(key: [
                11, StreamPurpose.group.rawValue, UInt64(layout), stableHash("boxes"),
            ])
            XCTAssertEqual(x, rng.integer(2, 9), "layout \(layout)")
        }
        let uniform = try scene(count: "{uniform: [2, 9]}", frames: 300, seed: 11)
        XCTAssertEqual(try (0..<300).map { try uniform.frame($0) }, try (0..<300).map { try ranged.frame($0) })
    }
}
