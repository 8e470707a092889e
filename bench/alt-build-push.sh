#!/usr/bin/env bash
# What a user would do without ko: go build, tar | gzip -1 the binary into a
# layer, lay it over the base in an OCI layout, and skopeo copy that layout
# to the registry. The same work as `ko build` (ko adds a kodata layer and
# an SBOM on top, which this leaves out).
#
# usage: alt-build-push.sh SRC PACKAGE BASE_LAYOUT WORK DEST_REF AUTHFILE
#   SRC          the Go module to build in
#   PACKAGE      the main package, e.g. ./cmd/big
#   BASE_LAYOUT  an OCI layout whose "latest" is the single-platform base image
#   WORK         a scratch directory (emptied first)
#   DEST_REF     e.g. 127.0.0.1:5000/alt/big:latest
#   AUTHFILE     a docker config.json with the registry's credentials
set -euo pipefail
src=$1 package=$2 base=$3 work=$4 dest=$5 authfile=$6
name=$(basename "$package")

rm -rf "$work"
mkdir -p "$work/root/ko-app" "$work/layout/blobs/sha256"

# 1. Compile, as ko does.
(cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$work/root/ko-app/$name" "$package")

# 2. The layer: tar | gzip -1, hashing the tar (diffID) on the way.
exec {hash}> >(sha256sum > "$work/diffid")
hasher=$!
tar c --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/root" ko-app \
    | tee "/dev/fd/$hash" | gzip -1 > "$work/layer.tar.gz"
exec {hash}>&-
wait "$hasher"
diffid=sha256:$(cut -d' ' -f1 < "$work/diffid")
layer_hex=$(sha256sum < "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$work/layout/blobs/sha256/$layer_hex"

# 3. The base's blobs, config and manifest; then the new config and manifest.
ln "$base"/blobs/sha256/* "$work/layout/blobs/sha256/" 2>/dev/null || cp "$base"/blobs/sha256/* "$work/layout/blobs/sha256/"
base_manifest=$(jq -r '.manifests[0].digest' "$base/index.json" | cut -d: -f2)
base_config=$(jq -r '.config.digest' "$base/blobs/sha256/$base_manifest" | cut -d: -f2)
jq -c --arg diffid "$diffid" --arg app "/ko-app/$name" \
    '.rootfs.diff_ids += [$diffid] | .config.Entrypoint = [$app] | .config.Cmd = null' \
    "$base/blobs/sha256/$base_config" > "$work/config.json"
config_hex=$(sha256sum < "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$work/layout/blobs/sha256/$config_hex"
jq -c --arg config "sha256:$config_hex" --argjson config_size "$config_size" \
    --arg layer "sha256:$layer_hex" --argjson layer_size "$layer_size" \
    '.config.digest = $config | .config.size = $config_size
     | .layers += [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $layer, size: $layer_size}]' \
    "$base/blobs/sha256/$base_manifest" > "$work/manifest.json"
manifest_hex=$(sha256sum < "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
mv "$work/manifest.json" "$work/layout/blobs/sha256/$manifest_hex"
printf '{"imageLayoutVersion":"1.0.0"}' > "$work/layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",%s}]}' \
    "\"digest\":\"sha256:$manifest_hex\",\"size\":$manifest_size,\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}" \
    > "$work/layout/index.json"

# 4. Push.
skopeo copy --quiet --authfile "$authfile" --dest-tls-verify=false "oci:$work/layout:latest" "docker://$dest"
