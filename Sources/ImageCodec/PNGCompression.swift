import CPNG

/// Compression settings for one encode: which deflate engine, its level, and the
/// PNG row filter.
///
/// The default engine is libdeflate (`Engine.libdeflate`): SceneFarm writes the PNG
/// chunks itself around one libdeflate zlib stream, and `level` is libdeflate's
/// 0...12 (0 stores, 1 is fastest, 6 is about zlib's 6 in size, 10...12 are slow
/// near-optimal parsing). `strategy` and `bufferSize` only apply to the old
/// libpng + zlib engine (`Engine.zlib`, zlib levels 0...9), which is kept as a
/// reference for `png-bench` and the tests.
///
/// The presets (`rgb`, `depth`, `instanceIDs`, `semantic`) are the per-image-kind
/// choices measured by `png-bench`; the figures are in `PNGEncoder.swift`.
public struct PNGCompression: Sendable, Hashable, CustomStringConvertible {
    /// The PNG row filter. A single fixed filter is much cheaper than `.adaptive`,
    /// which tries all five per row and keeps the one with the smallest sum of
    /// absolute differences.
    public enum Filter: Sendable, Hashable, CaseIterable {
        case none, sub, up, average, paeth, adaptive
        /// Per row: Sub, or None where Sub would leave more than half the row zero
        /// (flat, rasterized spans). Same size as Sub on such rows but libdeflate
        /// codes runs of a repeated pixel ~2x faster than runs of zero bytes. With
        /// `Engine.zlib` it is libpng's adaptive choice between None and Sub.
        case subOrNone

        var mask: Int32 { mask(for: .libdeflate) }

        func mask(for engine: Engine) -> Int32 {
            switch self {
            case .subOrNone:
                return engine == .libdeflate ? SF_PNG_FILTER_SUB_OR_NONE : SF_PNG_FILTER_NONE | SF_PNG_FILTER_SUB
            case .none: return SF_PNG_FILTER_NONE
            case .sub: return SF_PNG_FILTER_SUB
            case .up: return SF_PNG_FILTER_UP
            case .average: return SF_PNG_FILTER_AVG
            case .paeth: return SF_PNG_FILTER_PAETH
            case .adaptive: return SF_PNG_FILTER_ALL
            }
        }
    }

    /// The zlib deflate strategy; only used by `Engine.zlib` (libdeflate has none).
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

    /// Which deflate implementation writes the stream.
    public enum Engine: Sendable, Hashable, CaseIterable {
        /// libdeflate (levels 0...12), PNG chunks written by SceneFarm. The default.
        case libdeflate
        /// libpng + zlib (levels 0...9, with `strategy` and `bufferSize`): the
        /// encoder before libdeflate, kept for comparisons.
        case zlib

        /// The highest level the engine accepts.
        public var maxLevel: Int { self == .libdeflate ? 12 : 9 }
    }

    /// Compression level, 0 (store) ... `engine.maxLevel` (smallest).
    public var level: Int
    public var filter: Filter
    /// zlib strategy; ignored by libdeflate.
    public var strategy: Strategy
    /// Size of libpng's zlib output buffer in bytes (libpng's default is 8 KiB);
    /// ignored by libdeflate, which compresses the whole image in one call.
    public var bufferSize: Int
    public var engine: Engine

    public init(
        level: Int, filter: Filter, strategy: Strategy = .default, bufferSize: Int = 256 * 1024,
        engine: Engine = .libdeflate
    ) {
        precondition((0...engine.maxLevel).contains(level), "\(engine) level must be in 0...\(engine.maxLevel)")
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.level = level
        self.filter = filter
        self.strategy = strategy
        self.bufferSize = bufferSize
        self.engine = engine
    }

    /// The libpng + zlib engine with the given zlib level (0...9) and strategy.
    public static func zlib(
        level: Int, filter: Filter, strategy: Strategy, bufferSize: Int = 256 * 1024
    ) -> PNGCompression {
        PNGCompression(level: level, filter: filter, strategy: strategy, bufferSize: bufferSize, engine: .zlib)
    }

    public var description: String {
        switch engine {
        case .libdeflate: return "libdeflate level \(level), filter \(filter)"
        case .zlib: return "zlib level \(level), filter \(filter), strategy \(strategy)"
        }
    }

    var cOptions: sf_png_encode_options {
        sf_png_encode_options(
            zlib_level: Int32(level),
            zlib_strategy: strategy.zlibValue,
            filters: filter.mask(for: .zlib),
            compression_buffer_size: bufferSize
        )
    }
}
