# Shared settings for the build scripts (sourced, not run).
CROSS=riscv64-linux-gnu-
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vireo
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$TOP/out}
JOBS=${JOBS:-$(nproc)}
mkdir -p "$CACHE" "$OUT"

# hash_inputs FILE...: a short key over the contents of FILEs plus the versions
# of the Debian packages that feed every cached artefact.
hash_inputs() {
	{
		cat "$@"
		dpkg-query -W -f='${Version}\n' linux-source-6.1 gcc-riscv64-linux-gnu
	} | sha256sum | cut -c1-16
}

log() { printf '[build] %s\n' "$*"; }

SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
SRC=$CACHE/linux-src-$SRCVER

# unpack_linux [VER]: Debian's linux-source-VER tarball (6.1 by default),
# once per package version, into $SRC (set for VER).
unpack_linux() {
	ver=${1:-6.1}
	SRC=$CACHE/linux-src-$(dpkg-query -W -f='${Version}' "linux-source-$ver")
	[ "$ver" = 6.1 ] || SRC=$SRC-$ver
	[ -f "$SRC/.unpacked" ] && return 0
	log "unpacking /usr/src/linux-source-$ver.tar.xz (about 15 s)"
	rm -rf "$SRC" && mkdir -p "$SRC"
	tar -xJf "/usr/src/linux-source-$ver.tar.xz" -C "$SRC" --strip-components=1
	touch "$SRC/.unpacked"
}
