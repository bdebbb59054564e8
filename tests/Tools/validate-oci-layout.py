#!/usr/bin/python3
"""Validates an OCI image layout directory against the OCI image-spec JSON schemas (tests/Schemas).

usage: validate-oci-layout.py <layout-dir>
Checks oci-layout, index.json, every manifest the index names (through nested image indexes of
multi-platform images, whose platforms must match the configs) and every config they name, that each
referrer's subject is in the layout, and that each blob's sha256 matches its name. Prints one line per problem; exits 1 when there is any.
Uses Debian's python3-jsonschema (installed by build/setup-test-env.sh), so it runs with /usr/bin/python3.
"""
import hashlib
import json
import os
import sys

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Schemas", "oci-image-spec")
BASE_URI = "https://opencontainers.org/schema/image/"


def load_schemas():
    store = {}
    for name in os.listdir(SCHEMA_DIR):
        if name.endswith(".json"):
            with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as f:
                schema = json.load(f)
            # The schemas refer to each other by file name, relative to their ids.
            store[BASE_URI + name] = schema
            if "id" in schema:
                store[schema["id"]] = schema
    return store


def validator(store, name):
    schema = store[BASE_URI + name]

    # Nested ids move the base of relative references (".../image/descriptor/defs-descriptor.json"):
    # resolve every reference by its file name, from the local copies, never from the network.
    def by_file_name(uri):
        file_name = uri.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return store[BASE_URI + file_name]

    resolver = jsonschema.RefResolver(base_uri=BASE_URI + name, referrer=schema, store=store,
                                      handlers={"https": by_file_name, "http": by_file_name})
    return jsonschema.Draft4Validator(schema, resolver=resolver)


def main():
    layout = sys.argv[1]
    store = load_schemas()
    problems = []

    def check(name, document, what):
        for error in validator(store, name).iter_errors(document):
            problems.append(f"{what}: {error.message} (at {'/'.join(map(str, error.path))})")

    def blob(digest):
        algorithm, hex_digest = digest.split(":", 1)
        path = os.path.join(layout, "blobs", algorithm, hex_digest)
        with open(path, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != hex_digest:
            problems.append(f"blob {digest}: content does not match its digest")
        return data

    with open(os.path.join(layout, "oci-layout"), encoding="utf-8") as f:
        check("image-layout-schema.json", json.load(f), "oci-layout")
    with open(os.path.join(layout, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    check("image-index-schema.json", index, "index.json")

    checked = 0
    referrers = 0

    def check_entry(entry):
        nonlocal checked, referrers
        document = json.loads(blob(entry["digest"]))
        if entry.get("mediaType") == "application/vnd.oci.image.index.v1+json":
            # A multi-platform image: an image index (in the blobs) naming one manifest per platform.
            check("image-index-schema.json", document, f"index {entry['digest']}")
            for nested in document.get("manifests", []):
                if "platform" not in nested:
                    problems.append(f"index {entry['digest']}: entry {nested['digest']} has no platform")
                check_entry(nested)
            return
        check("image-manifest-schema.json", document, f"manifest {entry['digest']}")
        if "subject" in document:
            referrers += 1
            # A referrer (an SBOM, a provenance statement): its subject must be in the layout; its config is the
            # empty descriptor (or another artifact's), not an image config.
            if not os.path.exists(os.path.join(layout, "blobs", *document["subject"]["digest"].split(":", 1))):
                problems.append(f"referrer {entry['digest']}: its subject {document['subject']['digest']} is not in the layout")
            if document["config"]["mediaType"] != "application/vnd.oci.image.config.v1+json":
                blob(document["config"]["digest"])
                for layer in document.get("layers", []):
                    blob(layer["digest"])
                return
        checked += 1
        config = json.loads(blob(document["config"]["digest"]))
        check("config-schema.json", config, f"config {document['config']['digest']}")
        platform = entry.get("platform")
        if platform and (platform.get("architecture"), platform.get("os")) != (config.get("architecture"), config.get("os")):
            problems.append(f"manifest {entry['digest']}: the index says {platform}, its config says {config.get('os')}/{config.get('architecture')}")
        for layer in document.get("layers", []):
            if not os.path.exists(os.path.join(layout, "blobs", *layer["digest"].split(":", 1))):
                problems.append(f"layer {layer['digest']} is missing")

    for entry in index.get("manifests", []):
        check_entry(entry)

    for problem in problems:
        print(problem)
    print(f"{checked} manifests checked, {referrers} referrers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
