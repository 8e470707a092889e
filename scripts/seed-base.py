#!/usr/bin/env python3
"""Writes a tiny single-platform base image as an OCI layout.

The layer holds what a distroless base holds: /etc/passwd with a nonroot
user, /tmp, and an os-release naming it. Used by the demo and the tests to
seed a local registry with skopeo; written with the standard library only.

usage: seed-base.py LAYOUT_DIR [--arch amd64] [--docker]
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


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


def layer_bytes():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "etc", mode=0o755, kind=tarfile.DIRTYPE)
        add(tar, "etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\n"
                               b"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
        add(tar, "etc/os-release", b'NAME="ko-test-base"\nID=ko-test-base\n')
        add(tar, "tmp", mode=0o1777, kind=tarfile.DIRTYPE)
        add(tar, "home", mode=0o755, kind=tarfile.DIRTYPE)
        add(tar, "home/nonroot", mode=0o700, kind=tarfile.DIRTYPE)
    uncompressed = raw.getvalue()
    compressed = gzip.compress(uncompressed, mtime=0)
    return uncompressed, compressed


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    layout = args[0]
    arch = args[args.index("--arch") + 1] if "--arch" in args else "amd64"
    docker = "--docker" in args
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)

    uncompressed, compressed = layer_bytes()
    layer = write_blob(layout, compressed)
    layer["mediaType"] = ("application/vnd.docker.image.rootfs.diff.tar.gzip" if docker
                          else "application/vnd.oci.image.layer.v1.tar+gzip")
    config = {
        "architecture": arch,
        "os": "linux",
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
    }
    config_desc = write_blob(layout, json.dumps(config, sort_keys=True).encode())
    config_desc["mediaType"] = ("application/vnd.docker.container.image.v1+json" if docker
                                else "application/vnd.oci.image.config.v1+json")
    manifest = {
        "schemaVersion": 2,
        "mediaType": ("application/vnd.docker.distribution.manifest.v2+json" if docker
                      else "application/vnd.oci.image.manifest.v1+json"),
        "config": config_desc,
        "layers": [layer],
    }
    manifest_desc = write_blob(layout, json.dumps(manifest, sort_keys=True).encode())
    manifest_desc["mediaType"] = manifest["mediaType"]
    manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [manifest_desc]}, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


if __name__ == "__main__":
    main()
