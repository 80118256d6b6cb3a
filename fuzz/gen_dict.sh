#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# gen_dict.sh: write fuzz/TARGET.dict, the libFuzzer/AFL++ dictionary of one
# target, from the step lines below: each token is the binary form of one
# meaningful step (input/FORMAT.md), made by `sockfuzz compile`, so the tokens
# follow the format's pools. Two literal tokens reach addresses outside them.
# For fuzz_text (the text form) the tokens are the words of the same lines,
# each key= on its own too, and the headers. `make dict` runs it; make
# test-corpus fails when a committed .dict differs from what it writes.
#
# Usage: fuzz/gen_dict.sh SOCKFUZZ TARGET   (prints the dictionary)
set -euo pipefail

cli=$1 target=$2
level=${target#fuzz_}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name|step, in the text form. The raw target takes the lifecycle ones too.
lifecycle_steps() {
	cat <<'EOF'
enrol_v4|enrol 127.0.0.5
enrol_v6|enrol fd00:5f::5
enrol_v4mapped|enrol ::ffff:127.0.0.5
unenrol_v4|unenrol 127.0.0.5
unenrol_v6|unenrol fd00:5f::5
listen_v4|listen slot=0 on=127.0.0.9:8080
listen_v6|listen slot=0 on=[fd00:5f::9]:8080
listen_any6|listen slot=0 on=[::]:8080
connect_v4|connect slot=1 from=127.0.0.5:40000 to=127.0.0.9:8080
connect_v6|connect slot=1 from=[fd00:5f::5]:40000 to=[fd00:5f::9]:8080
connect_v4mapped|connect slot=1 from=[::ffff:127.0.0.5]:40000 to=[::ffff:127.0.0.9]:8080
connect_waypoint|connect slot=1 from=127.0.0.5:40000 to=127.0.0.9:8080 waypoint
connect_node|connect slot=3 from=127.0.0.100:40001 to=127.0.0.9:8080
connect_control_v4|connect slot=4 from=127.0.0.5:40002 to=0.0.0.2:929
connect_control_v6|connect slot=4 from=[fd00:5f::5]:40002 to=[::2]:930
connect_control_v4mapped|connect slot=4 from=[::ffff:127.0.0.5]:40002 to=[::ffff:0.0.0.2]:929
accept|accept slot=2 listener=0
send|send slot=1 bytes=1460
close_client|close slot=1
close_server|close slot=2
reset_server|reset slot=2
waypoint_on|waypoint slot=1 on
monitoring_off|monitoring off
monitoring_on|monitoring on
node_ip_v4|node_ip 127.0.0.100
node_ip_v6|node_ip fd00:5f::100
pod_gateway_v4|pod_gateway 127.0.0.101
auth_allow|auth_answer allow
auth_deny|auth_answer deny
xdp_deny|xdp_verdict slot=2 deny
clock_1s|clock 1s
connect_control_near_byte|connect slot=4 from=127.0.0.5:40002 to=0.0.1.2:929
connect_control_near_port|connect slot=4 from=127.0.0.5:40002 to=0.0.0.2:931
connect_control_v6_near_word|connect slot=4 from=[fd00:5f::5]:40002 to=[::1:0:0:2]:929
node_ip_low_word_twin|node_ip ::127.0.0.101
pod_gateway_near_byte|pod_gateway 127.0.1.101
manage_unmanaged|manage 127.0.0.9 value=1
manage_managed_v6|manage fd00:5f::9 value=0
fill_manage|fill free=0
fill_auth_res_but_one|fill auth_res free=1
EOF
}

raw_steps() {
	cat <<'EOF'
raw_control_v4|raw slot=0 op=tcp_connect family=inet local=127.0.0.5:40000 remote=0.0.0.2:929 args=0,0,0,0 state=syn_sent
raw_control_v6|raw slot=0 op=tcp_connect family=inet6 local=[fd00:5f::5]:40000 remote=[::2]:929 args=0,0,0,0 state=syn_sent
raw_control_v4mapped|raw slot=0 op=tcp_connect family=inet6 local=[::ffff:127.0.0.5]:40000 remote=[::ffff:0.0.0.2]:929 args=0,0,0,0 state=syn_sent
raw_active_v4|raw slot=1 op=active_established family=inet local=127.0.0.5:40000 remote=127.0.0.9:8080 args=0,0,0,0 state=established
raw_passive_v4|raw slot=2 op=passive_established family=inet local=127.0.0.5:8080 remote=127.0.0.6:40000 args=0,0,0,0 state=established
raw_passive_v6|raw slot=2 op=passive_established family=inet6 local=[fd00:5f::5]:8080 remote=[fd00:5f::6]:40000 args=0,0,0,0 state=established
raw_passive_v4mapped|raw slot=2 op=passive_established family=inet6 local=[::ffff:127.0.0.5]:8080 remote=[::ffff:127.0.0.6]:40000 args=0,0,0,0 state=established
raw_passive_reqsock|raw slot=2 op=passive_established family=inet local=127.0.0.5:8080 remote=127.0.0.6:40000 args=0,0,0,0 state=established reqsock
raw_close_v4|raw slot=2 op=state family=inet local=127.0.0.5:8080 remote=127.0.0.6:40000 args=1,7,0,0 state=close
raw_close_v6|raw slot=2 op=state family=inet6 local=[fd00:5f::5]:8080 remote=[fd00:5f::6]:40000 args=1,7,0,0 state=close
raw_close_notcp|raw slot=2 op=state family=inet local=127.0.0.5:8080 remote=127.0.0.6:40000 args=1,7,0,0 state=close notcp
raw_family_unix|raw slot=0 op=passive_established family=unix local=127.0.0.5:8080 remote=127.0.0.6:40000 args=0,0,0,0 state=established
EOF
}

# The bytes of STEP alone: compiled between the default header (6 bytes:
# version, level, monitoring, node_ip, pod_gateway, end of faults) and a
# sentinel step "monitoring 2" (2 bytes) that keeps the step's trailing zeros.
token() {
	printf 'sockfuzz-trace v1 %s\nglobals monitoring=on node_ip=none pod_gateway=none\n%s\nmonitoring 2\n' \
		"$level" "$1" >"$tmp/t.trace"
	"$cli" compile "$tmp/t.trace" -o "$tmp/t.bin"
	local n
	n=$(stat -c %s "$tmp/t.bin")
	head -c $((n - 2)) "$tmp/t.bin" | tail -c +7 | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g'
}

# Lines only the text target needs words from (the binary tokens cover them).
text_steps() {
	cat <<'EOF'
header_lifecycle|sockfuzz-trace v1 lifecycle
header_raw|sockfuzz-trace v1 raw
globals|globals monitoring=off node_ip=127.0.0.100 pod_gateway=none
fault|fault bpf_ringbuf_reserve nth=0
tcp|tcp slot=1 srtt=100 rtt_min=50 retrans=0 lost=0 received=1460 acked=1460
release|release slot=1
EOF
}

if [ "$target" = fuzz_text ]; then
	echo "# $target.dict: generated by fuzz/gen_dict.sh from the text form; do not edit."
	echo "# The words of whole lines (input/FORMAT.md), each key= too, and the headers."
	{
		text_steps
		lifecycle_steps
		raw_steps
	} | cut -d'|' -f2- | tr ' ' '\n' | sed 's/^\([a-z_]*=\).\{1,\}/\1\n&/' |
		grep -v '^$' | awk '!seen[$0]++' | sed 's/.*/"&"/'
	text_steps | sed -n 's/^header_[a-z]*|\(.*\)/"\1"/p'
	exit 0
fi

echo "# $target.dict: generated by fuzz/gen_dict.sh from the binary form; do not edit."
echo "# Each token is one whole step (input/FORMAT.md), or an escaped literal."
{
	lifecycle_steps
	if [ "$level" = raw ]; then
		raw_steps
	fi
} | while IFS='|' read -r name step; do
	echo "# $step"
	echo "$name=\"$(token "$step")\""
done
cat <<'EOF'
# Literal addresses (the escape byte 0xf0, then 16 bytes) outside the pool:
# IPv6 addresses whose last word is a pool IPv4 address (SPEC §3, mutant (b)).
lit_v6_last_word_node="\xf0\xfd\x00\x00\x5f\x00\x00\x00\x00\x00\x00\x00\x00\x7f\x00\x00\x64"
lit_v6_last_word_pod="\xf0\xfd\x00\x00\x5f\x00\x00\x00\x00\x00\x00\x00\x00\x7f\x00\x00\x05"
EOF
