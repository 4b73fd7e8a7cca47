# Dom0 images: busybox, the test modules, the initramfs and the data disk.
# Included from the top Makefile, which defines OUT and DEPS_STAMP.
#
#   make busybox     $(OUT)/busybox                  (build/busybox.sh)
#   make modules     $(OUT)/modules/*.ko             (build/modules.sh)
#   make initramfs   $(OUT)/dom0-initramfs.cpio.gz   (build/initramfs.sh)
#   make disk        $(DOM0_DISK), made once         (build/disk.sh)
#
# More files go into the initramfs through INITRAMFS_EXTRA ("src:dst ...",
# see build/initramfs.sh); list them in INITRAMFS_DEPS too so that a change
# rebuilds the image.

.PHONY: busybox modules initramfs disk

DOM0_INITRAMFS := $(OUT)/dom0-initramfs.cpio.gz
DOM0_DISK      := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vireo/dom0-data.img
INITRAMFS_EXTRA ?=
INITRAMFS_DEPS  ?=

$(OUT)/busybox: $(DEPS_STAMP) build/busybox.sh build/common.sh
	./build/busybox.sh
busybox: $(OUT)/busybox

# The directories must match MODULE_DIRS in build/modules.sh.
TEST_MODULE_DIRS := tests/guests/sbi_probe tests/bench/sbi_null tests/guests/hostile tests/guests/evtchn_pp tests/guests/ioreq_probe
TEST_MODULES     := $(foreach d,$(TEST_MODULE_DIRS),$(OUT)/modules/$(notdir $(d)).ko)
# dom0-tools/vireo.ko builds vireo.ko: $(basename) drops the ".ko".
MODULE_DIRS      := $(TEST_MODULE_DIRS) dom0-tools/vireo.ko
MODULES          := $(foreach d,$(MODULE_DIRS),$(OUT)/modules/$(basename $(notdir $(d))).ko)
MODULE_SRCS      := $(wildcard $(foreach d,$(MODULE_DIRS),$(d)/*.c $(d)/*.h $(d)/Kbuild) \
                      abi/*.h dom0-tools/include/*.h)

$(MODULES) &: $(OUT)/Image build/modules.sh build/common.sh $(MODULE_SRCS)
	./build/modules.sh $(MODULE_DIRS)
modules: $(MODULES)

$(DOM0_INITRAMFS): $(OUT)/busybox $(MODULES) $(wildcard build/dom0/*) \
                   build/initramfs.sh build/common.sh $(INITRAMFS_DEPS)
	INITRAMFS_EXTRA='$(INITRAMFS_EXTRA)' ./build/initramfs.sh
initramfs: $(DOM0_INITRAMFS)

$(DOM0_DISK): build/disk.sh | $(DEPS_STAMP)
	./build/disk.sh >/dev/null
disk:
	@./build/disk.sh
