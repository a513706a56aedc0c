/// The driving assets, in the order the index lists them.
enum DrivingAssets {
    static func all() -> [LibraryAsset] {
        [
            Cars.sedan(), Cars.suv(), LargeVehicles.van(), LargeVehicles.truck(), LargeVehicles.bus(),
            TwoWheelers.motorcycle(), TwoWheelers.bicycle(), StreetFurniture.pedestrian(),
            StreetFurniture.trafficCone(), StreetFurniture.barrier(), StreetFurniture.trafficSign(),
            StreetFurniture.trafficLight(), StreetFurniture.streetLamp(), StreetFurniture.tree(),
            Buildings.buildingA(), Buildings.buildingB(), Buildings.buildingC(),
        ]
    }
}

/// The robotics assets, in the order the index lists them.
enum RoboticsAssets {
    static func all() -> [LibraryAsset] {
        [
            Warehouse.cardboardBox(), Warehouse.tote(), Warehouse.pallet(), Warehouse.shelving(), Warehouse.table(),
            TableTop.can(), TableTop.bottle(), TableTop.mug(), TableTop.screwdriver(), TableTop.wrench(),
            TableTop.hammer(), RobotArm.robotArm(),
        ]
    }
}
