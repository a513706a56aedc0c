/// The window's keys and mouse, as `scenefarm preview --help` and the `H` key show them.
public enum PreviewControls {
    public static let help = """
        Orbit:    left drag turns around a target, right drag pans, wheel zooms.
        Fly:      W A S D move along the view, Q E down and up, left drag looks,
                  Shift is faster. F switches orbit/fly, C: the frame's camera.
        Frames:   N or Right: next, P or Left: previous, R: a random frame.
        Overlays: 1 RGB, 2 semantic (class colors), 3 instance, 4 depth;
                  B cycles 2D boxes: off, tight, amodal.
        Other:    H prints this help, Esc closes the window.
        Saving the scene file reloads it; with errors the last good frame stays,
        darkened with a red border, and the terminal lists every issue.
        """
}
