#!/usr/bin/env python3
"""Checks scene files (YAML or JSON) against docs/scene.schema.json (JSON Schema, draft 2020-12).

    python3 scripts/check_scene_schema.py SCHEMA FILE...

Prints one JSON object per file, {"file": ..., "valid": true|false, "errors": [...]}, each error
as "field.path: message". Exits 0 when the schema itself is valid and every file was read (whether
or not the files are valid: the caller decides), 1 when the schema is not a valid draft 2020-12
schema, 2 on a usage error and 3 when jsonschema or PyYAML is missing (scripts/setup.sh installs
them).
"""
import json
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover - reported to the Swift test that runs this
    print(f"check_scene_schema: {e}; install jsonschema and PyYAML (scripts/setup.sh)", file=sys.stderr)
    sys.exit(3)


def field_path(error):
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"check_scene_schema: {argv[1]} is not a valid draft 2020-12 schema: {e.message}", file=sys.stderr)
        return 1
    validator = jsonschema.Draft202012Validator(schema)
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                document = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            print(json.dumps({"file": path, "valid": False, "errors": [f"not readable as YAML: {e}"]}))
            continue
        errors = sorted(
            f"{field_path(e)}: {e.message}" for e in validator.iter_errors(document)
        )
        print(json.dumps({"file": path, "valid": not errors, "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
