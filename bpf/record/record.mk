# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# record.mk: the recording build of core/ for the kernel (bpf/record/), and
# a kern_ library that loads it instead of the production object.
#
# The skeleton is generated with `name sockops`, so bpf/kernel/prog.c builds
# against it unchanged; only prog.o differs from $(KERN_LIB).

REC_DIR := $(BUILD)/record
REC_OBJ := $(REC_DIR)/record.bpf.o
REC_SKEL := $(REC_DIR)/sockops.skel.h
REC_KERN_LIB := $(REC_DIR)/libkern-record.a

$(REC_DIR):
	$(Q)mkdir -p $@

$(REC_OBJ): bpf/record/record.bpf.c bpf/record/record.h $(CORE_SRCS) Makefile $(DEPS_STAMP) | $(REC_DIR)
	$(call msg,BPF,$@)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(REC_SKEL): $(REC_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sockops > $@

$(REC_DIR)/prog.o: bpf/kernel/prog.c $(REC_SKEL) bpf/record/record.mk Makefile | $(REC_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(subst -I$(KERN_SKEL_DIR),-I$(REC_DIR),$(KERN_CFLAGS)) -c $< -o $@

$(REC_KERN_LIB): $(filter-out $(KERN_DIR)/prog.o,$(KERN_OBJS)) $(REC_DIR)/prog.o
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
