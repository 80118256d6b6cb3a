#!/bin/bash -eu
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# ClusterFuzzLite's build is OSS-Fuzz's: one build script, oss-fuzz/build.sh.
exec "$SRC/sockfuzz/oss-fuzz/build.sh"
