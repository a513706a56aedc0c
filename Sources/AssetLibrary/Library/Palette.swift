import SceneCore

/// The library's materials. Colors are given in sRGB (as one picks them) and stored linear, as glTF's
/// baseColorFactor is.
enum Palette {
    static func make(_ name: String, _ srgb: [Int], roughness: Double, metallic: Double = 0) -> Material {
        Material(baseColor: linearRGB(srgb), roughness: roughness, metallic: metallic, name: name)
    }

    static func paint(_ name: String, _ srgb: [Int]) -> Material { make(name, srgb, roughness: 0.35, metallic: 0.4) }

    // Vehicles.
    static let glass = make("glass", [22, 26, 32], roughness: 0.05)
    static let tyre = make("tyre", [24, 24, 24], roughness: 0.9)
    static let rim = make("rim", [170, 172, 176], roughness: 0.3, metallic: 1)
    static let trim = make("trim", [30, 30, 32], roughness: 0.6)
    static let chrome = make("chrome", [210, 212, 216], roughness: 0.15, metallic: 1)
    static let headLight = make("head_light", [240, 240, 228], roughness: 0.1)
    static let tailLight = make("tail_light", [170, 12, 12], roughness: 0.2)
    static let indicator = make("indicator", [235, 130, 20], roughness: 0.2)

    // Street.
    static let galvanized = make("galvanized_steel", [150, 154, 158], roughness: 0.45, metallic: 1)
    static let darkMetal = make("dark_metal", [45, 48, 50], roughness: 0.5, metallic: 0.8)
    static let concrete = make("concrete", [168, 166, 160], roughness: 0.9)
    static let coneOrange = make("cone_orange", [235, 90, 20], roughness: 0.6)
    static let reflectiveWhite = make("reflective_white", [235, 235, 235], roughness: 0.3)
    static let rubberBlack = make("rubber_black", [28, 28, 28], roughness: 0.85)
    static let signRed = make("sign_red", [190, 20, 30], roughness: 0.4)
    static let signWhite = make("sign_white", [240, 240, 240], roughness: 0.4)
    static let signalHousing = make("signal_housing", [30, 32, 30], roughness: 0.6)
    static let lensRed = make("lens_red", [200, 20, 15], roughness: 0.1)
    static let lensAmber = make("lens_amber", [230, 150, 10], roughness: 0.1)
    static let lensGreen = make("lens_green", [20, 190, 90], roughness: 0.1)
    static let lampLens = make("lamp_lens", [250, 244, 220], roughness: 0.1)
    static let bark = make("bark", [86, 62, 44], roughness: 0.95)
    static let leavesDark = make("leaves_dark", [48, 92, 40], roughness: 0.85)
    static let leavesLight = make("leaves_light", [72, 120, 52], roughness: 0.85)

    // People.
    static let skin = make("skin", [198, 152, 122], roughness: 0.6)
    static let hair = make("hair", [52, 38, 28], roughness: 0.8)
    static let shirt = make("shirt", [52, 92, 150], roughness: 0.85)
    static let trousers = make("trousers", [46, 48, 62], roughness: 0.85)
    static let shoes = make("shoes", [30, 26, 24], roughness: 0.6)

    // Buildings.
    static let windowGlass = make("window_glass", [40, 52, 64], roughness: 0.08)
    static let windowFrame = make("window_frame", [220, 220, 215], roughness: 0.5)
    static let roofing = make("roofing", [70, 70, 72], roughness: 0.9)
    static let roofTiles = make("roof_tiles", [140, 62, 44], roughness: 0.8)
    static let door = make("door", [92, 62, 40], roughness: 0.6)

    // Warehouse and table top.
    static let cardboard = make("cardboard", [176, 134, 88], roughness: 0.9)
    static let tape = make("tape", [196, 170, 120], roughness: 0.3)
    static let toteBlue = make("tote_plastic", [40, 90, 160], roughness: 0.55)
    static let palletWood = make("pallet_wood", [196, 160, 112], roughness: 0.9)
    static let palletBlock = make("pallet_block", [170, 136, 92], roughness: 0.9)
    static let rackBlue = make("rack_blue", [30, 70, 140], roughness: 0.5, metallic: 0.6)
    static let rackOrange = make("rack_orange", [220, 100, 20], roughness: 0.5, metallic: 0.6)
    static let deckBoard = make("deck_board", [180, 160, 130], roughness: 0.8)
    static let tableTop = make("table_top", [200, 180, 150], roughness: 0.5)
    static let tableLeg = make("table_leg", [60, 62, 66], roughness: 0.4, metallic: 0.8)
    static let canPaint = make("can_paint", [200, 30, 40], roughness: 0.3, metallic: 0.6)
    static let aluminium = make("aluminium", [196, 198, 202], roughness: 0.3, metallic: 1)
    static let bottlePlastic = make("bottle_plastic", [150, 190, 215], roughness: 0.1)
    static let bottleCap = make("bottle_cap", [20, 90, 170], roughness: 0.5)
    static let label = make("label", [235, 235, 225], roughness: 0.6)
    static let ceramic = make("ceramic", [236, 232, 222], roughness: 0.25)
    static let steel = make("steel", [180, 182, 186], roughness: 0.25, metallic: 1)
    static let handleRed = make("handle_red", [200, 30, 30], roughness: 0.4)
    static let handleYellow = make("handle_yellow", [240, 190, 20], roughness: 0.4)
    static let hickory = make("hickory", [190, 150, 100], roughness: 0.6)
    static let robotWhite = make("robot_white", [225, 228, 230], roughness: 0.4)
    static let robotBlue = make("robot_blue", [70, 130, 190], roughness: 0.4, metallic: 0.3)
    static let robotDark = make("robot_dark", [40, 42, 46], roughness: 0.5)
}
