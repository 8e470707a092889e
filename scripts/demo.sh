#!/usr/bin/env bash
# The main job, end to end on a fresh machine: build ko, start a registry with
# basic auth on loopback, seed a base image, log in, `ko build` the example
# program, then pull the pushed image back and run its entrypoint.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n==> %s\n' "$*" >&2; }

step "Installing what is missing"
scripts/install-deps.sh

step "Building ko (release)"
swift build -c release --product ko >&2
swift build -c release --product docker-credential-ko >&2
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /tmp/ko-demo.XXXXXX)
registry_pid=""
cleanup() {
    [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step "Starting docker-registry with basic auth on 127.0.0.1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
user=demo
password=$(openssl rand -hex 16)
# htpasswd reads the password from stdin (-i) so that it never shows in ps.
printf '%s' "$password" | htpasswd -iBn "$user" > "$work/htpasswd" 2>/dev/null
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: $registry}
auth: {htpasswd: {realm: ko-demo, path: $work/htpasswd}}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://$registry/v2/" && break
    sleep 0.1
done

step "Logging in with ko login (credentials go to config.json)"
export DOCKER_CONFIG=$work/docker
printf '%s\n' "$password" | "$bin/ko" login "$registry" -u "$user" --password-stdin

step "Seeding a base image into $registry/base/static"
python3 scripts/seed-base.py "$work/base-layout"
skopeo copy --quiet --authfile "$DOCKER_CONFIG/config.json" --dest-tls-verify=false \
    "oci:$work/base-layout:latest" "docker://$registry/base/static:latest"

step "ko build ./cmd/app (in examples/hello)"
export KO_DOCKER_REPO=$registry/demo
export KO_DEFAULTBASEIMAGE=$registry/base/static:latest
image=$(cd examples/hello && "$bin/ko" build ./cmd/app)
echo "$image"

step "Pulling $image back with skopeo and unpacking it with umoci"
skopeo copy --quiet --authfile "$DOCKER_CONFIG/config.json" --src-tls-verify=false \
    "docker://$image" "oci:$work/pulled:app"
umoci unpack --image "$work/pulled:app" "$work/bundle" >/dev/null

step "Running the image's entrypoint under chroot"
entrypoint=$(jq -r '.process.args | join(" ")' "$work/bundle/config.json")
mapfile -t envs < <(jq -r '.process.env[]' "$work/bundle/config.json")
uid=$(jq -r ".process.user.uid" "$work/bundle/config.json")
gid=$(jq -r ".process.user.gid" "$work/bundle/config.json")
env -i "${envs[@]}" /usr/sbin/chroot --userspec="$uid:$gid" "$work/bundle/rootfs" $entrypoint
