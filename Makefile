# Vireo top-level build. `make run` and `make test` are the two entry points;
# every other target is a step they reach. Outputs go to out/.

CROSS   ?= riscv64-linux-gnu-
OUT     := out
PYTHON  := /usr/bin/python3
QEMU    := qemu-system-riscv64
HOSTCC  ?= gcc

.PHONY: all deps linux linux612 busybox libfdt kernel initramfs images run test unit core-host \
        bench soak check clean disk abi-check
all: images

# ---------------------------------------------------------------- packages
DEPS_STAMP := $(OUT)/.deps
deps:
	@mkdir -p $(OUT)
	./build/deps.sh --force
	@touch $(DEPS_STAMP)
$(DEPS_STAMP): build/deps.sh
	@mkdir -p $(OUT)
	./build/deps.sh
	@touch $@

# ------------------------------------------------------- Debian-fed artefacts
linux $(OUT)/Image: $(DEPS_STAMP) build/linux.sh build/linux/vireo.config
	./build/linux.sh
# Linux 6.12 for DomUs only (issue 9); built after 6.1 so the two never
# share the 2 cores.
linux612 $(OUT)/Image-6.12: $(DEPS_STAMP) build/linux612.sh build/linux/vireo-6.12.config | $(OUT)/Image
	./build/linux612.sh

LIBFDT := $(OUT)/libfdt
LIBFDT_C := fdt.c fdt_ro.c fdt_rw.c fdt_wip.c fdt_sw.c fdt_strerror.c fdt_addresses.c
$(LIBFDT)/.stamp: $(DEPS_STAMP) build/libfdt.sh
	./build/libfdt.sh
libfdt: $(LIBFDT)/.stamp

# ------------------------------------------------------- Dom0 userspace
# Static riscv64 binaries (glibc from libc6-dev-riscv64-cross) over libvireo,
# which carries its own userspace build of libfdt.
DOM0_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -Idom0-tools/include \
               -Ibackend-drivers/include -Iabi -I$(LIBFDT)
