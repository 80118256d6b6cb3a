# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# record.mk: the recording build of the program under test for the kernel
# (bpf/record/: core/, or the program make PROG= names), and a kern_ library
# that loads it instead of the production object.
#
# record.bpf.c includes the program unmodified, with the program's own flags
# (core/'s: ours), and renames its sockops entry, whose name mapgen --entry
# reads from the program's own object (one source: host_prog.name is the
# same read). The skeleton is generated with `name sockops`, so
# bpf/kernel/prog.c builds against it unchanged; only prog.o differs from
# $(KERN_LIB).

REC_DIR := $(BUILD)/record
REC_OBJ := $(REC_DIR)/record.bpf.o
REC_SKEL := $(REC_DIR)/sockops.skel.h
REC_KERN_LIB := $(REC_DIR)/libkern-record.a
REC_PROG_OBJ := $(BUILD)/bpf/$(PROG_NAME).bpf.o
# The program as record.bpf.c includes it: relative to bpf/record/.
REC_PROG_PATH := $(if $(filter /%,$(PROG)),$(PROG),../../$(PROG))
REC_FLAGS := $(if $(PROG_IS_CORE),$(BPF_CFLAGS),$(PROG_BPF_CFLAGS))
REC_PROG_DEPS := $(if $(PROG_IS_CORE),$(CORE_SRCS),$(PROG) $(wildcard $(PROG_DIR)/*.h) $(PROG_ID))

$(REC_DIR):
	$(Q)mkdir -p $@

$(REC_OBJ): bpf/record/record.bpf.c bpf/record/record.h bpf/record/record.mk $(REC_PROG_DEPS) \
		$(REC_PROG_OBJ) $(BUILD)/tools/mapgen Makefile $(DEPS_STAMP) | $(REC_DIR)
	$(call msg,BPF,$@)
	$(Q)entry=$$($(BUILD)/tools/mapgen --entry $(REC_PROG_OBJ)) && \
	$(BPF_CLANG) $(REC_FLAGS) '-DKM_REC_PROG="$(REC_PROG_PATH)"' \
		"-D$$entry=__attribute__((always_inline)) static $${entry}_production" \
		"-DKM_REC_PRODUCTION=$${entry}_production" -c $< -o $@

$(REC_SKEL): $(REC_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sockops > $@

$(REC_DIR)/prog.o: bpf/kernel/prog.c $(REC_SKEL) bpf/record/record.mk Makefile | $(REC_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(subst -I$(KERN_SKEL_DIR),-I$(REC_DIR),$(KERN_CFLAGS)) -c $< -o $@

$(REC_KERN_LIB): $(filter-out $(KERN_DIR)/prog.o,$(KERN_OBJS)) $(REC_DIR)/prog.o
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
