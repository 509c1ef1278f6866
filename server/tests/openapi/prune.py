#!/usr/bin/env python3
"""Writes the Atlas Admin API v2 OpenAPI spec without its prose, as compact JSON.

The conformance tests need the spec's structure (paths, operations, media types, schemas,
enums, required fields, x-xgen-version and x-sunset), not its descriptions. Usage:
    python3 prune.py openapi-v2.yaml atlas-openapi-v2.json
"""
import json
import sys

import yaml

PROSE = {"description", "summary", "externalDocs", "example", "examples", "x-xgen-docs-url",
         "x-xgen-changelog", "tags"}
# Maps whose keys are names chosen by the spec (a property called "description" is data).
NAMED = {"properties", "schemas", "parameters", "responses", "headers", "paths",
         "securitySchemes", "content", "requestBodies", "mapping"}


def prune(node, parent_key=None):
    if isinstance(node, dict):
        named = parent_key in NAMED
        return {k: prune(v, k) for k, v in node.items() if named or k not in PROSE}
    if isinstance(node, list):
        return [prune(v, parent_key) for v in node]
    return node


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    doc = prune(doc)
    doc.pop("tags", None)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
