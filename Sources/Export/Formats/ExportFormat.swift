/// The standard formats SceneFarm exports (docs/formats/).
public enum ExportFormat: String, CaseIterable, Sendable {
    case coco, kitti, yolo, cityscapes

    /// The exporter writing this format into `directory`.
    public func makeExporter(
        directory: String, info: DatasetInfo, filter: ExportFilter, split: DatasetSplit, yoloTask: YoloTask = .detect
    ) throws
        -> DatasetExporter
    {
        switch self {
        case .coco: return try CocoExporter(directory: directory, info: info, filter: filter, split: split)
        case .cityscapes: return try CityscapesExporter(directory: directory, info: info, filter: filter, split: split)
        case .kitti: return try KittiExporter(directory: directory, info: info, filter: filter, split: split)
        case .yolo:
            return try YoloExporter(directory: directory, info: info, filter: filter, split: split, task: yoloTask)
        }
    }
}
