#!/bin/sh
# Dom0's persistent data disk: a 256 MiB ext4 image in the cache, made once and
# never recreated (DomU disk images live on it across runs). Prints its path.
set -eu
. "$(dirname "$0")/common.sh"

DISK=$CACHE/dom0-data.img
if [ ! -f "$DISK" ]; then
	log "disk: creating 256 MiB ext4 image $DISK" >&2
	rm -f "$DISK.tmp"
	truncate -s 256M "$DISK.tmp"
	mkfs.ext4 -F -q -L vireo-data "$DISK.tmp"
	mv "$DISK.tmp" "$DISK"
fi
echo "$DISK"
