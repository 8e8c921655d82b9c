# loopt — build. `make` builds ./loopt; `make test` runs the whole suite;
# `make debug` builds an ASan+UBSan binary (./loopt-debug); `make install PREFIX=...` (binary,
# configs, shipped models, man page, bash completion), `make uninstall PREFIX=...`.
CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS    := openblas libcjson

# A missing dependency stops the build with a one-line hint, not a wall of compiler errors.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
PKG_OK := $(shell pkg-config --exists $(PKGS) && test -f /usr/include/stb/stb_image.h && echo yes)
ifneq ($(PKG_OK),yes)
$(error missing dependencies: run `sudo apt-get install -y libopenblas-dev libcjson-dev libstb-dev pkg-config`)
endif
endif

DEPCFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/stb
DEPLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstb -lm
# -fvect-cost-model=dynamic: at -O2 GCC 12 vectorises only loops whose trip count it knows, so
# every element-wise loop over a runtime width (norms, SwiGLU, residual adds) stayed scalar;
# with it they vectorise, bit for bit the same results (ISO C: no FMA contraction), and a
# training step of configs/bench.json takes 8% less time (docs/bench.md).
OPT       ?= -O2 -march=native -fvect-cost-model=dynamic
CFLAGS    += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wno-unused-parameter \
             -fopenmp $(OPT) -Iinclude $(DEPCFLAGS) -MMD -MP
LDFLAGS   += -fopenmp
LDLIBS    += $(DEPLIBS)

SRC      := $(filter-out src/main.c,$(wildcard src/*/*.c))
OBJ      := $(SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
TEST_SRC := $(wildcard tests/test_*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BIN      ?= loopt
TESTBIN  ?= $(BUILD)/run_tests

.PHONY: all test unit debug test-debug install uninstall clean fuzz FORCE
all: $(BIN)

$(BIN): $(MAIN_OBJ) $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Tests also check the engine's private ops (src/nn/ops.h, loss.h, tokenmix.h, vexp.h).
$(TEST_OBJ): CFLAGS += -Isrc/nn

$(TESTBIN): $(TEST_OBJ) $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c Makefile   # Makefile: a changed flag rebuilds everything
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# `loopt version`: the version, the commit and the flags, in a header that is rewritten only
# when one of them changes (so a new commit rebuilds version.o and nothing else).
VERSION    := 0.1.0
COMMIT     := $(shell test -e .git && git describe --always --dirty 2>/dev/null || echo unknown)
BUILD_H    := $(BUILD)/loopt_build.h
$(BUILD_H): FORCE
	@mkdir -p $(BUILD)
	@printf '#define LOOPT_VERSION "%s"\n#define LOOPT_COMMIT "%s"\n#define LOOPT_CFLAGS "%s"\n' \
	    '$(VERSION)' '$(COMMIT)' '$(strip $(filter-out -MMD -MP -I%,$(CFLAGS)))' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/src/cmd/version.o: $(BUILD_H)
$(BUILD)/src/cmd/version.o: CFLAGS += -I$(BUILD)
FORCE:

# The suite: C unit tests then the CLI end-to-end tests, then the numerics-sensitive ones again
# under every OpenBLAS core type the CPU can run; one closing line `N passed, N failed`.
test: $(BIN) $(TESTBIN)
	@LOOPT=./$(BIN) TESTBIN=$(TESTBIN) sh tests/run.sh

unit: $(TESTBIN)
	$(TESTBIN)

debug:
	$(MAKE) BUILD=build-debug BIN=loopt-debug OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	        LDFLAGS="-fopenmp -fsanitize=address,undefined" all

# The core-type sweep (tests/run.sh) is left to `make test`: OpenBLAS is not instrumented.
test-debug:
	CORETYPES=none $(MAKE) BUILD=build-debug BIN=loopt-debug OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	        LDFLAGS="-fopenmp -fsanitize=address,undefined" test

# `make fuzz`: one libFuzzer binary per reader in build-fuzz/ (clang, ASan+UBSan, -DLOOPT_FUZZ
# so that die() jumps back to the target instead of exiting). Run them with scripts/fuzz.sh.
FUZZ_CC      ?= clang
FUZZ_SRC     := $(wildcard src/util/*.c) src/io/config.c src/io/ckpt.c src/io/image.c \
                src/task/sudoku.c src/task/maze.c src/task/task.c
FUZZ_BINS    := $(patsubst %,build-fuzz/fuzz_%,config sudoku maze png ckpt)
FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -DLOOPT_FUZZ -g -O1 -fno-omit-frame-pointer \
                -Wall -Wextra -Wno-unused-parameter -Iinclude $(DEPCFLAGS)
fuzz: $(FUZZ_BINS)

build-fuzz/stb_impl.o: fuzz/stb_impl.c
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -w -fsanitize=fuzzer-no-link,address -c -o $@ $<

# --wrap: fuzz/fuzz_alloc.c tracks the blocks a reader holds, to free them when die() jumps out.
build-fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h fuzz/fuzz_alloc.c build-fuzz/stb_impl.o $(FUZZ_SRC) $(wildcard include/loopt/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	    -o $@ $< fuzz/fuzz_alloc.c $(FUZZ_SRC) build-fuzz/stb_impl.o $(shell pkg-config --libs libcjson) -lm

# The shipped models go where the installed binary looks for them: BINDIR/../share/loopt/models
# (src/task/modelpath.c), so `PREFIX/bin/loopt solve p.txt` works from any folder.
SHARE   = $(DESTDIR)$(PREFIX)/share
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/loopt/models $(SHARE)/man/man1 $(SHARE)/bash-completion/completions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/loopt
	cp -r configs $(SHARE)/loopt/
	install -m 644 data/models/*.safetensors $(SHARE)/loopt/models/
	install -m 644 loopt.1 $(SHARE)/man/man1/loopt.1
	install -m 644 completions/loopt.bash $(SHARE)/bash-completion/completions/loopt

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/loopt $(SHARE)/man/man1/loopt.1 $(SHARE)/bash-completion/completions/loopt
	rm -rf $(SHARE)/loopt

clean:
	rm -rf build build-debug loopt loopt-debug

-include $(OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