DOM0_HDRS   := $(wildcard dom0-tools/include/*.h dom0-tools/*/*.h abi/*.h tests/dom0/*.h \
                 backend-drivers/include/*.h backend-drivers/dm/*.h)
LIBVIREO_O  := $(patsubst dom0-tools/libvireo/%.c,$(OUT)/dom0/libvireo/%.o,\
                 $(wildcard dom0-tools/libvireo/*.c)) \
               $(patsubst %.c,$(OUT)/dom0/libfdt/%.o,$(LIBFDT_C))
$(OUT)/dom0/libvireo/%.o: dom0-tools/libvireo/%.c $(DOM0_HDRS) $(LIBFDT)/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CROSS)gcc $(DOM0_CFLAGS) -c $< -o $@
$(OUT)/dom0/libfdt/%.o: $(LIBFDT)/.stamp
	@mkdir -p $(dir $@)
	@$(CROSS)gcc -O2 -I$(LIBFDT) -c $(LIBFDT)/$*.c -o $@
$(OUT)/dom0/libvireo.a: $(LIBVIREO_O)
	@rm -f $@
	@$(CROSS)ar rcs $@ $^

# Each listed directory under dom0-tools/ is one program.
DOM0_PROGS := vl vireod
DOM0_BINS  := $(addprefix $(OUT)/dom0/,$(sort $(DOM0_PROGS)))
.SECONDEXPANSION:
$(DOM0_BINS): $(OUT)/dom0/%: $$(wildcard dom0-tools/%/*.c) $(DOM0_HDRS) $(OUT)/dom0/libvireo.a
	@echo "  LD      $@"
	@$(CROSS)gcc $(DOM0_CFLAGS) -static -o $@ $(filter %.c,$^) $(OUT)/dom0/libvireo.a

# vireo-dm, the device model: the virtio transport, queues and devices of
# backend-drivers/ around the ioreq loop of backend-drivers/dm/.
BACKEND_SRCS := $(wildcard backend-drivers/*.c backend-drivers/dm/*.c)
$(OUT)/dom0/vireo-dm: $(BACKEND_SRCS) $(DOM0_HDRS) $(OUT)/dom0/libvireo.a
	@echo "  LD      $@"
	@$(CROSS)gcc $(DOM0_CFLAGS) -pthread -static -o $@ $(BACKEND_SRCS) $(OUT)/dom0/libvireo.a
DOM0_BINS += $(OUT)/dom0/vireo-dm

# Test programs that run inside Dom0 (tests/dom0/*.c), one binary each.
DOM0_TESTS := $(patsubst tests/dom0/%.c,$(OUT)/dom0/tests/%,$(wildcard tests/dom0/*.c))
$(OUT)/dom0/tests/%: tests/dom0/%.c $(DOM0_HDRS) $(OUT)/dom0/libvireo.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CROSS)gcc $(DOM0_CFLAGS) -pthread -static -o $@ $< $(OUT)/dom0/libvireo.a

# Test programs that run inside a Linux DomU (tests/domu/*.c, built below).
DOMU_TESTS := $(patsubst tests/domu/%.c,$(OUT)/domu/tests/%,$(wildcard tests/domu/*.c))

# What Dom0's initramfs carries besides busybox: the tools, the example
# configs as /etc/vireo/, and a DomU kernel and initramfs for them.
DOMU_INITRAMFS := $(OUT)/domu-initramfs.cpio.gz
INITRAMFS_EXTRA := $(foreach b,$(DOM0_BINS),$(b):/usr/sbin/) guests:/etc/vireo \
                   $(foreach t,$(DOM0_TESTS),$(t):/usr/lib/vireo-tests/) \
                   $(foreach t,$(DOMU_TESTS),$(t):/usr/lib/vireo-tests/) \
                   $(OUT)/Image:/usr/share/vireo/Image \
                   $(OUT)/Image-6.12:/usr/share/vireo/Image-6.12 \
                   $(DOMU_INITRAMFS):/usr/share/vireo/domu-initramfs.cpio.gz \
                   $(EXTRA_INITRAMFS)
INITRAMFS_DEPS  := $(DOM0_BINS) $(DOM0_TESTS) $(DOMU_TESTS) $(wildcard guests/*) $(OUT)/Image \
                   $(OUT)/Image-6.12 $(DOMU_INITRAMFS)
# The guest agent runs inside DomUs.
$(OUT)/domu/vireo-agent: $(wildcard dom0-tools/vireo-agent/*.c) $(DOM0_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CROSS)gcc $(DOM0_CFLAGS) -static -o $@ $(filter %.c,$^)
# Test programs that run inside a Linux DomU (tests/domu/*.c); Dom0 and the
# bare-host boot carry them too, for the benchmarks' other sides.
$(OUT)/domu/tests/%: tests/domu/%.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CROSS)gcc $(DOM0_CFLAGS) -pthread -static -o $@ $<
$(DOMU_INITRAMFS): $(OUT)/busybox $(OUT)/domu/vireo-agent $(DOMU_TESTS) $(OUT)/modules/hostile.ko \
                  $(OUT)/modules/evtchn_pp.ko $(OUT)/modules/ioreq_probe.ko \
                  $(OUT)/modules/vireo.ko $(OUT)/modules/sbi_null.ko \
                  $(wildcard build/domu/*) build/initramfs.sh build/common.sh
	INITRAMFS_NAME=domu INITRAMFS_EXTRA="$(OUT)/domu/vireo-agent:/usr/sbin/ \
		$(foreach t,$(DOMU_TESTS),$(t):/usr/lib/vireo-tests/) \
		$(OUT)/modules/hostile.ko:/lib/modules-vireo-tests/ \
		$(OUT)/modules/evtchn_pp.ko:/lib/modules-vireo-tests/ \
		$(OUT)/modules/ioreq_probe.ko:/lib/modules-vireo-tests/ \
		$(OUT)/modules/sbi_null.ko:/lib/modules-vireo-tests/ \
		$(OUT)/modules/vireo.ko:/lib/modules-vireo-tests/" ./build/initramfs.sh

# Freestanding test guests (tests/guests/lib is their harness): one Image
# each, booted as a DomU's kernel from Dom0's /usr/lib/vireo-tests/.
GUEST_PROGS := burst fuzz probe sbi
GUEST_LIB   := tests/guests/lib/head.S tests/guests/lib/lib.c
GUEST_IMAGES := $(patsubst %,$(OUT)/guests/%.Image,$(GUEST_PROGS))
GUEST_CFLAGS = $(KARCH) -O2 -g -ffreestanding -fno-builtin -nostdinc -nostdlib \
               -isystem $(KCC_INCLUDE) -fno-stack-protector -fno-pic -static \
               -Wall -Wextra -Werror -Wno-unused-parameter -std=gnu11 \
               -Itests/guests/lib -Iabi
$(OUT)/guests/%.Image: tests/guests/%/*.c $(GUEST_LIB) $(wildcard tests/guests/lib/*.h) \
                       tests/guests/lib/guest.ld abi/vireo_abi.h $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	@$(CROSS)gcc $(GUEST_CFLAGS) -Wl,-T,tests/guests/lib/guest.ld -Wl,--no-relax \
		-Wl,--no-warn-rwx-segments -Wl,--build-id=none -o $(OUT)/guests/$*.elf $(GUEST_LIB) $(filter tests/guests/$*/%.c,$^) $(KLIBGCC)
	@$(CROSS)objcopy -O binary $(OUT)/guests/$*.elf $@
