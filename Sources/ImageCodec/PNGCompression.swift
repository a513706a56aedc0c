import CPNG

/// zlib / PNG-filter settings for one encode.
///
/// The presets (`rgb`, `depth`, `instanceIDs`, `semantic`) are the per-image-kind
/// choices measured by `png-bench`; the figures are in `PNGEncoder.swift`.
public struct PNGCompression: Sendable, Hashable, CustomStringConvertible {
    /// The PNG row filter. A single fixed filter is much cheaper than `.adaptive`,
    /// which tries all five per row and keeps the one with the smallest sum of
    /// absolute differences.
    public enum Filter: Sendable, Hashable, CaseIterable {
        case none, sub, up, average, paeth, adaptive

        var mask: Int32 {
            switch self {
            case .none: return SF_PNG_FILTER_NONE
            case .sub: return SF_PNG_FILTER_SUB
            case .up: return SF_PNG_FILTER_UP
            case .average: return SF_PNG_FILTER_AVG
            case .paeth: return SF_PNG_FILTER_PAETH
            case .adaptive: return SF_PNG_FILTER_ALL
            }
        }
    }

    /// The zlib deflate strategy.
    public enum Strategy: Sendable, Hashable, CaseIterable {
        case `default`, filtered, huffmanOnly, rle, fixed

        var zlibValue: Int32 {
            switch self {
            case .default: return SF_PNG_STRATEGY_DEFAULT
            case .filtered: return SF_PNG_STRATEGY_FILTERED
            case .huffmanOnly: return SF_PNG_STRATEGY_HUFFMAN_ONLY
            case .rle: return SF_PNG_STRATEGY_RLE
            case .fixed: return SF_PNG_STRATEGY_FIXED
            }
        }
    }

    /// zlib level, 0 (store) ... 9 (best).
    public var level: Int
    public var filter: Filter
    public var strategy: Strategy
    /// Size of libpng's zlib output buffer in bytes (libpng's default is 8 KiB).
    public var bufferSize: Int

    public init(level: Int, filter: Filter, strategy: Strategy, bufferSize: Int = 256 * 1024) {
        precondition((0...9).contains(level), "zlib level must be in 0...9")
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.level = level
        self.filter = filter
        self.strategy = strategy
        self.bufferSize = bufferSize
    }

    public var description: String { "level \(level), filter \(filter), strategy \(strategy)" }

    var cOptions: sf_png_encode_options {
        sf_png_encode_options(
            zlib_level: Int32(level),
            zlib_strategy: strategy.zlibValue,
            filters: filter.mask,
            compression_buffer_size: bufferSize
        )
    }
}
