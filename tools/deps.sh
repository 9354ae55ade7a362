# SPDX-License-Identifier: Apache-2.0
# Sourced by tools/check and tools/demo: installs the Debian packages Airlock
# needs to build and test, only those that are missing.

AL_PACKAGES=(
    gcc libc6-dev pkg-config meson ninja-build
    libgpgme-dev libarchive-dev libsqlite3-dev libjansson-dev libgcrypt20-dev
    libunistring-dev libcmocka-dev
    gnupg gpg gpg-agent gpgconf
    python3 python3-jsonschema faketime tar diffutils coreutils findutils strace
)

al_install_deps() {
    local missing=() p
    for p in "${AL_PACKAGES[@]}" "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
