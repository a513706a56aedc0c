#!/usr/bin/env python3
"""Round-trip check of a SceneFarm COCO export against the native dataset it came from.

Loads every annotations/instances_*.json of EXPORT with pycocotools, decodes each annotation's
mask (maskUtils.decode of the compressed RLE) and compares it exactly with the object's pixels in
NATIVE/instance/NNNNNN.png (instance id = annotation id % 65536). Also checks area, bbox, the
image size and that the copied image equals NATIVE/rgb/NNNNNN.png byte for byte.

    pip install pycocotools pillow numpy
    python3 scripts/check_coco.py NATIVE EXPORT

Prints 'N passed, M failed' and exits 1 when anything failed (2 on a usage error).
"""
import os
import sys

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    native, export = argv[1], argv[2]
    ann_dir = os.path.join(export, "annotations")
    files = sorted(f for f in os.listdir(ann_dir) if f.startswith("instances_") and f.endswith(".json"))
    if not files:
        print(f"no annotations/instances_*.json in {export}", file=sys.stderr)
        return 2
    passed = failed = 0

    def fail(message):
        nonlocal failed
        failed += 1
        print("FAIL:", message)

    for name in files:
        coco = COCO(os.path.join(ann_dir, name))
        for image_id in sorted(coco.getImgIds()):
            image = coco.loadImgs(image_id)[0]
            frame = f"{image_id:06d}"
            instance = np.array(Image.open(os.path.join(native, "instance", frame + ".png")))
            if instance.shape != (image["height"], image["width"]):
                fail(f"{name} image {image_id}: size {image['width']}x{image['height']}, "
                     f"instance map {instance.shape[1]}x{instance.shape[0]}")
                continue
            with open(os.path.join(export, "images", image["file_name"]), "rb") as a, \
                    open(os.path.join(native, "rgb", frame + ".png"), "rb") as b:
                if a.read() != b.read():
                    fail(f"{name} image {image_id}: {image['file_name']} differs from rgb/{frame}.png")
            for ann in coco.loadAnns(coco.getAnnIds(imgIds=[image_id])):
                instance_id = ann["id"] % 65536
                expected = instance == instance_id
                decoded = mask_utils.decode(ann["segmentation"]).astype(bool)
                # pycocotools' own round trip: encoding the native mask gives the same string.
                reencoded = mask_utils.encode(np.asfortranarray(expected.astype(np.uint8)))["counts"].decode()
                ys, xs = np.nonzero(expected)
                box = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]
                problems = []
                if not np.array_equal(decoded, expected):
                    problems.append(f"mask differs at {int((decoded != expected).sum())} pixels")
                if reencoded != ann["segmentation"]["counts"]:
                    problems.append("counts differ from maskUtils.encode of the native mask")
                if ann["area"] != int(expected.sum()) or ann["area"] != int(mask_utils.area(ann["segmentation"])):
                    problems.append(f"area {ann['area']}, mask has {int(expected.sum())} pixels")
                if ann["bbox"] != box or list(map(int, mask_utils.toBbox(ann["segmentation"]))) != box:
                    problems.append(f"bbox {ann['bbox']}, mask extent {box}")
                if problems:
                    fail(f"{name} image {image_id} annotation {ann['id']}: " + "; ".join(problems))
                else:
                    passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
