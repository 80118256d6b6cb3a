#!/bin/bash -eu
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# build.sh: the build of sockfuzz's fuzz targets on OSS-Fuzz and
# ClusterFuzzLite (.clusterfuzzlite/build.sh runs this file). The builder
# sets SRC, OUT, WORK, CC, CXX, CFLAGS, CXXFLAGS and LIB_FUZZING_ENGINE; `make
# oss-fuzz` compiles with $CC $CFLAGS only, links each target with $CXX
# $CXXFLAGS $LIB_FUZZING_ENGINE and puts it into $OUT with its .options, .dict
# and seed corpus zip. The BPF object, from which the native program is
# generated, is built with BPF_CLANG (the distribution's clang, which the
# Dockerfile installs), never with $CC. Nothing is installed here
# (SOCKFUZZ_NO_DEPS=1: a missing package stops the build with one line), and
# nothing needs root, a kernel or the network; intermediate files go to $WORK.
cd "$SRC/sockfuzz"
make -j"$(nproc)" SOCKFUZZ_NO_DEPS=1 BUILD="$WORK/sockfuzz" OUT="$OUT" oss-fuzz
