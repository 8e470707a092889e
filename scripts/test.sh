#!/usr/bin/env bash
# Runs every test with the services they need: the packages are installed if
# missing, then the suite runs inside a private D-Bus session with an unlocked
# gnome-keyring. Registries, token servers and cloud mocks are started by the
# test fixtures themselves, each on a free loopback port.
#
# usage: scripts/test.sh [swift test arguments, e.g. --filter KoImageTests]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# Go's caches outlive the throwaway HOME below, so repeated runs stay fast.
export GOCACHE=${GOCACHE:-$(go env GOCACHE)}
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)}
export GOPATH=${GOPATH:-$(go env GOPATH)}

swift build --build-tests

# A fresh HOME keeps the tests away from the user's own keyring and
# ~/.docker; the keyring password is a throwaway for this session only.
scratch=$(mktemp -d /tmp/ko-tests.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/run"
chmod 700 "$scratch/run"
export HOME=$scratch/home XDG_RUNTIME_DIR=$scratch/run
unset DOCKER_CONFIG KO_DOCKER_REPO KO_DEFAULTBASEIMAGE KO_CONFIG_PATH

dbus-run-session -- bash -c '
    set -euo pipefail
    eval "$(printf "test-keyring" | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
    swift test --skip-build "$@"
' ko-tests "$@"
