#!/bin/sh
# Build the Dom0 test modules out of tree against the Linux build tree
# (out/linux-build, made by build/linux.sh). Each module directory is copied
# to out/modules-build/<name>/ and built there, so tests/ never holds Kbuild
# output; the .ko files land in out/modules/.
#
#   build/modules.sh            the default list below
#   build/modules.sh DIR...     those module directories (each has a Kbuild)
#
# vireo.ko is built first: modules that call its exported API (evtchn_pp)
# resolve those symbols through its Module.symvers (KBUILD_EXTRA_SYMBOLS),
# and include its API header, vireo_evtchn.h, from include/.
set -eu
. "$(dirname "$0")/common.sh"

VIREO_KO=dom0-tools/vireo.ko
MODULE_DIRS="$VIREO_KO tests/guests/sbi_probe tests/bench/sbi_null tests/guests/hostile tests/guests/evtchn_pp tests/guests/ioreq_probe"
[ $# -eq 0 ] || MODULE_DIRS="$*"
# vireo.ko first, whatever order the caller gave.
case " $MODULE_DIRS " in
*" $VIREO_KO "*)
	rest=
	for dir in $MODULE_DIRS; do
		[ "$dir" = "$VIREO_KO" ] || rest="$rest $dir"
	done
	MODULE_DIRS="$VIREO_KO$rest"
	;;
esac
VIREO_SYMVERS=$OUT/modules-build/vireo.ko/Module.symvers

KTREE=$OUT/linux-build
if [ ! -f "$KTREE/.done" ] || [ ! -f "$KTREE/Module.symvers" ]; then
	echo "modules: no Linux build tree at $KTREE: run build/linux.sh first" >&2
	exit 1
fi

# A new Linux build tree (another config) invalidates every object built so far.
ktree_real=$(readlink -f "$KTREE")
if [ "$(cat "$OUT/modules-build/.ktree" 2>/dev/null)" != "$ktree_real" ]; then
	rm -rf "$OUT/modules-build" "$OUT/modules"
	mkdir -p "$OUT/modules-build"
	echo "$ktree_real" >"$OUT/modules-build/.ktree"
fi
mkdir -p "$OUT/modules"
for dir in $MODULE_DIRS; do
	name=$(basename "$dir")
	src=$TOP/$dir
	obj=$OUT/modules-build/$name
	[ -f "$src/Kbuild" ] || { echo "modules: $src has no Kbuild" >&2; exit 1; }
	mkdir -p "$obj"
	# Mirror the sources; cp -p keeps their mtimes so an unchanged module
	# is not rebuilt, and sources removed from tests/ go away here too.
	for f in "$obj"/*.c "$obj"/*.h "$obj"/Kbuild; do
		[ -e "$f" ] && [ ! -e "$src/$(basename "$f")" ] && rm -f "$f"
	done
	for f in "$src"/*.c "$src"/*.h "$src"/Kbuild; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$obj/$(basename "$f")" || cp -p "$f" "$obj/"
	done
	# Shared headers (hypercall ABI, Dom0 UAPI, vireo.ko's in-kernel API)
	# for -I$(src)/include.
	mkdir -p "$obj/include"
	for f in "$TOP"/abi/*.h "$TOP"/dom0-tools/include/*.h \
		"$TOP/$VIREO_KO/vireo_evtchn.h"; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$obj/include/$(basename "$f")" || cp -p "$f" "$obj/include/"
	done
	extra=
	if [ "$dir" != "$VIREO_KO" ] && [ -f "$VIREO_SYMVERS" ]; then
		extra=KBUILD_EXTRA_SYMBOLS=$VIREO_SYMVERS
	fi
	log "modules: $name"
	make -s -C "$KTREE" M="$obj" ARCH=riscv CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$JOBS" $extra modules
	for ko in "$obj"/*.ko; do
		[ -e "$ko" ] || { echo "modules: $name built no .ko" >&2; exit 1; }
		cp "$ko" "$OUT/modules/"
	done
done
log "modules: $(cd "$OUT/modules" && echo *.ko) in $OUT/modules"
