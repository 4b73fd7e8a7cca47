#!/bin/sh
# Boot QEMU virt (H extension) with OpenSBI -> Vireo -> Linux Dom0, or the
# same Linux natively (--native) for side-by-side benchmarks.
#
#   build/qemu.sh [--native] [--smp N] [--mem SIZE] [--disk IMG] [--no-net]
#                 [--icount] [--append "extra Dom0 bootargs"] [--initrd FILE]
#                 [--hyp-append "hypervisor command line"] [-- qemu args]
#
# QEMU's escape key is Ctrl-T (-echr 0x14), so Ctrl-A reaches the guest and
# three Ctrl-A switch to the hypervisor monitor; Ctrl-T X quits QEMU.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$TOP/out}
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
native=0 smp=2 mem=2G disk="" net=1 icount="" append="" hyp_append=""
initrd=$OUT/dom0-initramfs.cpio.gz
KERNEL_ADDR=0x82000000
INITRD_ADDR=0x88000000

while [ $# -gt 0 ]; do
	case "$1" in
	--native) native=1 ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--disk) disk=$2; shift ;;
	--no-net) net=0 ;;
	--icount) icount="-icount shift=0 -accel tcg,thread=single" ;;
	--append) append=$2; shift ;;
	--hyp-append) hyp_append=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--) shift; break ;;
	*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

set -- -M virt -cpu rv64 -smp "$smp" -m "$mem" -nographic -echr 0x14 \
	-bios "$FW" $icount "$@"
if [ -n "$disk" ]; then
	# bus= pins it to the first virtio-mmio slot (0x10001000, IRQ 1).
	set -- "$@" -drive "file=$disk,if=none,format=raw,id=d0" \
		-device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0
fi
if [ "$net" = 1 ]; then
	set -- "$@" -netdev user,id=n0 \
		-device virtio-net-device,netdev=n0,bus=virtio-mmio-bus.1
fi

bootargs="console=ttyS0 earlycon=sbi $append"
if [ "$native" = 1 ]; then
	exec qemu-system-riscv64 "$@" -kernel "$OUT/Image" \
		-initrd "$initrd" -append "$bootargs"
fi
# The hypervisor reads its own options (dom0_mem=, hsm_fail=) from /chosen.
if [ -n "$hyp_append" ]; then
	set -- "$@" -append "$hyp_append"
fi
exec qemu-system-riscv64 "$@" -kernel "$OUT/vireo.bin" \
	-device "guest-loader,addr=$KERNEL_ADDR,kernel=$OUT/Image,bootargs=$bootargs" \
	-device "guest-loader,addr=$INITRD_ADDR,initrd=$initrd"
