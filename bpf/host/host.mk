# bpf/host: the native runtime. Its sources join every flavour's library.
HOST_SRCS := $(wildcard bpf/host/*.c)
LIB_SRCS += $(HOST_SRCS)
