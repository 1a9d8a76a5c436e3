#!/bin/sh
# gdb_count.sh BREAKPOINT [SEMAPHORE] -- PROGRAM ARG...
# gdb_count.sh --sdt MARKER -- PROGRAM ARG...
#
# Runs PROGRAM under gdb (ptrace: no uprobe, nothing patched in the kernel)
# with a breakpoint at BREAKPOINT (a gdb location: a function, or *ADDRESS)
# and prints "gdb counted N", the number of times it was hit: the
# reference the process-probe tests compare utap's counts with. SEMAPHORE,
# when given, is the address of an SDT semaphore (a non-PIE program's) that
# is raised at the first instruction, as a tracer's probe raises it; with
# --sdt, both come from the program's note of that SDT marker. The
# program's own output is discarded. Run it before a module probes the same
# program: a uprobe at the same address would take gdb's traps.
set -eu
semaphore=
if [ "$1" = --sdt ]; then
	program=$4
	if ! readelf -h "$program" | grep -q 'Type: *EXEC'; then
		echo "gdb_count.sh: --sdt needs a program that is not PIE: $program" >&2
		exit 1
	fi
	note=$(readelf -n "$program" | grep -A2 "Name: $2\$" | grep Location)
	breakpoint="*$(echo "$note" | sed 's/.*Location: \(0x[0-9a-f]*\),.*/\1/')"
	semaphore=$(echo "$note" | sed -n 's/.*Semaphore: \(0x[0-9a-f]*\).*/\1/p')
	[ "$semaphore" = 0x0000000000000000 ] && semaphore=
	shift 3
else
	breakpoint=$1
	shift
	if [ "$1" != -- ]; then
		semaphore=$1
		shift
	fi
	shift
fi
script=$(mktemp)
log=$(mktemp)
{
	echo "set pagination off"
	echo "set confirm off"
	echo "set breakpoint pending on"
	echo "set startup-with-shell off"
	echo "set debug-file-directory /nonexistent"
	echo "unset environment LINES"
	echo "unset environment COLUMNS"
	echo "tty /dev/null"
	echo "starti"
	if [ -n "$semaphore" ]; then
		echo "set var *(unsigned short *)$semaphore = *(unsigned short *)$semaphore + 1"
	fi
	echo "set \$hits = 0"
	echo "break $breakpoint"
	echo "commands"
	echo "silent"
	echo "set \$hits = \$hits + 1"
	echo "continue"
	echo "end"
	echo "continue"
	printf '%s\n' 'printf "gdb counted %d\n", $hits'
} > "$script"
gdb -nx -batch -x "$script" --args "$@" > "$log" 2>&1 < /dev/null || true
grep '^gdb counted ' "$log" || { echo "gdb_count.sh: gdb failed:" >&2; cat "$log" >&2; }
rm -f "$script" "$log"
