#!/bin/sh
# Build Dom0's initramfs, out/dom0-initramfs.cpio.gz:
#   /init                          build/dom0/init
#   /etc/udhcpc.script             build/dom0/udhcpc.script
#   /bin/busybox, /bin/sh          out/busybox (applet links made at boot)
#   /lib/modules-vireo-tests/*.ko  out/modules/*.ko (build/modules.sh)
# plus INITRAMFS_EXTRA, a space-separated list of "src:dst" pairs: a file is
# copied to dst (into it when dst ends in /), a directory's contents are copied
# under dst. dst is a path inside the image; relative src is taken from the
# top of the repo.
#
# The archive is reproducible: sorted names, owner 0:0, fixed mtimes, gzip -n.
set -eu
. "$(dirname "$0")/common.sh"
umask 022

# INITRAMFS_NAME selects the image: dom0 (default) or domu, with its /init
# from build/$INITRAMFS_NAME/. Only Dom0's gets the kernel modules.
NAME=${INITRAMFS_NAME:-dom0}
IMG=$OUT/$NAME-initramfs.cpio.gz
STAGE=$OUT/initramfs-$NAME
EPOCH=${SOURCE_DATE_EPOCH:-0}

for f in "$OUT/busybox" "$TOP/build/$NAME/init"; do
	[ -f "$f" ] || { echo "initramfs: missing $f" >&2; exit 1; }
done

rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"
mkdir -p bin sbin usr/bin usr/sbin etc dev proc sys data tmp root mnt run \
	lib/modules-vireo-tests
chmod 1777 tmp
chmod 0700 root
install -m 0755 "$TOP/build/$NAME/init" init
if [ -f "$TOP/build/$NAME/udhcpc.script" ]; then
	install -m 0755 "$TOP/build/$NAME/udhcpc.script" etc/udhcpc.script
fi
install -m 0755 "$OUT/busybox" bin/busybox
ln -s busybox bin/sh
if [ "$NAME" = dom0 ]; then
	for ko in "$OUT"/modules/*.ko; do
		[ -e "$ko" ] && install -m 0644 "$ko" lib/modules-vireo-tests/
	done
fi
echo "root:x:0:0:root:/root:/bin/sh" >etc/passwd
echo "root:x:0:" >etc/group

for pair in ${INITRAMFS_EXTRA:-}; do
	src=${pair%%:*}
	dst=${pair#*:}
	if [ "$src" = "$pair" ] || [ -z "$src" ] || [ -z "$dst" ]; then
		echo "initramfs: INITRAMFS_EXTRA entry '$pair' is not src:dst" >&2
		exit 1
	fi
	case $src in /*) ;; *) src=$TOP/$src ;; esac
	dst=$STAGE/${dst#/}
	if [ -d "$src" ]; then
		mkdir -p "$dst"
		cp -R "$src"/. "$dst"/
	elif [ -f "$src" ]; then
		case $dst in */) mkdir -p "$dst" ;; *) mkdir -p "$(dirname "$dst")" ;; esac
		cp "$src" "$dst"
	else
		echo "initramfs: INITRAMFS_EXTRA source $src does not exist" >&2
		exit 1
	fi
	log "initramfs: + $pair"
done

find . -exec touch -h -d "@$EPOCH" {} +
find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet |
	gzip -n -9 >"$IMG.tmp"
mv "$IMG.tmp" "$IMG"
log "initramfs: $IMG ($(stat -c %s "$IMG") bytes, $(find . -mindepth 1 | wc -l) entries)"
