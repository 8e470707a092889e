#!/usr/bin/env bash
# ko against the tools a user would reach for instead, side by side in one run.
#
# Builds ko (release), starts its own docker-registry on loopback (basic
# auth) and its own gnome-keyring in a private D-Bus session, generates the
# Go programs it builds (bench/gen-programs.py), runs every comparison with
# hyperfine and prints a table of medians and ratios. Everything it starts is
# stopped, and its scratch directory removed, when it ends.
#
# usage: bench/run.sh [--runs N] [--rows 1,2,...] [--keep]
#   --runs N   timed runs per command (default 5; row 1 and row 5 use 4x as many)
#   --rows     only these rows (default: all seven)
#   --keep     keep the scratch directory (logs, hyperfine JSON) for a look afterwards
#
# Needs: swift, go, python3, jq, hyperfine, /usr/bin/time, skopeo, docker-registry,
# gzip, pigz, apache2-utils (htpasswd), gnome-keyring, dbus (dbus-run-session),
# golang-docker-credential-helpers (docker-credential-secretservice), libdeflate-dev.
# Go's build cache is the user's own (`go env GOCACHE`): the first run compiles
# the generated programs for three platforms, which takes a few minutes; later
# runs reuse it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

runs=5
rows=1,2,3,4,5,6,7
keep=false
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --rows) rows=$2; shift 2 ;;
        --keep) keep=true; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
done

step() { printf '==> %s\n' "$*" >&2; }

# MARK: - Outside the D-Bus session: check tools, build, then re-enter.
if [ -z "${KO_BENCH_SCRATCH:-}" ]; then
    missing=()
    for tool in swift:swift go:golang-go python3:python3 jq:jq curl:curl openssl:openssl \
        hyperfine:hyperfine skopeo:skopeo \
        docker-registry:docker-registry gzip:gzip pigz:pigz htpasswd:apache2-utils \
        gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus \
        docker-credential-secretservice:golang-docker-credential-helpers; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
    done
    [ -x /usr/bin/time ] || missing+=(time)
    [ -e /usr/include/libdeflate.h ] || missing+=(libdeflate-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bench/run.sh: missing tools; install them with: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    step "Building ko and docker-credential-ko (release)"
    (cd "$root" && swift build -c release --product ko >&2 && swift build -c release --product docker-credential-ko >&2)
    bin=$(cd "$root" && swift build -c release --show-bin-path)

    # Go's caches stay the user's, so a second run does not compile everything again.
    export GOCACHE=${GOCACHE:-$(go env GOCACHE)} GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)}
    export GOPATH=${GOPATH:-$(go env GOPATH)} GOFLAGS=${GOFLAGS:-} GOPROXY=off
    scratch=$(mktemp -d /tmp/ko-bench.XXXXXX)
    mkdir -p "$scratch/home" "$scratch/run"
    chmod 700 "$scratch/run"
    status=0
    HOME=$scratch/home XDG_RUNTIME_DIR=$scratch/run KO_BENCH_SCRATCH=$scratch KO_BENCH_BIN=$bin \
        dbus-run-session -- bash "$0" --runs "$runs" --rows "$rows" || status=$?
    if [ "$keep" = true ]; then echo "Scratch directory kept: $scratch" >&2; else rm -rf "$scratch"; fi
    exit "$status"
fi

# MARK: - Inside: services, programs, then the rows.
scratch=$KO_BENCH_SCRATCH
bin=$KO_BENCH_BIN
ko=$bin/ko
helper=$bin/docker-credential-ko
export PATH=$bin:$PATH
unset DOCKER_CONFIG KO_DOCKER_REPO KO_DEFAULTBASEIMAGE KO_CONFIG_PATH KO_DEFAULTPLATFORMS GOOS GOARCH

