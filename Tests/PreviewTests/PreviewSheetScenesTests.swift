import Foundation
import ImageCodec
import Overlays
import Preview
import SceneCore
import XCTest

/// Contact sheets of several scenes, and captions that name the scene and the weather.
extension PreviewSheetTests {
    func weatherSweep() throws -> PreviewScene {
        try PreviewScene.load(path: Self.repoRoot.appendingPathComponent("scenes/driving_weather_sweep.yaml").path)
    }

    /// The caption band of `cell` as drawn: `text` in the caption color on the sheet's background.
    func expectedCaption(_ text: String, width: Int) -> [[UInt8]] {
        var band = RGBImage(width: width, height: SheetLayout.captionHeight - 2, fill: PreviewSheet.background)
        BitmapFont.draw(text, into: &band, x: 1, y: 1, color: PreviewSheet.captionColor)
        var out: [[UInt8]] = []
        for y in 0..<band.height {
            for x in 0..<width { out.append([band[x, y].r, band[x, y].g, band[x, y].b]) }
        }
        return out
    }

    func caption(_ png: DecodedPNG, _ layout: SheetLayout, cell: Int) -> [[UInt8]] {
        let o = layout.panelOrigin(cell: cell)
        var out: [[UInt8]] = []
        for y in (o.y - SheetLayout.captionHeight)..<(o.y - 2) {
            for x in o.x..<(o.x + layout.panelWidth) { out.append(pixel(png, x, y)) }
        }
        return out
    }

    func testSheetOfSeveralScenesShowsEachSceneAsItsOwnSheetDoes() throws {
        let renderer = try makeRenderer()
        let minimal = try minimalScene(), sweep = try weatherSweep()
        let size = PreviewSize(width: 160, height: 90)

        // 320x240 and 1280x720 cannot share panels without a common size.
        XCTAssertThrowsError(
            try PreviewSheet.render(scenes: [(minimal, [0]), (sweep, [0])], overlays: [.rgb], renderer: renderer)
        ) { error in
            XCTAssertTrue("\(error)".contains("--size"), "\(error)")
            XCTAssertTrue("\(error)".contains("minimal.yaml 320x240"), "\(error)")
        }

        let overlays: [SheetOverlay] = [.rgb, .semantic]
        let both = try PreviewSheet.render(
            scenes: [(minimal, [1]), (sweep, [0, 5])], overlays: overlays, columns: 2, scale: 1, size: size,
            renderer: renderer)
        let png = try roundTrip(both)
        XCTAssertEqual(both.cells.map(\.scene), [0, 0, 1, 1, 1, 1])
        XCTAssertEqual(both.cells.map(\.frame), [1, 1, 0, 0, 5, 5])
        XCTAssertEqual(both.layout.rows, 3)
        XCTAssertEqual(png.width, SheetLayout.gap + 2 * (160 + SheetLayout.gap))

        // Each scene's panels are those of its own sheet at the same size.
        let alone = try roundTrip(
            PreviewSheet.render(
                scene: sweep, frames: [0, 5], overlays: overlays, scale: 1, size: size, renderer: renderer))
        let aloneMinimal = try roundTrip(
            PreviewSheet.render(
                scene: minimal, frames: [1], overlays: overlays, scale: 1, size: size, renderer: renderer))
        for cell in 0..<2 {
            XCTAssertEqual(panel(png, both.layout, cell: cell), panel(aloneMinimal, both.layout, cell: cell))
        }
        for cell in 0..<4 {
            XCTAssertEqual(panel(png, both.layout, cell: cell + 2), panel(alone, both.layout, cell: cell))
        }
        // The sweep's clear and night frames share their semantic panel, not their color.
        XCTAssertEqual(panel(png, both.layout, cell: 3), panel(png, both.layout, cell: 5))
        XCTAssertNotEqual(panel(png, both.layout, cell: 2), panel(png, both.layout, cell: 4))

        // Captions: the scene's name with several scenes; the weather condition where the scene has weather.
        let expected = [
            "minimal 1 rgb", "minimal 1 semantic", "driving_weather_sweep 0 clear rgb",
            "driving_weather_sweep 0 clear semantic", "driving_weather_sweep 5 night rgb",
            "driving_weather_sweep 5 night semantic",
        ]
        for (cell, text) in expected.enumerated() {
            XCTAssertEqual(caption(png, both.layout, cell: cell), expectedCaption(text, width: 160), "cell \(cell)")
        }
        XCTAssertEqual(caption(alone, both.layout, cell: 2), expectedCaption("5 night rgb", width: 160))
    }
}
