import RenderContext
import XCTest

@testable import Render

/// A real EGL context (Mesa llvmpipe in CI) and a renderer on it, made when a test class first asks
/// for them. Without EGL both stay nil and every test that asks for the renderer fails with the
/// reason: never skipped.
final class RenderFixture {
    let context: EGLHeadlessContext?
    let renderer: GLRenderer?
    let error: String

    init() {
        var context: EGLHeadlessContext?, renderer: GLRenderer?, error = ""
        do {
            context = try EGLHeadlessContext(platform: .automatic)
            renderer = try GLRenderer()
        } catch let e {
            error = "\(e)"
        }
        (self.context, self.renderer, self.error) = (context, renderer, error)
    }

    func makeRenderer(file: StaticString = #filePath, line: UInt = #line) throws -> GLRenderer {
        guard let renderer else {
            XCTFail("no EGL context: \(error)", file: file, line: line)
            throw RenderError("no EGL context")
        }
        return renderer
    }
}
