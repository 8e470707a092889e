#!/usr/bin/env bash
# Installs what building and testing ko needs on a Debian machine, and only
# what is missing: apt is slow even when it has nothing to do.
set -euo pipefail

packages=(
    golang-go docker-registry skopeo umoci apache2-utils jq openssl
    gnome-keyring libsecret-tools dbus dbus-x11 golang-docker-credential-helpers
    libsecret-1-dev libssl-dev zlib1g-dev libyaml-dev libcurl4-openssl-dev libdeflate-dev
    mandoc tmux bash-completion zsh fish podman strace hyperfine pigz time
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# moto serves the AWS APIs on loopback for the ECR tests; spdx-tools holds
# the SPDX project's own validator, which checks our SBOMs.
if ! command -v moto_server >/dev/null 2>&1 || ! command -v pyspdxtools >/dev/null 2>&1; then
    echo "Installing moto[server] and spdx-tools from PyPI" >&2
    python3 -m pip install --quiet 'moto[server]' spdx-tools >/dev/null
fi

command -v swift >/dev/null 2>&1 || {
    echo "Error: swift is not on PATH: install the Swift 6 toolchain (https://swift.org/install)" >&2
    exit 1
}
