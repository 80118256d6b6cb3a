# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# kernel.mk: bpf/kernel (the kern_ library: the real kernel as an oracle,
# SPEC §10) and its test suite. Included by the top-level Makefile.
#
#   make test-kernel    load core/ into this kernel and run the five seed
#                       scenarios on real TCP sockets in a private netns and
#                       cgroup (root; skips with the reason elsewhere)

KERN_DIR := $(BUILD)/kernel
# The skeleton prog.c embeds. It must be generated with `name sockops`; a
# mutant's skeleton can be put in by pointing KERN_SKEL_DIR (and BUILD) elsewhere.
KERN_SKEL_DIR ?= $(BUILD)/bpf
KERN_SKEL := $(KERN_SKEL_DIR)/sockops.skel.h
KERN_SRCS := $(wildcard bpf/kernel/*.c)
KERN_OBJS := $(patsubst bpf/kernel/%.c,$(KERN_DIR)/%.o,$(KERN_SRCS))
KERN_LIB := $(KERN_DIR)/libkern.a
KERN_TEST := $(KERN_DIR)/test_kernel_scenarios
KERN_CFLAGS = -D_GNU_SOURCE $(CFLAGS) $(BASE_CFLAGS) $(SAN) $(EXTRA_CFLAGS) -Icore -Ibpf/kernel -I$(KERN_SKEL_DIR)
KERN_LDLIBS := $$(pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

$(KERN_DIR):
	$(Q)mkdir -p $@

$(KERN_DIR)/%.o: bpf/kernel/%.c bpf/kernel/kernel.mk Makefile $(DEPS_STAMP) | $(KERN_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(KERN_CFLAGS) -c $< -o $@

# Only prog.c includes the skeleton (it embeds the BPF object).
$(KERN_DIR)/prog.o: $(KERN_SKEL)

$(KERN_LIB): $(KERN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(KERN_DIR)/test_kernel_scenarios.o: tests/kernel/test_kernel_scenarios.c bpf/kernel/kernel.mk \
		Makefile $(DEPS_STAMP) | $(KERN_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(KERN_CFLAGS) -c $< -o $@

$(KERN_TEST): $(KERN_DIR)/test_kernel_scenarios.o $(KERN_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) $^ -o $@ -lcmocka $(KERN_LDLIBS)

# Without root, cgroup v2 or BTF every test skips: one SKIP line with the reason.
test-kernel: $(KERN_TEST)
	$(Q)$(TEST_RUN) --cmocka test_kernel_scenarios -- $(KERN_TEST)

ALL_TARGETS += $(KERN_TEST)
TEST_TARGETS += test-kernel

.PHONY: test-kernel
