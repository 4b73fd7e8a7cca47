#!/bin/sh
# Install the Debian 12 packages Vireo builds and tests with. Idempotent: when
# every package is already installed it does nothing, so `make run` can call it
# on every invocation.
set -eu

PKGS="qemu-system-misc opensbi gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
linux-source-6.1 device-tree-compiler ccache flex bison bc cpio libssl-dev
libelf-dev dpkg-dev python3-pexpect xz-utils make gcc e2fsprogs"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ] || [ "${1:-}" = "--force" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "deps: installing:$missing"
	$SUDO apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $PKGS
fi

for p in $PKGS; do
	printf '  %-26s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p")"
done
