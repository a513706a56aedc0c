// Deterministic pseudo-random numbers for sampling frames.
//
// A frame must be a pure function of (scene, seed, frame index), identical on every worker and every
// run, so nothing here touches a global generator, the clock or Swift's per-process `Hasher` seed.
// Streams are keyed by small tuples of integers (seed, purpose, layout or frame, group name hash):
// each key is folded through the SplitMix64 finalizer into a 64-bit seed, which SplitMix64 expands
// into the 256-bit state of xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/).
// Uniform doubles and integers are derived here too, not through the standard library, whose
// algorithms may change between releases.

/// SplitMix64: a 64-bit state stepped by the golden gamma; used to seed and to mix keys.
public struct SplitMix64: Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a strong 64-bit bijective mixer.
    @inline(__always) public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256**: fast, 256-bit state, passes BigCrush; the generator every stream uses.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s = (sm.next(), sm.next(), sm.next(), sm.next())
    }

    /// A generator for the stream named by `key`: the same key always gives the same numbers, and
    /// keys differing in any component give unrelated streams.
    public init(key: [UInt64]) {
        var h: UInt64 = 0x5CE4_E5B9_F4A7_C150
        for k in key { h = SplitMix64.mix(h ^ SplitMix64.mix(k &+ 0x9E37_79B9_7F4A_7C15)) }
        self.init(seed: h)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi].
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform in 0..<n (n > 0), by the multiply-high method.
    public mutating func index(_ n: Int) -> Int {
        precondition(n > 0, "index(_:) needs a positive bound")
        return Int(UInt64(n).multipliedFullWidth(by: next()).high)
    }

    /// Uniform integer in lo...hi.
    public mutating func integer(_ lo: Int, _ hi: Int) -> Int { lo + index(hi - lo + 1) }

    /// Uniform in the open interval (0, 1), 53 random bits: never 0, so an inverse CDF stays finite.
    public mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    /// One draw of `v`. `.fixed` takes nothing from the stream, every other kind exactly one number,
    /// so the draws after it do not depend on the values drawn.
    public mutating func sample(_ v: RandomValue) -> Double {
        switch v {
        case .fixed(let x): return x
        case .uniform(let lo, let hi): return uniform(lo, hi)
        case .normal(let mean, let std): return mean + std * NormalDistribution.quantile(openUnit())
        case .truncatedNormal(let mean, let std, let lo, let hi):
            let z = NormalDistribution.truncatedQuantile(openUnit(), (lo - mean) / std, (hi - mean) / std)
            return Swift.min(hi, Swift.max(lo, mean + std * z))
        case .choice(let values, let weights):
            return values[weightedIndex(weights)]
        case .steps(let lo, let step, let count):
            return lo + Double(index(count)) * step
        }
    }

    /// An index into `weights` (each >= 0, one at least > 0) with probability proportional to its
    /// weight, from one draw.
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var remaining = unit() * total
        var chosen = weights.lastIndex { $0 > 0 } ?? 0
        for (i, w) in weights.enumerated() where w > 0 {
            if remaining < w {
                chosen = i
                break
            }
            remaining -= w
        }
        return chosen
    }

    public mutating func sample(_ v: RandomVec3) -> Vec3 { Vec3(sample(v.x), sample(v.y), sample(v.z)) }

    public mutating func choose<T>(_ items: [T]) -> T { items.count == 1 ? items[0] : items[index(items.count)] }
}

/// FNV-1a over UTF-8: a stable string hash for stream keys (Swift's `hashValue` is seeded per process).
public func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h &*= 0x0000_0100_0000_01B3
    }
    return h
}

/// Purposes of the random streams of one frame; part of every stream key.
enum StreamPurpose: UInt64 {
    case camera = 1
    case lighting = 2
    case object = 3
    case group = 4
    case weather = 5
}
