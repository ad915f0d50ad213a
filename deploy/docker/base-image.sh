#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Create the local Debian 12 base image the herd images build FROM, with no
# registry: debootstrap (bookworm, minbase) from Debian's package archive, a
# few "slim" trims, then `docker import`.  Does nothing when the image exists.
#   deploy/docker/base-image.sh [--force]
# Environment: HERD_BASE_IMAGE (default herd-debian:bookworm-slim),
#              DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

image=${HERD_BASE_IMAGE:-herd-debian:bookworm-slim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
force=0
[[ ${1:-} == --force ]] && force=1

if ((!force)) && docker image inspect "$image" >/dev/null 2>&1; then
	echo "base-image: $image exists"
	exit 0
fi

sudo=()
((EUID == 0)) || sudo=(sudo)
if ! command -v debootstrap >/dev/null; then
	echo "base-image: installing debootstrap"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/herd-rootfs.XXXXXX")
cleanup() { "${sudo[@]}" rm -rf --one-file-system "$root"; }
trap cleanup EXIT

echo "base-image: debootstrap bookworm (minbase) from $mirror"
"${sudo[@]}" debootstrap --variant=minbase --components=main bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
	{
		tail -n 30 "$root.log" >&2
		rm -f "$root.log"
		exit 1
	}
rm -f "$root.log"

# What Debian's own -slim images do: keep documentation, man pages and
# translations out of every later apt-get install; no apt caches.
"${sudo[@]}" tee "$root/etc/dpkg/dpkg.cfg.d/docker-slim" >/dev/null <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
CFG
"${sudo[@]}" tee "$root/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Binary::apt::APT::Keep-Downloaded-Packages "false";
Acquire::GzipIndexes "true";
APT::Install-Recommends "false";
CFG
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
	"$mirror" "$mirror" | "${sudo[@]}" tee "$root/etc/apt/sources.list" >/dev/null
"${sudo[@]}" find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
"${sudo[@]}" rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
	"$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
	"$root"/var/log/*.log "$root"/var/log/apt/* "$root"/dev/* "$root"/proc/* "$root"/sys/* "$root"/run/*

echo "base-image: docker import as $image"
"${sudo[@]}" tar -C "$root" --numeric-owner -c . |
	docker import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' - "$image" >/dev/null
docker image ls "$image"
