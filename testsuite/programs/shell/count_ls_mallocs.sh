#!/bin/sh
# Runs /bin/ls (the test's -c command) with the kernel's own uprobe on
# libc's malloc enabled through tracefs for that process only, and prints
# how many calls the kernel counted, so the test compares utap's count with
# the kernel's in the same run. malloc's offset comes from libc's dynamic
# symbols, so a new libc build changes nothing.
set -eu
libc=$(ldd /bin/ls | sed -n 's/.*libc.so.6 => \([^ ]*\).*/\1/p')
tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || mount -t tracefs nodev "$tracing"
address=0x$(nm -D "$libc" | awk '$3 ~ /^malloc(@|$)/ { print $1; exit }')
# The link-time address to a file offset, through the PT_LOAD segments.
offset=$(readelf -lW "$libc" | while read -r type off va pa filesz rest; do
	[ "$type" = LOAD ] || continue
	if [ $((address)) -ge $((va)) ] && [ $((address)) -lt $((va + filesz)) ]; then
		printf '0x%x\n' $((address - va + off))
		break
	fi
done)
echo "p:utap_ls_malloc $libc:$offset" >> "$tracing/uprobe_events"
fifo=$(mktemp -u)
mkfifo "$fifo"
# ls starts only once the kernel counts for its PID alone, and only once it
# is ls: the shell that execs it calls malloc too.
(read go < "$fifo"; exec /bin/ls / > /dev/null) &
echo "common_pid == $! && comm == \"ls\"" > "$tracing/events/uprobes/utap_ls_malloc/filter"
echo 1 > "$tracing/events/uprobes/utap_ls_malloc/enable"
echo go > "$fifo"
wait
echo 0 > "$tracing/events/uprobes/utap_ls_malloc/enable"
rm -f "$fifo"
echo "kernel counted $(grep -c 'utap_ls_malloc:' "$tracing/trace")"
echo '-:utap_ls_malloc' >> "$tracing/uprobe_events"
