"""Checks the simulator's answers against the FlashArray REST 2.52 OpenAPI description.

SPEC and ANSWERS name the files in the environment. ANSWERS is a JSON object of `path: response body` (each
path as it follows /api/2.52/). Every field of every item must be one the schema names, of the
type it gives, with a value from its enum where it has one; prints `scenario passed` if so.
LISTING_NOTHING names (comma-separated) the paths that may list no items.
"""

import json
import os
import sys

import yaml

spec = yaml.load(open(os.environ["SPEC"]), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
answers = json.load(open(os.environ["ANSWERS"]))
# Reads of what the array holds none of: only their page is checked.
listing_nothing = set(filter(None, os.environ.get("LISTING_NOTHING", "").split(",")))
schemas = spec["components"]["schemas"]
problems = []


def resolve(schema):
    while "$ref" in schema:
        schema = schemas[schema["$ref"].split("/")[-1]]
    return schema


def properties(schema):
    """Every property a schema allows, through `$ref` and `allOf`."""
    schema = resolve(schema)
    found = {}
    for part in schema.get("allOf", []):
        found.update(properties(part))
    for name, prop in schema.get("properties", {}).items():
        found[name] = prop
    return found


def kind(schema):
    schema = resolve(schema)
    if "type" in schema:
        return schema["type"]
    for part in schema.get("allOf", []):
        found = kind(part)
        if found:
            return found
    return "object" if properties(schema) else None


TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def check(value, schema, where):
    schema = resolve(schema)
    expected = kind(schema)
    if value is None:
        return
    if expected in TYPES:
        if isinstance(value, bool) and expected in ("integer", "number"):
            problems.append(f"{where}: a boolean where {expected} is expected")
            return
        if not isinstance(value, TYPES[expected]):
            problems.append(f"{where}: {type(value).__name__} where {expected} is expected")
            return
    enum = schema.get("enum")
    if enum and value not in enum:
        problems.append(f"{where}: {value!r} is not one of {enum}")
    if expected == "object":
        allowed = properties(schema)
        if not allowed:
            return
        for name, inner in value.items():
            if name not in allowed:
                problems.append(f"{where}.{name}: not in the schema")
            else:
                check(inner, allowed[name], f"{where}.{name}")
    elif expected == "array":
        for index, inner in enumerate(value):
            check(inner, schema.get("items", {}), f"{where}[{index}]")


for path, body in answers.items():
    operation = spec["paths"][f"/api/2.52/{path}"]["get"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if not body.get("items") and path not in listing_nothing:
        problems.append(f"{path}: no items to check")
    check(body, response, path)

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("scenario passed")
