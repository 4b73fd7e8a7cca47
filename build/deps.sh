#!/bin/sh
# Install the Debian 12 packages Vireo builds and tests with. Idempotent: when
# every package is already installed it does nothing, so `make run` can call it
# on every invocation.
#
#   build/deps.sh           install what is missing
#   build/deps.sh --force   apt-get update and install all of them
#   build/deps.sh --list    print the package list, one per line
#
# Every command that `make run`, `make test` or `make check` runs on the host
# comes from one of these packages or from Debian's Essential set;
# tests/build/test_fresh_machine.py checks that, so a tool used without being
# listed here fails `make test` even on a machine where it happens to be
# installed.
set -eu

# What each group is for:
#   boot:    qemu-system-misc (qemu-system-riscv64), opensbi (fw_dynamic.bin)
#   cross:   gcc/binutils-riscv64-linux-gnu, libc6-dev-riscv64-cross (Dom0 tools)
#   Linux:   linux-source-6.1 (Dom0, DomUs), linux-source-6.12 (newer DomUs,
#            from bookworm-security), flex, bison, bc, libssl-dev, libelf-dev, cpio,
#            xz-utils, ccache, device-tree-compiler (dtc, the unit tests' DTB)
#   busybox: apt, dpkg-dev (apt-get source), make, gcc
#   images:  e2fsprogs (mkfs.ext4, debugfs), gzip
#   tests:   python3, python3-pexpect, g++ (abi/ as C++), mawk
#   check:   cppcheck, clang
PKGS="qemu-system-misc opensbi
gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross
linux-source-6.1 linux-source-6.12 flex bison bc libssl-dev libelf-dev cpio xz-utils ccache
device-tree-compiler
apt dpkg-dev make gcc
e2fsprogs gzip
python3 python3-pexpect g++ mawk
cppcheck clang"

if [ "${1:-}" = "--list" ]; then
	for p in $PKGS; do echo "$p"; done
	exit 0
fi

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
