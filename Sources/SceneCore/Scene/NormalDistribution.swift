// The normal distribution's CDF and inverse CDF for sampling, in plain Swift arithmetic.
//
// A draw must be the same number on every machine, and libm's `log`, `exp` and `erfc` are not
// correctly rounded: glibc, Apple's libm and musl may differ in the last bit, which a truncated
// normal can turn into a different sample. So the few functions sampling needs are computed here
// with +, -, *, / and sqrt only (IEEE 754 correctly rounded everywhere; Swift does not fuse
// multiply-adds on its own), to about 1e-15 (log, exp) and 1.2e-7 (erfc, inverse CDF after
// Acklam) relative: far more than a data generator needs, and bit-identical everywhere.

enum NormalDistribution {
    private static let ln2Hi = 6.93147180369123816490e-01
    private static let ln2Lo = 1.90821492927058770002e-10
    private static let invLn2 = 1.44269504088896338700e+00

    /// Natural logarithm: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m-1)/(m+1).
    static func log(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        var e = Double(Int(x.exponent))
        var m = x.significand  // [1, 2), exact
        if m > 1.4142135623730951 {
            m /= 2
            e += 1
        }
        let s = (m - 1) / (m + 1), s2 = s * s
        // |s| <= 0.1716: the series to s^23 leaves less than 1e-17.
        var series = 1.0 / 23
        for k in stride(from: 21.0, through: 1, by: -2) { series = 1 / k + s2 * series }
        return e * ln2Hi + (e * ln2Lo + 2 * s * series)
    }

    /// e^x: x = k ln 2 + r with |r| <= ln 2 / 2 (Cody–Waite), e^r by its Taylor series.
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x * invLn2).rounded(.toNearestOrEven)
        let r = (x - k * ln2Hi) - k * ln2Lo
        // |r| <= 0.347: terms to r^17/17! leave less than 1e-19.
        var p = 1.0
        for n in stride(from: 17.0, through: 1, by: -1) { p = 1 + p * r / n }
        // Scaling by 2^k in two steps keeps an intermediate from overflowing or flushing early.
        let half = Int(k) / 2
        return p * Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: Int(k) - half, significand: 1)
    }

    /// The complementary error function (Numerical Recipes' `erfcc`, Chebyshev fit, relative error
    /// below 1.2e-7 everywhere).
    static func erfc(_ x: Double) -> Double {
        let z = abs(x)
        let t = 1 / (1 + 0.5 * z)
        var poly = 0.17087277
        for c in [-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368] {
            poly = c + t * poly
        }
        let r = t * exp(-z * z - 1.26551223 + t * poly)
        return x >= 0 ? r : 2 - r
    }

    /// P(X > x) for a standard normal X (accurate far into the upper tail, unlike 1 - cdf).
    static func upperTail(_ x: Double) -> Double { erfc(x / 2.squareRoot()) / 2 }

    /// P(X <= x).
    static func cdf(_ x: Double) -> Double { upperTail(-x) }

    /// The x with cdf(x) = p (Acklam's rational approximation, relative error below 1.2e-9);
    /// -inf at 0 and +inf at 1.
    static func quantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        func tail(_ q: Double) -> Double {
            let num = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
            let den = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
            return num / den
        }
        let low = 0.02425
        if p < low { return tail((-2 * log(p)).squareRoot()) }
        if p > 1 - low { return -tail((-2 * log(1 - p)).squareRoot()) }
        let q = p - 0.5, r = q * q
        let num = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        let den = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
        return num / den
    }

    /// The standard normal truncated to [a, b] at the uniform `u` in (0, 1): the inverse CDF, worked
    /// in whichever tail keeps the probabilities representable. Always in [a, b].
    static func truncatedQuantile(_ u: Double, _ a: Double, _ b: Double) -> Double {
        let x: Double
        if a >= 0 {
            // Upper tail: P(X > x) runs from upperTail(a) down to upperTail(b).
            let qa = upperTail(a), qb = upperTail(b)
            x = -quantile(qb + u * (qa - qb))
        } else {
            let pa = cdf(a), pb = cdf(b)
            x = quantile(pa + u * (pb - pa))
        }
        return Swift.min(b, Swift.max(a, x))
    }

    /// The probability a standard normal falls in [a, b], as the sampler computes it; 0 when the range
    /// is too far in a tail for a double.
    static func mass(_ a: Double, _ b: Double) -> Double {
        a >= 0 ? upperTail(a) - upperTail(b) : cdf(b) - cdf(a)
    }
}
