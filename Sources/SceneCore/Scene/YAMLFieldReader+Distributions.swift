import Yams

// Distributions wherever a number may be random (docs/SCENE_FORMAT.md, "Distributions"):
//
//   {uniform: [a, b]}                              same as [a, b]
//   {normal: {mean, std}}                          unbounded: only where any number is allowed
//   {truncated_normal: {mean, std, min, max}}
//   {choice: [v1, v2, ...], weights: [w1, ...]}    weights optional (all equal)
//   {steps: {min, max, step}}                      min, min + step, ... up to max
//
// Degenerate forms (std 0, min == max, one value, one step) load as a fixed number.
//
// A group's `count` takes these too, as whole numbers, and `{poisson}` (YAMLFieldReader+Counts.swift).

extension FieldReader {
    static let distributionKinds = ["uniform", "normal", "truncated_normal", "choice", "steps"]

    /// A distribution mapping; every value it can produce satisfies `bound`.
    func distribution(_ node: Node, _ path: String, _ bound: NumberBound) -> RandomValue? {
        guard let (kind, value, at, f) = distributionKind(node, path, kinds: Self.distributionKinds) else { return nil }
        switch kind {
        case "uniform": return uniformRange(value, at, bound)
        case "normal": return normal(value, at, bound)
        case "truncated_normal": return truncatedNormal(value, at, bound)
        case "choice": return choice(value, at, weights: f["weights"], f.path("weights"), bound)
        default: return steps(value, at, bound)
        }
    }

    /// Which one of `kinds` a distribution mapping names, with its value and that value's path;
    /// reports unknown keys, none or two kinds, and `weights` without `choice`.
    func distributionKind(_ node: Node, _ path: String, kinds: [String]) -> (String, Node, String, Fields)? {
        guard case .mapping(let m) = node, let f = fields(node, path, allowed: kinds + ["weights"]) else { return nil }
        let given = kinds.filter { f.has($0) }
        guard let kind = given.first else {
            // Unknown keys were reported (with a did-you-mean) by `fields`.
            if m.count == (f.has("weights") ? 1 : 0) {
                report(
                    node, path,
                    "expected a distribution, one of \(kinds.map { "`\($0)`" }.joined(separator: ", ")), found \(m.count == 0 ? "an empty mapping" : "only `weights`")"
                )
            }
            return nil
        }
        if given.count > 1 {
            collector.report(
                f.keyMark(given[1]), f.path(given[1]),
                "give one distribution, found both `\(given[0])` and `\(given[1])`")
            return nil
        }
        if kind != "choice", f.has("weights") {
            collector.report(
                f.keyMark("weights"), f.path("weights"), "`weights` goes with `choice`, not with `\(kind)`")
            return nil
        }
        guard let value = f[kind] else { return nil }
        return (kind, value, f.path(kind), f)
    }

    private func normal(_ node: Node, _ path: String, _ bound: NumberBound) -> RandomValue? {
        guard let f = fields(node, path, allowed: ["mean", "std"]) else { return nil }
        let mean = f.required("mean", "a number").flatMap { number($0, f.path("mean")) }
        let std = f.required("std", "a standard deviation, at least 0").flatMap {
            number($0, f.path("std"), .nonNegative)
        }
        guard let mean, let std else { return nil }
        if std == 0 {
            guard bound.accepts(mean) else {
                report(f["mean"] ?? node, f.path("mean"), "expected \(bound.words), found \(format(mean))")
                return nil
            }
            return .fixed(mean)
        }
        if case .any = bound { return .normal(mean: mean, std: std) }
        report(
            node, path,
            "a normal distribution can take any value, but this field takes \(bound.words); use {truncated_normal: {mean, std, min, max}}"
        )
        return nil
    }

