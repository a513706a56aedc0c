// Figures read back from the coordinator's own metrics (`FarmMetrics.exposition()`, the
// Prometheus text format served at GET /metrics), so the bench reports what an operator's
// dashboard would show.
//
// Commit latency is the histogram `scenefarm_commit_latency_seconds`: from a result's arrival
// on the event loop to its journal row (queueing in the commit pool included). A histogram keeps
// counts per bucket, not samples, so a quantile is reported as the upper bound of the bucket it
// falls in ("p99 ≤ 25 ms"), and the maximum as the bound of the highest non-empty bucket.

import Foundation

/// The samples of a Prometheus text exposition, by metric name and label set.
struct Exposition {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]

    /// Parses `text` (comment lines and malformed lines are skipped).
    init(_ text: String) {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            let key = line[..<space].trimmingCharacters(in: .whitespaces)
            var labels: [String: String] = [:]
            var name = key
            if let open = key.firstIndex(of: "{"), key.hasSuffix("}") {
                name = String(key[..<open])
                let inner = key[key.index(after: open)..<key.index(before: key.endIndex)]
                for pair in inner.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        self.samples = samples
    }

    /// The sum of every sample of `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }.reduce(0) { $0 + $1.value }
    }

    /// The label values of `label` among the samples of `name`, with their values.
    func byLabel(_ name: String, _ label: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for sample in samples where sample.name == name {
            if let value = sample.labels[label] { result[value, default: 0] += sample.value }
        }
        return result
    }

    /// The cumulative buckets of histogram `name`, by upper bound (+Inf last).
    func histogram(_ name: String) -> Histogram {
        let buckets = samples.filter { $0.name == name + "_bucket" }.compactMap { sample -> (Double, Double)? in
            guard let le = sample.labels["le"] else { return nil }
            let bound = le == "+Inf" ? Double.infinity : Double(le)
            return bound.map { ($0, sample.value) }
        }.sorted { $0.0 < $1.0 }
        return Histogram(buckets: buckets, sum: value(name + "_sum"), count: value(name + "_count"))
    }
}

/// A Prometheus histogram: cumulative counts per upper bound.
struct Histogram {
    /// (upper bound, observations ≤ bound), ascending; the last bound is +Inf.
    var buckets: [(bound: Double, count: Double)]
    var sum: Double
    var count: Double

    /// The upper bound of the bucket holding quantile `q` (0...1); nil without observations.
    /// +Inf means the quantile is above the largest finite bucket.
    func quantileUpperBound(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = (q * count).rounded(.up)
        return buckets.first { $0.count >= max(1, rank) }?.bound
    }

    /// The upper bound of the highest non-empty bucket: the maximum is at most this.
    var maximumUpperBound: Double? { quantileUpperBound(1) }

    /// The lower bound of the highest non-empty bucket: the maximum is above this.
    var maximumLowerBound: Double? {
        guard let upper = maximumUpperBound, let index = buckets.firstIndex(where: { $0.bound == upper }) else {
            return nil
        }
        return index == 0 ? 0 : buckets[index - 1].bound
    }

    var mean: Double? { count > 0 ? sum / count : nil }
}
