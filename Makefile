# mcbox - multicast toolkit in one multi-call binary. See README.md.
# Targets: all check check-vm demo docs deps install install-caps uninstall fuzz bench
#          size layout lint clean. `make STATIC=1` links statically.

PROG      = mcbox
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
CC       ?= cc
CLANG    ?= clang
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Werror
BASEFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -Ilib \
	    -DMCBOX_VERSION='"$(VERSION)"'
SANFLAGS  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
# The shipped binary: C has no exceptions and nothing here unwinds (no
# pthread_cancel), so no unwind tables; every function and object in its
# own section, and the linker drops those no applet reaches.
SLIMFLAGS = -fno-asynchronous-unwind-tables -fno-unwind-tables \
	    -ffunction-sections -fdata-sections
SLIMLINK  = -Wl,--gc-sections $(LINKFLAGS)
# How the shipped binary is laid out (docs/ARCHITECTURE.md §7):
# - the relative relocations of the PIE (one per pointer in a table: 13 kB
#   of .rela.dyn) packed as DT_RELR bitmaps (192 bytes), which ld.so also
#   applies faster (glibc 2.36, binutils 2.38);
# - headers, code and read-only data in one segment, as before binutils
#   2.31, instead of three padded apart to page boundaries: 8 kB less file
#   and two mappings fewer at start, for read-only data that is mapped
#   executable;
# - no .eh_frame_hdr and no unwind entries for the PLT: nothing unwinds;
# - input sections sorted by alignment, which wastes less on padding.
LINKFLAGS = -Wl,-z,pack-relative-relocs -Wl,-z,noseparate-code \
	    -Wl,--no-eh-frame-hdr -Wl,--no-ld-generated-unwind-info \
	    -Wl,--sort-section=alignment

PKGS      = libpcap
ifeq ($(STATIC),1)
# libpcap goes in statically; Debian ships no static libsystemd (which a
# static libdbus would need), so glibc and libdbus stay shared: "static
# where the libraries allow it".
PKG_LIBS := -Wl,-Bstatic -lpcap -Wl,-Bdynamic -ldbus-1
PCAP_DEF := -DMCBOX_PCAP_STATIC
else
# libpcap's headers only: lib/igmp/capture.c loads the library (and its
# dozen dependencies) when igmpquery first captures, not at every start.
PKG_LIBS :=
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(PCAP_DEF)
# No libm: lib/base/fmath.h has the five functions mcbox uses, with one
# instruction for sqrt on x86-64 and arm64 (elsewhere __builtin_sqrt).
LIBM     := $(if $(filter x86_64% aarch64%,$(shell $(CC) -dumpmachine)),,-lm)
LIBS      = $(PKG_LIBS) $(LIBM)

