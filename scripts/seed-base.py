#!/usr/bin/env python3
"""Writes a tiny base image as an OCI layout, for one platform or several.

The layer holds what a distroless base holds: /etc/passwd with a nonroot
user, /tmp, and an os-release naming the platform. With more than one
platform the layout's entry is an image index whose manifests carry their
platforms, plus an attestation-style `unknown/unknown` entry as BuildKit
writes them, which ko must never pick. Used by the demo and the tests to seed
a local registry with skopeo; written with the standard library only.

usage: seed-base.py LAYOUT_DIR [--platforms linux/amd64[,linux/arm64,...]]
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def add(tar, name, data=None, mode=0o644, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.mode = mode
    info.type = kind
    info.mtime = 0
    if data is not None:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


def layer_bytes(platform):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "etc", mode=0o755, kind=tarfile.DIRTYPE)
        add(tar, "etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\n"
                               b"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
        add(tar, "etc/os-release", b'NAME="ko-test-base"\nID=ko-test-base\nPLATFORM=' +
            platform.encode() + b"\n")
        add(tar, "tmp", mode=0o1777, kind=tarfile.DIRTYPE)
        add(tar, "home", mode=0o755, kind=tarfile.DIRTYPE)
        add(tar, "home/nonroot", mode=0o700, kind=tarfile.DIRTYPE)
    uncompressed = raw.getvalue()
    return uncompressed, gzip.compress(uncompressed, mtime=0)


def write_blob(layout, data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def parse_platform(text):
    parts = text.split("/")
    platform = {"os": parts[0], "architecture": parts[1]}
    if len(parts) > 2:
        platform["variant"] = parts[2]
    return platform


def write_image(layout, platform_text):
    platform = parse_platform(platform_text)
    uncompressed, compressed = layer_bytes(platform_text)
    layer = write_blob(layout, compressed, "application/vnd.oci.image.layer.v1.tar+gzip")
    config = dict(platform)
    config.update({
        "created": "2024-01-01T00:00:00Z",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "User": "65532",
            "WorkingDir": "/home/nonroot",
            "Labels": {"org.example.base": "ko-test-base"},
            "Cmd": ["/bin/sh"],
        },
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "seed-base.py"}],
    })
    config_desc = write_blob(layout, json.dumps(config, sort_keys=True).encode(),
                             "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": [layer]}
    descriptor = write_blob(layout, json.dumps(manifest, sort_keys=True).encode(), OCI_MANIFEST)
    descriptor["platform"] = platform
    return descriptor


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stdout if args else sys.stderr)
        sys.exit(0 if args else 64)
    if args[0].startswith("-"):
        sys.exit(f"seed-base.py: the first argument is the layout directory, not {args[0]!r} (see --help)")
    layout = args[0]
    rest = args[1:]
    if rest and (rest[0] != "--platforms" or len(rest) != 2):
        sys.exit(f"seed-base.py: unexpected arguments {' '.join(rest)!r} (see --help)")
    platforms = (rest[1] if rest else "linux/amd64").split(",")
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)

    images = [write_image(layout, p) for p in platforms]
    if len(images) == 1:
        entry = images[0]
        del entry["platform"]
    else:
        attestation = dict(images[0])
        attestation["platform"] = {"os": "unknown", "architecture": "unknown"}
        attestation["annotations"] = {"vnd.docker.reference.type": "attestation-manifest"}
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": images + [attestation]}
        entry = write_blob(layout, json.dumps(index, sort_keys=True).encode(), OCI_INDEX)
    entry["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [entry]}, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


if __name__ == "__main__":
    main()
