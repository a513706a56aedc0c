public enum SceneFarmVersion { public static let string = "0.1.0" }