    func truncatedNormal(_ node: Node, _ path: String, _ bound: NumberBound) -> RandomValue? {
        guard let f = fields(node, path, allowed: ["mean", "std", "min", "max"]) else { return nil }
        let mean = f.required("mean", "a number").flatMap { number($0, f.path("mean")) }
        let std = f.required("std", "a standard deviation, at least 0").flatMap {
            number($0, f.path("std"), .nonNegative)
        }
        let lo = f.required("min", "the least value drawn").flatMap { number($0, f.path("min"), bound) }
        let hi = f.required("max", "the greatest value drawn").flatMap { number($0, f.path("max"), bound) }
        guard let mean, let std, let lo, let hi else { return nil }
        guard lo <= hi else {
            report(node, path, "expected min <= max, found min \(format(lo)) > max \(format(hi)): the range is empty")
            return nil
        }
        if lo == hi { return .fixed(lo) }
        if std == 0 {
            guard lo <= mean && mean <= hi else {
                report(
                    node, path,
                    "with std 0 every draw is the mean \(format(mean)), which is outside [\(format(lo)), \(format(hi))]"
                )
                return nil
            }
            return .fixed(mean)
        }
        guard NormalDistribution.mass((lo - mean) / std, (hi - mean) / std) > 1e-300 else {
            let sigmas = Swift.min(abs(lo - mean), abs(hi - mean)) / std
            report(
                node, path,
                "the range [\(format(lo)), \(format(hi))] lies \(format(sigmas.rounded())) standard deviations from the mean: no value can be drawn from it"
            )
            return nil
        }
        return .truncatedNormal(mean: mean, std: std, min: lo, max: hi)
    }

    func choice(
        _ node: Node, _ path: String, weights weightsNode: Node?, _ weightsPath: String, _ bound: NumberBound
    ) -> RandomValue? {
        guard let items = list(node, path, of: "values") else { return nil }
        guard !items.isEmpty else {
            report(node, path, "expected at least one value, found an empty list")
            return nil
        }
        let values = items.enumerated().compactMap { number($0.element, "\(path)[\($0.offset)]", bound) }
        var weights = [Double](repeating: 1, count: items.count)
        if let weightsNode {
            guard let ws = list(weightsNode, weightsPath, of: "weights") else { return nil }
            guard ws.count == items.count else {
                report(
                    weightsNode, weightsPath,
                    "expected \(items.count) weight\(items.count == 1 ? "" : "s"), one for each value of `choice`, found \(ws.count)"
                )
                return nil
            }
            let read = ws.enumerated().compactMap { number($0.element, "\(weightsPath)[\($0.offset)]", .nonNegative) }
            guard read.count == ws.count else { return nil }
            guard read.contains(where: { $0 > 0 }) else {
                report(weightsNode, weightsPath, "expected at least one weight above 0, found all 0")
                return nil
            }
            weights = read
        }
        guard values.count == items.count else { return nil }
        if values.count == 1 { return .fixed(values[0]) }
        return .choice(values: values, weights: weights)
    }

    func steps(_ node: Node, _ path: String, _ bound: NumberBound) -> RandomValue? {
        guard let f = fields(node, path, allowed: ["min", "max", "step"]) else { return nil }
        let lo = f.required("min", "the first value").flatMap { number($0, f.path("min"), bound) }
        let hi = f.required("max", "the greatest value").flatMap { number($0, f.path("max"), bound) }
        let step = f.required("step", "the distance between values").flatMap {
            number($0, f.path("step"), .positive)
        }
        guard let lo, let hi, let step else { return nil }
        guard lo <= hi else {
            report(node, path, "expected min <= max, found min \(format(lo)) > max \(format(hi))")
            return nil
        }
        // A little slack so that floating-point division does not drop the last step (0 to 1 by 0.1).
        let span = (hi - lo) / step * (1 + 1e-12) + 1e-9
        guard span < 1e9 else {
            report(node, path, "expected at most a billion steps, found \(format(span.rounded(.down))) steps")
            return nil
        }
        let count = Int(span.rounded(.down)) + 1
        return count == 1 ? .fixed(lo) : .steps(min: lo, step: step, count: count)
    }
}