LIB_SRC   = $(sort $(wildcard lib/*/*.c))
APP_SRC   = $(sort $(wildcard applets/*.c))
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
APPLETS   = $(shell sed -n 's/^APPLET(\(.*\))$$/\1/p' applets/applets.def | tr _ -)

N = build/normal
A = build/asan

# Code off the data path (options, formatting, control commands, the
# querier, the route holder) is built for size, with -Oz where the compiler
# has it (GCC 12: 2.4 kB less than -Os): the stripped binary stays under
# 250 kB. The per-datagram work keeps -O2: the SLAM and TFTP client and
# server machines and senders, probe send/receive/statistics, sockets, busy
# polling and the block bitmap.
OSIZE    := $(shell $(CC) -Oz -x c -c /dev/null -o /dev/null 2>/dev/null && \
	      echo -Oz || echo -Os)
SIZE_OBJS = $(addprefix $(N)/,$(APP_SRC:.c=.o) \
	    $(patsubst %.c,%.o,$(wildcard lib/base/*.c lib/mroute/*.c \
	    lib/igmp/*.c lib/mcping/*.c lib/net/mac.c lib/net/macset.c \
	    lib/net/inet.c lib/net/addr.c lib/net/mcast.c lib/net/nft.c \
	    lib/net/udptap.c lib/probe/fmt.c lib/probe/diag.c lib/probe/fw.c \
	    lib/file/progress.c lib/file/rdbuf.c lib/file/outfile.c \
	    lib/tftp/wire.c lib/slam/wire.c lib/net/rate.c lib/slam/serve.c \
	    lib/slam/get.c lib/slam/fmt.c)))
$(SIZE_OBJS): CFLAGS += $(OSIZE)

all: $(PROG)

$(N)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SLIMFLAGS) $(BASEFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
$(A)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) $(BASEFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# Rebuilt whole: rooms may hold files of the same name (slam/wire.o,
# tftp/wire.o), which `ar r` would replace one by the other.
$(N)/libmcbox.a: $(LIB_SRC:%.c=$(N)/%.o)
	@rm -f $@
	$(AR) qcs $@ $^
$(A)/libmcbox.a: $(LIB_SRC:%.c=$(A)/%.o)
	@rm -f $@
	$(AR) qcs $@ $^

$(PROG): $(APP_SRC:%.c=$(N)/%.o) $(N)/libmcbox.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(SLIMLINK) -o $@ $^ $(LIBS)
$(A)/$(PROG): $(APP_SRC:%.c=$(A)/%.o) $(A)/libmcbox.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# C unit tests for the codecs: one binary per tests/unit/test_*.c
$(N)/unit/%: tests/unit/%.c tests/unit/unit.h $(N)/libmcbox.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASEFLAGS) $(PKG_CFLAGS) -o $@ $< $(N)/libmcbox.a $(LIBS)
$(A)/unit/%: tests/unit/%.c tests/unit/unit.h $(A)/libmcbox.a
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) $(BASEFLAGS) $(PKG_CFLAGS) -o $@ $< $(A)/libmcbox.a $(LIBS)
# base/fmath.h is checked against libm itself
$(N)/unit/test_fmath $(A)/unit/test_fmath: LIBS += -lm

# The SLAM firmware-client model for the tests and benchmarks (not
# installed; it shares no code with mcbox).
build/slamfw: tests/slamfw/slamfw.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) -o $@ $<

UNITS  = $(UNIT_SRC:tests/unit/%.c=$(N)/unit/%)
AUNITS = $(UNIT_SRC:tests/unit/%.c=$(A)/unit/%)

# The version is baked into main.o and opt.o: rebuild them when it changes.
build/version: FORCE
	@mkdir -p build
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@
$(N)/applets/main.o $(N)/lib/base/opt.o $(A)/applets/main.o $(A)/lib/base/opt.o: \
		build/version
FORCE:

asan: $(A)/$(PROG)
units: $(UNITS) $(AUNITS)

# The whole suite, on the normal and on the ASan+UBSan build. Ends with
# "N passed, N failed[, N skipped]"; exits non-zero on any failure.
# SANITIZE=0 skips the second pass; TESTS=file.bats runs some suites only.
# An LD_PRELOAD shim that hides the kernel's multicast routing, for
# tests/61-mroute-nokernel.bats on hosts that have it.
$(N)/nomroute.so: tests/helpers/nomroute.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -shared -fPIC -o $@ $< -ldl

check: deps-check $(PROG) asan units $(N)/nomroute.so fuzz-build build/slamfw
	@bash tests/run

# The suites that need a kernel feature, in the guest kernel of tests/vm
# even where the host has the feature.
check-vm: deps-check $(PROG) asan units $(N)/nomroute.so
	@MCB_VM=all TESTS="$$(grep -l '^# kernel:' tests/*.bats | tr '\n' ' ')" \
		bash tests/run

demo: deps-check $(PROG)
	@bash tests/demo.sh

# Generated parts of the man pages and the completions (committed).
docs: $(PROG)
	@sh man/gen.sh ./$(PROG) man
	@sh completions/gen.sh ./$(PROG) completions

# Debian packages to build and test: installed when root, else printed.
deps:
	@sh .ci/deps.sh install
deps-check:
	@sh .ci/deps.sh check || sh .ci/deps.sh install

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	for a in $(APPLETS); do ln -sf $(PROG) $(DESTDIR)$(BINDIR)/$$a; done
	for p in man/*.[18]; do s=$${p##*.}; \
		install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/; done
	install -m 0644 completions/mcbox.bash $(DESTDIR)$(BASHCOMPDIR)/mcbox
	for a in $(APPLETS); do ln -sf mcbox $(DESTDIR)$(BASHCOMPDIR)/$$a; done
	install -m 0644 completions/_mcbox $(DESTDIR)$(ZSHCOMPDIR)/_mcbox
	install -m 0644 completions/mcbox.fish $(DESTDIR)$(FISHCOMPDIR)/mcbox.fish
	for a in $(APPLETS); do ln -sf mcbox.fish $(DESTDIR)$(FISHCOMPDIR)/$$a.fish; done

# File capabilities, permitted only (+p, never +ep): the dispatcher raises
# one only for an applet that declares it. Never setuid.
install-caps: install
	setcap cap_net_raw,cap_net_admin,cap_setuid,cap_setgid+p $(DESTDIR)$(BINDIR)/$(PROG)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG)
	for a in $(APPLETS); do rm -f $(DESTDIR)$(BINDIR)/$$a \
		$(DESTDIR)$(BASHCOMPDIR)/$$a $(DESTDIR)$(FISHCOMPDIR)/$$a.fish; done
	for p in man/*.[18]; do s=$${p##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${p##*/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/mcbox $(DESTDIR)$(ZSHCOMPDIR)/_mcbox \
		$(DESTDIR)$(FISHCOMPDIR)/mcbox.fish

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang: the library
# once with the sanitizers and coverage (fuzzer-no-link), then one binary per
# harness. Any sanitizer report aborts (-fno-sanitize-recover), so libFuzzer
# saves it as a crash. `make fuzz` mutates each harness for FUZZTIME seconds,
# one at a time, and exits non-zero on any finding; `make check` runs every
# harness once over its committed corpus (tests/fuzz/run corpus).
FUZZTIME ?= 30
F = build/fuzz
FUZZCFLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	     -fno-sanitize-recover=all -fno-omit-frame-pointer $(BASEFLAGS) \
	     $(PKG_CFLAGS)
FUZZ_BINS = $(FUZZ_SRC:tests/fuzz/%.c=$(F)/%)
$(F)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZCFLAGS) -MMD -MP -c $< -o $@
$(F)/libmcbox.a: $(LIB_SRC:%.c=$(F)/obj/%.o)
	@rm -f $@
	$(AR) qcs $@ $^
$(F)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(F)/libmcbox.a
	$(CLANG) $(FUZZCFLAGS) -fsanitize=fuzzer -o $@ $< $(F)/libmcbox.a $(LIBS)
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@bash tests/fuzz/run fuzz $(FUZZTIME) $(FUZZ_BINS)

bench: $(PROG) build/slamfw
	@for b in tests/bench/*.sh; do echo "== $$b"; bash $$b || exit 1; done

# The stripped size against the goal (exit 1 when over), then the sections.
size: $(PROG)
	@bash tests/size.sh $(PROG)
	@size $(PROG) $(N)/libmcbox.a | sort -k1 -n -r | head -n 30

# The shape docs/ARCHITECTURE.md describes: a header per lib .c, no
# include circles, sans-I/O modules free of I/O, no printing to stdout in
# lib, applets of 250 lines at most.
layout:
	@bash tests/layout.sh

lint: layout
	shellcheck -S warning -x tests/run tests/fuzz/run tests/demo.sh tests/helpers/*.bash \
		tests/vm/run tests/vm/features tests/vm/guest-init tests/vm/init \
		tests/layout.sh tests/size.sh man/gen.sh completions/gen.sh .ci/run .ci/deps.sh
	bash -n completions/mcbox.bash
	for p in man/*.[18]; do mandoc -Tlint -Wwarning $$p || exit 1; done

clean:
	rm -rf build $(PROG)

.PHONY: FORCE all asan units check check-vm demo docs deps deps-check install install-caps \
	uninstall fuzz fuzz-build bench size layout lint clean

-include $(shell find build -name '*.d' -type f 2>/dev/null)