registry_pid=""
cleanup() {
    if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

step "Starting gnome-keyring in a private D-Bus session"
eval "$(printf 'bench-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

step "Starting docker-registry with basic auth on loopback"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
password=$(openssl rand -hex 16)
printf '%s' "$password" | htpasswd -iBn bench > "$scratch/htpasswd" 2>/dev/null
cat > "$scratch/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $scratch/storage}, delete: {enabled: true}}
http: {addr: $registry}
auth: {htpasswd: {realm: ko-bench, path: $scratch/htpasswd}}
YAML
docker-registry serve "$scratch/registry.yml" > "$scratch/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://$registry/v2/" && break
    sleep 0.1
done
mkdir -p "$scratch/docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$registry" "$(printf 'bench:%s' "$password" | base64 -w0)" \
    > "$scratch/docker/config.json"
export DOCKER_CONFIG=$scratch/docker
authfile=$scratch/docker/config.json

step "Seeding base images (linux/amd64; and linux/amd64,arm64,arm/v7)"
python3 "$root/scripts/seed-base.py" "$scratch/base-static"
python3 "$root/scripts/seed-base.py" "$scratch/base-multi" --platforms linux/amd64,linux/arm64,linux/arm/v7
skopeo copy --quiet --authfile "$authfile" --dest-tls-verify=false \
    "oci:$scratch/base-static:latest" "docker://$registry/base/static:latest"
skopeo copy --quiet --all --authfile "$authfile" --dest-tls-verify=false \
    "oci:$scratch/base-multi:latest" "docker://$registry/base/multi:latest"

step "Generating the Go programs"
src=$scratch/src
python3 "$here/gen-programs.py" "$src"
stamp="$here/stamp.sh $src"

export KO_DOCKER_REPO=$registry/ko
export KO_DEFAULTBASEIMAGE=$registry/base/static:latest
export KOCACHE=$scratch/kocache
cd "$src"

# Every result line: row|comparison|ko|alternative|measure|target|met
results=$scratch/results
: > "$results"
record() { printf '%s\n' "$(IFS='|'; echo "$*")" >> "$results"; }

# hyperfine's median of command N (0-based) in a JSON export, in seconds.
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"; }
ms() { python3 -c 'import sys; print(f"{float(sys.argv[1]) * 1000:.0f} ms")' "$1"; }
# Ratios are judged exact (raw_ratio) and shown with two decimals (ratio).
raw_ratio() { python3 -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$1" "$2"; }
ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }
at_most() { python3 -c 'import sys; print("yes" if float(sys.argv[1]) <= float(sys.argv[2]) else "NO")' "$1" "$2"; }
compare() {  # compare NAME RUNS [hyperfine args...]: runs hyperfine, keeps its JSON and output
    local name=$1 count=$2
    shift 2
    hyperfine --style basic --runs "$count" --export-json "$scratch/$name.json" "$@" > "$scratch/$name.txt" 2>&1 \
        || { cat "$scratch/$name.txt" >&2; return 1; }
}
wanted() { [[ ",$rows," == *",$1,"* ]]; }

# Builds for each platform once, untimed: Go's cache then holds every
# package, and the timed runs compile and link only what an edit changes.
step "Compiling the programs once (the first run on a machine takes a few minutes)"
mkdir -p "$scratch/warm" "$scratch/noop"
CGO_ENABLED=0 go build -trimpath -o "$scratch/warm/big" ./cmd/big
if wanted 4; then
    CGO_ENABLED=0 GOARCH=arm64 go build -trimpath -o "$scratch/warm/big-arm64" ./cmd/big
    CGO_ENABLED=0 GOARCH=arm GOARM=7 go build -trimpath -o "$scratch/warm/big-arm" ./cmd/big
fi
big_size=$(stat -c %s "$scratch/warm/big")

# MARK: - 1. Layer building
if wanted 1; then
    step "1. Layer building: ko's layer of a $((big_size >> 20)) MiB Go binary against tar | gzip -1 | sha256sum"
    mkdir -p "$scratch/layer"
    cp "$scratch/warm/big" "$scratch/layer/big"
    cd "$scratch/layer"
    compare layer $((runs * 4)) --warmup 2 \
        -n "ko __layer" "$ko __layer big" \
        -n "tar | gzip -1 | sha256sum" "tar c big | gzip -1 | sha256sum" \
        -n "tar | pigz -1 | sha256sum" "tar c big | pigz -1 | sha256sum"
    for i in 1 2 3; do "$ko" __layer big | cut -d' ' -f1; done | sort -u > "$scratch/layer-digests"
    ours_size=$("$ko" __layer big | cut -d' ' -f2)
    gzip_size=$(tar c big | gzip -1 | wc -c)
    cd "$src"
    a=$(median "$scratch/layer.json" 0) b=$(median "$scratch/layer.json" 1) p=$(median "$scratch/layer.json" 2)
    r=$(ratio "$b" "$a") exact=$(raw_ratio "$b" "$a")
    digests=$(wc -l < "$scratch/layer-digests")
    larger=$(python3 -c 'import sys; print(f"{(int(sys.argv[1]) / int(sys.argv[2]) - 1) * 100:+.1f}%")' \
        "$ours_size" "$gzip_size")
    met=$(python3 -c 'import sys; r, o, g, d = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("yes" if r >= 1.7 and o <= g * 1.03 and d == 1 else "NO")' "$exact" "$ours_size" "$gzip_size" "$digests")
    record 1 "Layer ($((big_size >> 20)) MiB binary)" "$(ms "$a")" "$(ms "$b")" \
        "${r}x faster; size $larger; $([ "$digests" = 1 ] && echo "same digest" || echo "$digests digests") in 3 runs; pigz -1: $(ms "$p")" \
        ">= 1.7x, <= +3%, one digest" "$met"
fi

# MARK: - 2. Build and push
if wanted 2; then
    step "2. Build and push: ko build against go build + tar | gzip -1 + skopeo copy"
    compare push "$runs" --warmup 1 \
        -p "$stamp" -n "ko build" "$ko build ./cmd/big" \
        -p "$stamp" -n "go build + tar | gzip -1 + skopeo copy" \
        "$here/alt-build-push.sh $src ./cmd/big $scratch/base-static $scratch/alt $registry/alt/big:latest $authfile"
    a=$(median "$scratch/push.json" 0) b=$(median "$scratch/push.json" 1)
    r=$(ratio "$a" "$b") exact=$(raw_ratio "$a" "$b")
    record 2 "Build and push" "$(ms "$a")" "$(ms "$b")" "${r}x the time" "<= 0.80x" "$(at_most "$exact" 0.80)"
fi

# MARK: - 3. Nothing changed
if wanted 3; then
    step "3. Nothing changed: a second ko build against go build's own no-op"
    "$ko" build ./cmd/big > /dev/null 2>&1
    CGO_ENABLED=0 go build -trimpath -o "$scratch/noop/big" ./cmd/big
    compare noop $((runs * 2)) --warmup 2 \
        -n "ko build (unchanged)" "$ko build ./cmd/big" \
        -n "go build (no-op)" "CGO_ENABLED=0 go build -trimpath -o $scratch/noop/big ./cmd/big"
    "$ko" build -v ./cmd/big > /dev/null 2> "$scratch/noop-verbose.log"
    requests=$(grep -o 'HTTP → [A-Z]*' "$scratch/noop-verbose.log" | cut -d' ' -f3 | sort | uniq -c \
        | awk '{printf "%s%d %s", sep, $1, $2; sep=", "}')
    others=$(grep -o 'HTTP → [A-Z]* [^ ]*' "$scratch/noop-verbose.log" | awk '$3 != "HEAD"' || true)
    puts=$(printf '%s\n' "$others" | grep -c '/manifests/' || true)
    non_put=$(printf '%s\n' "$others" | grep -vc '^$\|PUT .*/manifests/' || true)
    a=$(median "$scratch/noop.json" 0) b=$(median "$scratch/noop.json" 1)
    delta=$(python3 -c 'import sys; print(float(sys.argv[1]) - float(sys.argv[2]))' "$a" "$b")
    met=$(python3 -c 'import sys; print("yes" if float(sys.argv[1]) <= 0.150 and int(sys.argv[2]) == 0 and int(sys.argv[3]) <= 1 else "NO")' \
        "$delta" "$non_put" "$puts")
    record 3 "Nothing changed" "$(ms "$a")" "$(ms "$b")" "+$(ms "$delta"); requests: $requests" \
        "<= +150 ms; HEADs + <= 1 manifest PUT" "$met"
fi

# MARK: - 4. Platforms
if wanted 4; then
    step "4. Platforms: one ko build of three platforms against three single-platform builds in a row"
    platforms=linux/amd64,linux/arm64,linux/arm/v7
    export KO_DEFAULTBASEIMAGE=$registry/base/multi:latest
    compare platforms "$runs" --warmup 1 \
        -p "$stamp" -n "ko build --platform=3" "$ko build --platform=$platforms ./cmd/big" \
        -p "$stamp" -n "3 x ko build --platform=1" \
        "for p in ${platforms//,/ }; do $ko build --platform=\$p ./cmd/big || exit 1; done"
    export KO_DEFAULTBASEIMAGE=$registry/base/static:latest
    a=$(median "$scratch/platforms.json" 0) b=$(median "$scratch/platforms.json" 1)
    r=$(ratio "$a" "$b") exact=$(raw_ratio "$a" "$b")
    record 4 "Platforms (3, on $(nproc) cores)" "$(ms "$a")" "$(ms "$b")" "${r}x the time" "<= 0.65x" \
        "$(at_most "$exact" 0.65)"
fi

# MARK: - 5. The credential helper
if wanted 5; then
    step "5. The helper: docker-credential-ko get against docker-credential-secretservice get"
    server=registry.bench.test:5000
    printf '{"ServerURL":"%s","Username":"bench-user","Secret":"%s"}' "$server" "$password" \
        | docker-credential-secretservice store
    printf '%s' "$server" > "$scratch/server.txt"
    for tool in "$helper" docker-credential-secretservice; do
        "$tool" get < "$scratch/server.txt" | grep -q '"bench-user"' \
            || { echo "bench/run.sh: $tool get did not return the stored entry" >&2; exit 1; }
    done
    compare helper $((runs * 4)) --warmup 3 \
        -n "docker-credential-ko get" "$helper get < $scratch/server.txt" \
        -n "docker-credential-secretservice get" "docker-credential-secretservice get < $scratch/server.txt"
    a=$(median "$scratch/helper.json" 0) b=$(median "$scratch/helper.json" 1)
    r=$(ratio "$a" "$b") exact=$(raw_ratio "$a" "$b")
    record 5 "Credential helper get" "$(ms "$a")" "$(ms "$b")" "${r}x the time" "<= 0.80x" "$(at_most "$exact" 0.80)"
fi

# MARK: - 6. Memory
if wanted 6; then
    step "6. Memory: ko build of a program whose kodata holds a 1 GiB file"
    mkdir -p "$src/cmd/data/kodata"
    head -c 1G /dev/urandom > "$src/cmd/data/kodata/blob.bin"
    /usr/bin/time -v -o "$scratch/memory.txt" "$ko" build ./cmd/data > /dev/null 2> "$scratch/memory-ko.log"
    rss_kib=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$scratch/memory.txt")
    wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$scratch/memory.txt")
    rm -f "$src/cmd/data/kodata/blob.bin"
    rss_mib=$(python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1024:.1f}")' "$rss_kib")
    record 6 "Memory (1 GiB kodata file)" "$rss_mib MiB peak RSS" "-" "pushed in $wall" "< 80 MiB" \
        "$(python3 -c 'import sys; print("yes" if float(sys.argv[1]) < 80 else "NO")' "$rss_mib")"
fi

# MARK: - 7. Resolve
if wanted 7; then
    step "7. Resolve: ko resolve of 30 ko:// references to 10 programs against 10 ko builds in a row"
    compare resolve "$runs" --warmup 1 \
        -p "$stamp" -n "ko resolve (30 refs, 10 programs)" "$ko resolve -f deploy.yaml > /dev/null" \
        -p "$stamp" -n "10 x ko build" \
        "for s in 00 01 02 03 04 05 06 07 08 09; do $ko build ./cmd/svc\$s > /dev/null || exit 1; done"
    $stamp
    "$ko" resolve -f deploy.yaml > "$scratch/resolved.yaml" 2> "$scratch/resolve.log"
    builds=$(grep -c '^.*Building ' "$scratch/resolve.log" || true)
    refs=$(grep -c "image: $registry/ko/" "$scratch/resolved.yaml" || true)
    a=$(median "$scratch/resolve.json" 0) b=$(median "$scratch/resolve.json" 1)
    r=$(ratio "$a" "$b") exact=$(raw_ratio "$a" "$b")
    met=$(python3 -c 'import sys; print("yes" if float(sys.argv[1]) <= 0.6 and sys.argv[2] == "10" and sys.argv[3] == "30" else "NO")' \
        "$exact" "$builds" "$refs")
    record 7 "Resolve (30 refs, 10 programs)" "$(ms "$a")" "$(ms "$b")" \
        "${r}x the time; $builds builds, $refs refs resolved" "<= 0.60x" "$met"
fi

# MARK: - The table
{
    printf '\nko bench: %s, %s cores, %s; medians of %s runs (rows 1, 5: %s; row 3: %s)\n\n' \
        "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$(go version | cut -d' ' -f3)" "$runs" $((runs * 4)) $((runs * 2))
    printf '| # | comparison | ko | alternative | result | target | met |\n'
    printf '| --- | --- | --- | --- | --- | --- | --- |\n'
    while IFS='|' read -r n what ours theirs result target met; do
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$what" "$ours" "$theirs" "$result" "$target" "$met"
    done < "$results"
    printf '\nAlternatives: 1 `tar c | gzip -1 | sha256sum`; 2 `go build`, `tar | gzip -1`, `skopeo copy` of an OCI\n'
    printf 'layout (bench/alt-build-push.sh); 3 `go build` of an up-to-date binary; 4 three `ko build --platform=X`\n'
    printf 'one after another; 5 `docker-credential-secretservice get`; 7 ten `ko build` one after another.\n'
}
! grep -q '|NO$' "$results"
