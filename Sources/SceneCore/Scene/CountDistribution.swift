// How many objects a group places in a layout (docs/SCENE_FORMAT.md, "Counts").
//
// A count is a whole number in `min...max`, drawn once per layout from the group's stream before any
// of its objects. Every kind takes at most one number from the stream (none when fixed), so the
// objects drawn after it do not depend on the count's kind, and `[min, max]` draws exactly what it
// drew before count distributions existed: scenes written before them sample the same frames.

/// A whole number of objects in `min...max`: fixed, uniform, or a distribution rounded to whole
/// numbers (`{normal}`, `{truncated_normal}`, `{choice}`, `{steps}`, `{poisson}`). `max` is the
/// greatest count a draw can give, the one the loader's "does it fit" checks use.
public struct CountRange: Hashable, Sendable {
    /// How a count is drawn within `min...max`.
    public enum Law: Hashable, Sendable {
        /// Every whole number in `min...max` equally likely (`n`, `[min, max]`, `{uniform: [min, max]}`).
        case uniform
        /// One draw of the value, rounded to the nearest whole number (halves away from zero), then
        /// clamped to `min...max`.
        case rounded(RandomValue)
        /// Poisson with this mean (> 0), by its inverse CDF from one uniform draw; a draw that would
        /// pass `max` is `max`.
        case poisson(mean: Double)
    }

    /// The least count a draw can give.
    public var min: Int
    /// The greatest count a draw can give.
    public var max: Int
    /// How a draw falls within `min...max`.
    public var law: Law

    /// Uniform in `min...max` (`min == max`: that count).
    public init(min: Int, max: Int) {
        self.init(min: min, max: max, law: .uniform)
    }

    public init(min: Int, max: Int, law: Law) {
        self.min = min
        self.max = max
        self.law = law
    }

    /// The most objects one group may ask for in any form: what a 16-bit instance map can number.
    public static let largest = 65535
    /// The greatest Poisson mean: its inverse CDF starts from e^-mean, which a double holds to about 700;
    /// for larger means `{normal: {mean: m, std: √m}}` is a close approximation.
    public static let largestPoissonMean = 500.0

    /// The default `max` of `{poisson: {mean}}`: mean + 5√mean + 5, rounded up. For every mean up to
    /// `largestPoissonMean` a draw passes it with probability below 1e-6 (at most 2e-7), so the cap
    /// hardly changes the distribution while bounding the loader's capacity checks.
    public static func poissonDefaultMax(mean: Double) -> Int {
        Int((mean + 5 * mean.squareRoot() + 5).rounded(.up))
    }
}

extension Xoshiro256StarStar {
    /// One draw of a count: none from the stream when `min == max`, one otherwise.
    public mutating func sample(_ c: CountRange) -> Int {
        guard c.min < c.max else { return c.min }
        switch c.law {
        case .uniform:
            return integer(c.min, c.max)
        case .rounded(let v):
            let x = sample(v).rounded(.toNearestOrAwayFromZero)
            return Int(Swift.min(Double(c.max), Swift.max(Double(c.min), x)))
        case .poisson(let mean):
            return Swift.max(c.min, PoissonDistribution.quantile(unit(), mean: mean, max: c.max))
        }
    }
}

/// The Poisson distribution's inverse CDF, in the same plain arithmetic as `NormalDistribution` so a
/// draw is the same whole number on every machine.
enum PoissonDistribution {
    /// The least k in `0...max` with P(X <= k) > u, or `max` when even P(X <= max) (as summed here) is
    /// not above `u`. Walks the probabilities up from P(X = 0) = e^-mean by p(k) = p(k-1) * mean / k:
    /// at most `max` steps, each a multiply, a divide and an add.
    static func quantile(_ u: Double, mean: Double, max: Int) -> Int {
        var p = NormalDistribution.exp(-mean)
        var cdf = p
        var k = 0
        while cdf <= u && k < max {
            k += 1
            p = p * mean / Double(k)
            cdf += p
        }
        return k
    }
}
