#!/bin/sh
# Build a Linux 6.12 Image for DomUs (issue 9: newer guests) from Debian's
# linux-source-6.12 (bookworm-security), over tinyconfig plus
# build/linux/vireo-6.12.config, cached like the 6.1 one and keyed by its
# own fragment and package versions. Dom0 stays 6.1; this Image only boots
# as a DomU (out/Image-6.12, /usr/share/vireo/Image-6.12 in Dom0).
set -eu
. "$(dirname "$0")/common.sh"

RECIPE=1
FRAG=$TOP/build/linux/vireo-6.12.config
KEY=$( { echo "recipe $RECIPE"; dpkg-query -W -f='${Version}\n' linux-source-6.12; } |
	hash_inputs "$FRAG" -)
OBJ=$CACHE/linux612-$KEY
unpack_linux 6.12

if [ ! -f "$OBJ/.done" ]; then
	log "building Linux 6.12 Image in $OBJ (about 8 min from scratch)"
	rm -rf "$OBJ" && mkdir -p "$OBJ"
	make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE=$CROSS tinyconfig >/dev/null
	(cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
		"$OBJ/.config" "$FRAG" >/dev/null)
	make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE=$CROSS olddefconfig >/dev/null
	grep '^CONFIG_.*=y' "$FRAG" | while read -r opt; do
		grep -qx "$opt" "$OBJ/.config" || { echo "linux 6.12: $opt did not stick" >&2; exit 1; }
	done
	make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE=$CROSS \
		CC="ccache ${CROSS}gcc" -j"$JOBS" Image 2>&1 |
		grep --line-buffered -E '^ +(CC|LD|AR|OBJCOPY)' |
		awk '{ n++; if (n % 100 == 0) { printf "[build] linux 6.12: %d objects\n", n; fflush() } }'
	[ -f "$OBJ/arch/riscv/boot/Image" ] || { echo "linux 6.12: build failed" >&2; exit 1; }
	touch "$OBJ/.done"
fi
cp "$OBJ/arch/riscv/boot/Image" "$OUT/Image-6.12"
log "linux 6.12: $OUT/Image-6.12 ($(stat -c %s "$OUT/Image-6.12") bytes)"
