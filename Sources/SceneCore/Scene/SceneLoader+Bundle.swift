// Loading a scene together with the files it was built from, and loading it back from them.

extension SceneLoader {
    /// Loads the scene at `path` and returns it with the bundle of every file it read (the farm
    /// sends the bundle to workers).
    public static func loadWithBundle(path: String) throws -> (scene: SceneDescription, bundle: SceneBundle) {
        let files = SceneFiles(scenePath: path)
        let scene = try load(files: files)
        return (scene, files.bundle)
    }

    /// Loads a scene from a bundle (as a worker or the coordinator's sink does); `displayName`
    /// names it in issues.
    public static func load(bundle: SceneBundle, displayName: String? = nil) throws -> SceneDescription {
        try load(files: SceneFiles(bundle: bundle, displayName: displayName))
    }
}