INITRAMFS_EXTRA += $(foreach g,$(GUEST_IMAGES),$(g):/usr/lib/vireo-tests/)
INITRAMFS_DEPS  += $(GUEST_IMAGES)

include build/images.mk

# ------------------------------------------------------------- hypervisor
KSRC_C := $(wildcard kernel/core/*.c kernel/arch/riscv/*.c kernel/arch/riscv/sbi/*.c)
KSRC_S := $(wildcard kernel/arch/riscv/*.S)
KHDRS  := $(wildcard kernel/core/inc/*.h kernel/core/inc/libc/*.h kernel/arch/riscv/inc/arch/*.h abi/*.h)
KOBJ   := $(patsubst %.c,$(OUT)/k/%.o,$(KSRC_C)) \
          $(patsubst %.S,$(OUT)/k/%.o,$(KSRC_S)) \
          $(patsubst %.c,$(OUT)/k/libfdt/%.o,$(LIBFDT_C))

KINC   := -Ikernel/core/inc -Ikernel/arch/riscv/inc -Ikernel/core/inc/libc -Iabi -I$(LIBFDT)
# No F/D: hypervisor C code must never touch the guest's FP registers.
KARCH  := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
# Recursive (=), not :=, on purpose: the cross compiler is asked for its
# include directory and libgcc only when a recipe runs, after $(DEPS_STAMP)
# has installed it. Evaluated at parse time on a fresh machine, the $(shell)
# came back empty and -isystem swallowed the next flag (tests/host/test_deps.py
# keeps this true).
KCC_INCLUDE = $(shell $(CROSS)gcc -print-file-name=include)
KLIBGCC     = $(shell $(CROSS)gcc $(KARCH) -print-libgcc-file-name)
KCFLAGS = $(KARCH) -O2 -g -ffreestanding -fno-builtin -nostdinc \
           -isystem $(KCC_INCLUDE) \
           -fno-stack-protector -fno-pic -fno-common -fomit-frame-pointer \
           -Wall -Wextra -Werror -Wno-unused-parameter -std=gnu11 $(KINC)
KASFLAGS = $(KCFLAGS) -march=rv64imafdc_zicsr_zifencei -D__ASSEMBLY__

$(OUT)/k/%.o: %.c $(KHDRS) $(LIBFDT)/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CROSS)gcc $(KCFLAGS) -c $< -o $@
$(OUT)/k/%.o: %.S $(KHDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CROSS)gcc $(KASFLAGS) -c $< -o $@
$(OUT)/k/libfdt/%.o: $(LIBFDT)/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      libfdt/$*.c"
	@$(CROSS)gcc $(KCFLAGS) -Wno-sign-compare -c $(LIBFDT)/$*.c -o $@

$(OUT)/vireo.elf: $(KOBJ) kernel/arch/riscv/vireo.ld
	@echo "  LD      $@"
	@$(CROSS)ld --no-warn-rwx-segments -T kernel/arch/riscv/vireo.ld -nostdlib --no-relax -o $@ $(KOBJ) \
		$(KLIBGCC)
$(OUT)/vireo.bin: $(OUT)/vireo.elf
	$(CROSS)objcopy -O binary $< $@
kernel: $(OUT)/vireo.bin

# --------------------------------------------------------------- unit tests
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(UNIT_SRCS))
HOST_LIBFDT_OBJ := $(patsubst %.c,$(OUT)/unit/libfdt/%.o,$(LIBFDT_C))
UNIT_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter \
               -Wno-unused-function -std=gnu11 \
               -Itests/unit -iquote kernel/core/inc -I kernel/arch/riscv/inc -Iabi -I$(LIBFDT) \
               -Idom0-tools/include -Ibackend-drivers/include
DOM0_TOOLS_DEPS := $(wildcard dom0-tools/libvireo/*.c dom0-tools/libvireo/*.h dom0-tools/include/*.h \
                   dom0-tools/vl/*.[ch] dom0-tools/vireod/*.[ch] dom0-tools/vireo-agent/*.[ch] \
                   backend-drivers/*.c backend-drivers/include/*.h)

$(OUT)/unit/libfdt/%.o: $(LIBFDT)/.stamp
	@mkdir -p $(dir $@)
	@$(HOSTCC) $(UNIT_CFLAGS) -Wno-sign-compare -c $(LIBFDT)/$*.c -o $@
$(OUT)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(KSRC_C) $(KHDRS) $(HOST_LIBFDT_OBJ) \
               $(DOM0_TOOLS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(UNIT_CFLAGS) $< $(HOST_LIBFDT_OBJ) -o $@
.SECONDARY: $(HOST_LIBFDT_OBJ)
unit: $(UNIT_BINS)

# Every abi/ header must compile alone as C99 for both sides, and as C++
# (as Xen checks its public headers).
abi-check: $(DEPS_STAMP)
	@for h in abi/*.h; do \
		[ -e "$$h" ] || continue; \
		echo "#include \"$$h\"" | $(HOSTCC) -std=c99 -Wall -Wextra -Werror -pedantic -x c -fsyntax-only -I. - || exit 1; \
		echo "#include \"$$h\"" | g++ -std=c++11 -Wall -Wextra -Werror -pedantic -x c++ -fsyntax-only -I. - || exit 1; \
	done

# ------------------------------------------------------------ entry points
images: $(OUT)/vireo.bin $(OUT)/Image $(DOM0_INITRAMFS) $(DOM0_DISK)

run: images
	./build/qemu.sh --disk $(DOM0_DISK)

test: images unit core-host
	$(PYTHON) tests/run.py

bench: images
	$(PYTHON) tests/bench/run.py

# Under an hour, outside make test: 10^6 fuzzed calls, 1000 create/destroy
# cycles with free pages and heap checked at the end.
soak: images unit
	VIREO_FUZZ_CALLS=1000000 $(PYTHON) tests/run.py integration/test_fuzz
	$(PYTHON) tests/soak/soak_cycles.py
	$(PYTHON) tests/soak/soak_boots.py

# kernel/core must not know the architecture: compile it for the host
# against a model arch (tests/unit/host-arch/inc/arch/) that offers only
# what the core may use. main.c (boot), console.c (the UART) and dom0.c (the
# host PLIC) are the arch-facing glue and stay out.
CORE_HOST_SRCS := $(filter-out kernel/core/main.c kernel/core/console.c kernel/core/dom0.c, \
                  $(wildcard kernel/core/*.c))
core-host: $(LIBFDT)/.stamp
	@for f in $(CORE_HOST_SRCS); do \
		$(HOSTCC) -c -o /dev/null -std=gnu11 -ffreestanding -Wall -Wextra -Werror \
			-Wno-unused-parameter -Ikernel/core/inc -Iabi -Itests/unit/host-arch/inc \
			-Ikernel/core/inc/libc -I$(LIBFDT) $$f || exit 1; \
	done
	@echo "core-host: kernel/core compiles without RISC-V headers"

# Static analysis and host-compiler warnings; run before every commit.
CHECK_SRCS := $(KSRC_C)
check: $(LIBFDT)/.stamp core-host
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,portability \
		--inline-suppr --suppress=missingIncludeSystem --std=c11 \
		-Ikernel/core/inc -Ikernel/arch/riscv/inc -Iabi $(CHECK_SRCS)
	@for f in $(CHECK_SRCS); do \
		clang -fsyntax-only -Wall -Wextra -Werror -Wno-unused-parameter \
			-std=gnu11 -ffreestanding -Wno-unknown-pragmas -Ikernel/core/inc -Iabi \
			-Ikernel/arch/riscv/inc -Ikernel/core/inc/libc -I$(LIBFDT) \
			--target=riscv64-unknown-elf -march=rv64imac $$f || exit 1; \
	done
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem --std=c11 \
		-Ibackend-drivers/include -Idom0-tools/include -Iabi \
		backend-drivers/*.c backend-drivers/dm/*.c dom0-tools/libvireo/*.c \
		dom0-tools/vireod/*.c dom0-tools/vl/*.c dom0-tools/vireo-agent/*.c
	@for f in backend-drivers/*.c backend-drivers/dm/*.c; do \
		clang -fsyntax-only -Wall -Wextra -Werror -std=gnu11 \
			-Ibackend-drivers/include -Idom0-tools/include -Iabi $$f || exit 1; \
	done
	@echo "check: cppcheck and clang -Werror clean"

clean:
	rm -rf $(OUT)
