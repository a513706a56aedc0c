// swift-tools-version:6.0
import PackageDescription

// Module cut and dependency direction: see docs/ARCHITECTURE.md (mirrors the project's DESIGN).
// The pure core (SceneCore, Labels) imports no GL, no sockets and touches no files beyond loading.
let package = Package(
    name: "SceneFarm",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scenefarm", targets: ["scenefarm"]),
        .library(name: "SceneCore", targets: ["SceneCore"]),
        .library(name: "Labels", targets: ["Labels"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "SceneCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Labels", dependencies: ["SceneCore"]),
        // The procedural asset library: mesh toolkit, glTF writer and the assets under assets/.
        .target(name: "AssetLibrary", dependencies: ["SceneCore"]),
        .systemLibrary(name: "CGL", path: "Sources/CGL"),
        // GLFW loaded at run time (dlopen), so the binary links no window-system library; see its header.
        .target(name: "CGLFW"),
        .target(name: "RenderContext", dependencies: ["CGL", "CGLFW"]),
        // ImageCodec: base color textures are decoded from their PNG/JPEG bytes when first drawn.
        .target(name: "Render", dependencies: ["SceneCore", "CGL", "ImageCodec"]),
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("deflate")]),
        // libjpeg-turbo behind a C shim whose error manager longjmps instead of calling exit().
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "ImageCodec", dependencies: ["CPNG", "CJPEG"]),
        .target(name: "CAllocator"),
        .executableTarget(name: "png-bench", dependencies: ["ImageCodec"]),
        // Pictures of labels for people (class/instance colors, depth shades, boxes, a bitmap font): shared by
        // `scenefarm sheet` (Export's ContactSheet) and `scenefarm preview`.
        .target(name: "Overlays", dependencies: ["SceneCore"]),
        .target(name: "Export", dependencies: ["SceneCore", "Labels", "ImageCodec", "Overlays"]),
        // `scenefarm preview`: the live window and headless contact sheets for scene authors.
        .target(
            name: "Preview",
            dependencies: ["Render", "RenderContext", "SceneCore", "Labels", "Overlays", "ImageCodec", "CGL", "CGLFW"]
        ),
        .target(name: "FramePipeline", dependencies: ["SceneCore", "Labels", "Export"]),
        // The farm's wire: messages, framing, handshake and auth. NIOCore only, never NIOPosix.
        .target(
            name: "FarmProtocol",
            dependencies: [
                "SceneCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Optional TLS for farm connections: certificate loading, the first-byte check that tells a TLS peer from a
        // plain one, and error texts. Its own target so that FarmProtocol stays NIOCore-only while the coordinator and
        // the worker share one TLS setup instead of two copies.
        .target(
            name: "FarmTLS",
            dependencies: [
                "FarmProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Planner, lease state machine, journal (SQLite), result sink, the server and its HTTP status.
        .target(
            name: "Coordinator",
            dependencies: [
                "FarmProtocol", "FarmTLS", "Export", "SceneCore", "ImageCodec",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Connects to a coordinator, renders leased frames through a FrameRenderer, streams results.
        .target(
            name: "Worker",
            dependencies: [
                "FarmProtocol", "FarmTLS", "FramePipeline", "Export", "SceneCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Coordinator throughput under hundreds of simulated workers on loopback (a benchmark command).
        .executableTarget(
            name: "farm-bench",
            dependencies: [
                "Coordinator", "FarmProtocol", "Export", "SceneCore", "Labels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "scenefarm",
            dependencies: [
                "SceneCore", "Labels", "Render", "RenderContext", "ImageCodec", "Export", "FramePipeline", "CAllocator",
                "Preview",
                "FarmProtocol", "FarmTLS", "Coordinator", "Worker", "AssetLibrary",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixtures/ holds broken scene files the tests read by path (BrokenSceneCorpusTests).
        .testTarget(name: "SceneCoreTests", dependencies: ["SceneCore"], exclude: ["Fixtures"]),
        .testTarget(name: "LabelsTests", dependencies: ["Labels", "SceneCore"]),
        .testTarget(name: "AssetLibraryTests", dependencies: ["AssetLibrary", "SceneCore"]),
        .testTarget(name: "ImageCodecTests", dependencies: ["ImageCodec"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Labels", "SceneCore", "ImageCodec"]),
        .testTarget(
            name: "RenderTests", dependencies: ["Render", "RenderContext", "SceneCore", "Labels", "ImageCodec"],
            // Goldens/ holds the golden frames GoldenImageTests reads by path.
            exclude: ["Goldens"]),
        .testTarget(name: "PipelineTests", dependencies: ["FramePipeline", "Export", "Labels", "SceneCore"]),
        .testTarget(name: "CLITests", dependencies: ["Export", "ImageCodec", "SceneCore", "Preview"]),
        .testTarget(
            name: "PreviewTests",
            dependencies: ["Preview", "Overlays", "Render", "RenderContext", "SceneCore", "Labels", "ImageCodec"]
        ),
        .testTarget(
            name: "FarmProtocolTests",
            dependencies: [
                "FarmProtocol", "SceneCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CoordinatorTests",
            dependencies: [
                "Coordinator", "FarmProtocol", "Export", "SceneCore", "Labels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FarmTests",
            dependencies: [
                "Coordinator", "Worker", "FarmProtocol", "Export", "SceneCore", "FramePipeline",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
