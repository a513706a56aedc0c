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
    ],
    targets: [
        .target(name: "SceneCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Labels", dependencies: ["SceneCore"]),
        .systemLibrary(name: "CGL", path: "Sources/CGL"),
        .target(name: "RenderContext", dependencies: ["CGL"]),
        .target(name: "Render", dependencies: ["SceneCore", "CGL"]),
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("deflate")]),
        .target(name: "ImageCodec", dependencies: ["CPNG"]),
        .target(name: "CAllocator"),
        .executableTarget(name: "png-bench", dependencies: ["ImageCodec"]),
        .target(name: "Export", dependencies: ["SceneCore", "Labels", "ImageCodec"]),
        .target(name: "FramePipeline", dependencies: ["SceneCore", "Labels", "Export"]),
        .executableTarget(
            name: "scenefarm",
            dependencies: [
                "SceneCore", "Labels", "Render", "RenderContext", "ImageCodec", "Export", "FramePipeline", "CAllocator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SceneCoreTests", dependencies: ["SceneCore"]),
        .testTarget(name: "LabelsTests", dependencies: ["Labels", "SceneCore"]),
        .testTarget(name: "ImageCodecTests", dependencies: ["ImageCodec"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Labels", "SceneCore", "ImageCodec"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "RenderContext", "SceneCore", "Labels"]),
        .testTarget(name: "PipelineTests", dependencies: ["FramePipeline", "Export", "Labels", "SceneCore"]),
        .testTarget(name: "CLITests", dependencies: ["Export", "ImageCodec", "SceneCore"]),
    ],
    swiftLanguageModes: [.v5]
)
