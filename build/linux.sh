#!/bin/sh
# Build the Linux 6.1 Image shared by Dom0 and DomU from Debian's
# linux-source-6.1, over tinyconfig plus build/linux/vireo.config. The build
# tree (needed by out-of-tree modules) and the Image live in the cache, keyed by
# a hash of the fragment, the recipe number and the package versions.
set -eu
. "$(dirname "$0")/common.sh"

# Bump RECIPE when a change to this script changes what it builds.
RECIPE=1
KEY=$(echo "recipe $RECIPE" | hash_inputs "$TOP/build/linux/vireo.config" -)
OBJ=$CACHE/linux-$KEY
unpack_linux

if [ ! -f "$OBJ/.done" ]; then
	log "building Linux Image in $OBJ (about 6 min from scratch, progress below)"
	rm -rf "$OBJ" && mkdir -p "$OBJ"
	make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE=$CROSS tinyconfig >/dev/null
	(cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
		"$OBJ/.config" "$TOP/build/linux/vireo.config" >/dev/null)
	make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE=$CROSS olddefconfig >/dev/null
	# Every line of the fragment must survive olddefconfig: a dependency that
	# silently drops an option (NET_CORE for TUN, say) is a build error here.
	grep '^CONFIG_.*=y' "$TOP/build/linux/vireo.config" | while read -r opt; do
		grep -qx "$opt" "$OBJ/.config" || { echo "linux: $opt did not stick" >&2; exit 1; }
	done
	make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE=$CROSS \
		CC="ccache ${CROSS}gcc" -j"$JOBS" Image modules 2>&1 |
		grep --line-buffered -E '^ +(CC|LD|AR|OBJCOPY)' |
		awk '{ n++; if (n % 100 == 0) { printf "[build] linux: %d objects\n", n; fflush() } }'
	[ -f "$OBJ/arch/riscv/boot/Image" ] || { echo "linux: build failed" >&2; exit 1; }
	touch "$OBJ/.done"
fi
cp "$OBJ/arch/riscv/boot/Image" "$OUT/Image"
ln -sfn "$OBJ" "$OUT/linux-build"
log "linux: $OUT/Image ($(stat -c %s "$OUT/Image") bytes), tree $OBJ"
