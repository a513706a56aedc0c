/// The window's keys and mouse, as `scenefarm preview --help` and the `H` key show them.
public enum PreviewControls {
    public static let help = """
        Camera:   left drag orbits around a target, right drag pans, wheel zooms;
                  W A S D fly along the view, Q E down and up, left drag looks around, Shift is faster;
                  F switches between orbit and fly; C returns to the frame's own camera.
        Frames:   N or Right: next frame, P or Left: previous, R: a random frame.
        Overlays: 1 RGB, 2 semantic (class colors), 3 instance, 4 depth;
                  B cycles 2D boxes: off, tight, amodal.
        Other:    H prints this help, Esc closes the window.
        The scene file is watched and reloaded when it changes; when it has errors, the last good frame
        stays up, darkened with a red border, the title counts the errors and the terminal lists them.
        """
}
