#!/bin/sh
# Runs python3.11 on calls.py (the test's -c command) with the kernel's own
# uprobe on the function__entry marker enabled through tracefs, and prints
# how many hits the kernel counted, so the test compares utap's count with
# the kernel's in the same run. The marker's address and semaphore come
# from the ELF note (readelf), so a new python3.11 build changes nothing.
set -eu
python=/usr/bin/python3.11
here=$(dirname "$0")/../python
tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || mount -t tracefs nodev "$tracing"
note=$(readelf -n "$python" | grep -A2 'Name: function__entry$' | grep Location)
location=$(echo "$note" | sed 's/.*Location: \(0x[0-9a-f]*\),.*/\1/')
semaphore=$(echo "$note" | sed 's/.*Semaphore: \(0x[0-9a-f]*\).*/\1/')
# Link-time addresses to file offsets, through the PT_LOAD segments.
offset_of() {
	readelf -lW "$python" | while read -r type off va pa filesz rest; do
		[ "$type" = LOAD ] || continue
		if [ $(($1)) -ge $((va)) ] && [ $(($1)) -lt $((va + filesz)) ]; then
			printf '0x%x\n' $(($1 - va + off))
			break
		fi
	done
}
echo "p:utap_python_entry $python:$(offset_of $location)($(offset_of $semaphore))" >> "$tracing/uprobe_events"
echo 1 > "$tracing/events/uprobes/utap_python_entry/enable"
"$python" -I -S "$here/calls.py"
echo 0 > "$tracing/events/uprobes/utap_python_entry/enable"
echo "kernel counted $(grep -c 'utap_python_entry:' "$tracing/trace")"
echo '-:utap_python_entry' >> "$tracing/uprobe_events"
