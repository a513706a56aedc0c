import Yams

// A group's `count` (docs/SCENE_FORMAT.md, "Counts"): a whole number, `[min, max]`, or a distribution
// whose every value is a whole number of at least 0, or which is rounded to one:
//
//   n  [min, max]  {uniform: [min, max]}           whole numbers, uniformly (min == max: fixed)
//   {normal: {mean, std}}                          rounded, clamped to 0...round(mean + 4 std)
//   {truncated_normal: {mean, std, min, max}}      min, max whole; rounded
//   {choice: [n1, ...], weights: [w1, ...]}        whole values
//   {steps: {min, max, step}}                      min, max, step whole
//   {poisson: {mean, max}}                         0 <= mean <= 500; max defaults to mean + 5√mean + 5
//
// Nothing here may exceed `CountRange.largest`, so the capacity checks and the instance budget stay
// in plain Int arithmetic.

extension FieldReader {
    static let countKinds = distributionKinds + ["poisson"]

    /// A group's count; nil after reporting.
    func count(_ node: Node, _ path: String) -> CountRange? {
        switch node {
        case .sequence(let s):
            guard s.count == 2 else {
                report(node, path, "expected a whole number or a range [min, max], found a list of \(s.count)")
                return nil
            }
            let lo = wholeCount(s[0], path + "[0]"), hi = wholeCount(s[1], path + "[1]")
            guard let lo, let hi else { return nil }
            guard lo <= hi else {
                report(node, path, "expected a range [min, max] with min <= max, found min \(lo) > max \(hi)")
                return nil
            }
            return CountRange(min: lo, max: hi)
        case .mapping:
            guard let (kind, value, at, f) = distributionKind(node, path, kinds: Self.countKinds) else { return nil }
            switch kind {
            case "uniform":
                guard case .sequence = value else {
                    report(value, at, "expected a range [min, max] of whole numbers, found \(describe(value))")
                    return nil
                }
                return count(value, at)
            case "normal": return normalCount(value, at)
            case "poisson": return poissonCount(value, at)
            case "truncated_normal":
                return truncatedNormal(value, at, .nonNegative).flatMap {
                    wholeFields(value, at, ["min", "max"]) ? rounded($0, value, at) : nil
                }
            case "choice":
                return choice(value, at, weights: f["weights"], f.path("weights"), .nonNegative).flatMap { v in
                    // Only after `choice` accepted the list: each bad value is reported once.
                    let items = value.sequence.map(Array.init) ?? []
                    let whole = items.enumerated().allSatisfy { wholeCount($0.element, "\(at)[\($0.offset)]") != nil }
                    return whole ? rounded(v, value, at) : nil
                }
            default:
                return steps(value, at, .nonNegative).flatMap {
                    wholeFields(value, at, ["min", "max", "step"]) ? rounded($0, value, at) : nil
                }
            }
        default:
            guard rawNumber(node) != nil else {
                report(
                    node, path,
                    "expected a whole number, a range [min, max] or a distribution (\(Self.countKinds.joined(separator: ", "))), found \(describe(node))"
                )
                return nil
            }
            return wholeCount(node, path).map { CountRange(min: $0, max: $0) }
        }
    }

    private func wholeCount(_ node: Node, _ path: String) -> Int? {
        guard let n = integer(node, path, min: 0) else { return nil }
        guard n <= CountRange.largest else {
            report(
                node, path,
                "expected at most \(CountRange.largest) objects (what a 16-bit instance map can number), found \(n)"
            )
            return nil
        }
        return n
    }

    /// Whether each named field of the mapping `node` is a whole count (reports those that are not).
    private func wholeFields(_ node: Node, _ path: String, _ keys: [String]) -> Bool {
        guard case .mapping(let m) = node else { return false }
        var ok = true
        for key in keys {
            if let v = m[key], wholeCount(v, join(path, key)) == nil { ok = false }
        }
        return ok
    }

    /// A distribution whose draws are rounded to whole counts; a fixed one is that count.
    private func rounded(_ v: RandomValue, _ node: Node, _ path: String) -> CountRange? {
        let lo = v.lowerBound.rounded(.toNearestOrAwayFromZero), hi = v.upperBound.rounded(.toNearestOrAwayFromZero)
        // The callers checked every value already; this keeps the Int conversions below safe whatever they pass.
        guard lo >= 0, hi <= Double(CountRange.largest) else {
            report(node, path, "expected counts from 0 to \(CountRange.largest), found \(format(lo)) to \(format(hi))")
            return nil
        }
        if case .fixed = v { return CountRange(min: Int(lo), max: Int(lo)) }
        return CountRange(min: Int(lo), max: Int(hi), law: .rounded(v))
    }

    /// `{mean, std}`: a Gaussian rounded and clamped to 0...round(mean + 4 std), the bound the docs give
    /// a normal for capacity checks (here it is also a guarantee).
    private func normalCount(_ node: Node, _ path: String) -> CountRange? {
        guard let f = fields(node, path, allowed: ["mean", "std"]) else { return nil }
        let mean = f.required("mean", "the mean count, at least 0").flatMap {
            number($0, f.path("mean"), .nonNegative)
        }
        let std = f.required("std", "a standard deviation, at least 0").flatMap {
            number($0, f.path("std"), .nonNegative)
        }
        guard let mean, let std else { return nil }
        let most = (mean + RandomValue.normalBoundInStandardDeviations * std).rounded(.toNearestOrAwayFromZero)
        guard most <= Double(CountRange.largest) else {
            report(
                node, path,
                "mean + \(format(RandomValue.normalBoundInStandardDeviations)) std is \(format(most)), more than the \(CountRange.largest) objects a group may hold"
            )
            return nil
        }
        if std == 0 { return rounded(.fixed(mean), node, path) }
        return CountRange(min: 0, max: Int(most), law: .rounded(.normal(mean: mean, std: std)))
    }

    /// `{mean, max}`: Poisson, capped at `max`.
    private func poissonCount(_ node: Node, _ path: String) -> CountRange? {
        guard let f = fields(node, path, allowed: ["mean", "max"]) else { return nil }
        let mean = f.required("mean", "the mean count, from 0 to \(format(CountRange.largestPoissonMean))").flatMap {
            number($0, f.path("mean"), .nonNegative)
        }
        let given = f["max"].map { wholeCount($0, f.path("max")) }
        guard let mean, given != .some(nil) else { return nil }
        guard mean <= CountRange.largestPoissonMean else {
            report(
                f["mean"] ?? node, f.path("mean"),
                "expected a mean from 0 to \(format(CountRange.largestPoissonMean)), found \(format(mean)); for larger means {normal: {mean: m, std: √m}} is a close approximation"
            )
            return nil
        }
        if mean == 0 { return CountRange(min: 0, max: 0) }
        let most = given.flatMap { $0 } ?? CountRange.poissonDefaultMax(mean: mean)
        guard Double(most) >= mean else {
            report(
                f["max"] ?? node, f.path("max"),
                "expected a max of at least the mean \(format(mean)), found \(most): most draws would be cut to it"
            )
            return nil
        }
        return CountRange(min: 0, max: most, law: .poisson(mean: mean))
    }
}
