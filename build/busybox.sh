#!/bin/sh
# Build a static riscv64 busybox from Debian's busybox *source* package.
#
# The source comes through a private apt configuration so that the system's
# sources are never touched: its deb-src stanza copies URIs, Suites, Components
# and Signed-By from the system's own "deb" entries at run time (no mirror name
# is written here). The apt state lives in $CACHE/busybox-apt, the binary in
# $CACHE/busybox-<key>/busybox, keyed by this script and the package version.
#
# Runs offline once the binary is cached. BUSYBOX_UPDATE=1 refreshes the
# private package lists first (to pick up a new Debian revision).
set -eu
. "$(dirname "$0")/common.sh"

APTD=$CACHE/busybox-apt
APT_OPTS="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$APTD/sources.d
 -o Dir::State::Lists=$APTD/lists -o Dir::Cache=$APTD/cache
 -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$APTD/prefs.d
 -o APT::Sandbox::User=root -o Acquire::Languages=none"

# src_stanzas: deb822 "deb-src" stanzas built from the system's "deb" entries,
# both the deb822 files and the one-line sources.list format.
src_stanzas() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "") {
				print "Types: deb-src"
				print "URIs: " uris
				print "Suites: " suites
				if (comps != "") print "Components: " comps
				if (signed != "") print "Signed-By: " signed
				print ""
			}
			types = uris = suites = comps = signed = enabled = ""
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[A-Za-z-]+:/ {
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "signed-by") signed = val
			else if (key == "enabled") enabled = tolower(val)
		}
		END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '
		$1 != "deb" { next }
		{
			signed = ""; i = 2
			if ($2 ~ /^\[/) {
				opts = ""
				while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ }
				if (match(opts, /signed-by=[^] ]+/))
					signed = substr(opts, RSTART + 10, RLENGTH - 10)
			}
			uri = $i; suite = $(i + 1); comps = ""
			for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
			print "Types: deb-src"; print "URIs: " uri; print "Suites: " suite
			if (comps != "") print "Components: " comps
			if (signed != "") print "Signed-By: " signed
			print ""
		}' "$f"
	done
}

apt_update() {
	log "busybox: refreshing private deb-src lists in $APTD"
	rm -rf "$APTD/sources.d" "$APTD/lists" "$APTD/cache"
	mkdir -p "$APTD/sources.d" "$APTD/lists/partial" "$APTD/cache/archives/partial" "$APTD/prefs.d"
	src_stanzas >"$APTD/sources.d/src.sources"
	[ -s "$APTD/sources.d/src.sources" ] ||
		{ echo "busybox: no 'deb' entries found in /etc/apt" >&2; exit 1; }
	# shellcheck disable=SC2086
	apt-get -q $APT_OPTS update | sed 's/^/[build] apt: /'
}

# src_version: the candidate version of the busybox source package.
src_version() {
	# shellcheck disable=SC2086
	apt-cache $APT_OPTS showsrc busybox 2>/dev/null |
		awk '/^Package: /{p=$2} /^Version: /{ if (p == "busybox") print $2 }' |
		sort -V | tail -n1
}

if [ "${BUSYBOX_UPDATE:-0}" = 1 ] || [ ! -d "$APTD/lists" ]; then
	apt_update
fi
VER=$(src_version)
[ -n "$VER" ] || { apt_update; VER=$(src_version); }
[ -n "$VER" ] || { echo "busybox: no busybox source package in the lists" >&2; exit 1; }

KEY=$(echo "busybox $VER" | hash_inputs "$0" -)
BB=$CACHE/busybox-$KEY

if [ ! -f "$BB/busybox" ]; then
	start=$(date +%s)
	DL=$CACHE/busybox-src-$(echo "$VER" | tr : _)
	UPVER=${VER#*:}; UPVER=${UPVER%-*}
	if ! ls "$DL"/busybox_"$UPVER".orig.tar.* >/dev/null 2>&1; then
		log "busybox: downloading source package $VER"
		rm -rf "$DL" && mkdir -p "$DL"
		# shellcheck disable=SC2086
		(cd "$DL" && apt-get -q $APT_OPTS source --download-only "busybox=$VER") |
			sed 's/^/[build] apt: /'
	fi
	ORIG=$(ls "$DL"/busybox_"$UPVER".orig.tar.* 2>/dev/null) ||
		{ echo "busybox: apt-get source gave no orig tarball in $DL" >&2; exit 1; }

	log "busybox: building $VER static (about 1 min with -j2)"
	rm -rf "$BB" && mkdir -p "$BB"
	W=$BB/src
	mkdir -p "$W"
	tar -xf "$ORIG" -C "$W" --strip-components=1
	mk() { make -C "$W" ARCH=riscv CROSS_COMPILE="$CROSS" CC="ccache ${CROSS}gcc" "$@"; }
	mk defconfig >/dev/null
	# Static against glibc: the NSS-dependent applets only warn at link time.
	sed -i -e 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$W/.config"
	mk oldconfig </dev/null >/dev/null
	grep -qx 'CONFIG_STATIC=y' "$W/.config" || { echo "busybox: CONFIG_STATIC did not stick" >&2; exit 1; }
	mk -j"$JOBS" busybox >"$BB/build.log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 10
		kill -0 "$pid" 2>/dev/null &&
			log "busybox: $(grep -cE '^ +(CC|AR|LD)' "$BB/build.log") objects"
	done
	wait "$pid" || { tail -n 30 "$BB/build.log" >&2; echo "busybox: build failed" >&2; exit 1; }
	"${CROSS}strip" -o "$BB/busybox" "$W/busybox"
	file_type=$(od -An -tx1 -j4 -N2 "$BB/busybox" | tr -d ' ')
	[ "$file_type" = 0201 ] || { echo "busybox: not a 64-bit LE ELF" >&2; exit 1; }
	cp "$W/.config" "$BB/config"
	rm -rf "$W"
	log "busybox: built in $(($(date +%s) - start)) s"
fi
cp "$BB/busybox" "$OUT/busybox"
log "busybox: $OUT/busybox ($VER, $(stat -c %s "$OUT/busybox") bytes)"
