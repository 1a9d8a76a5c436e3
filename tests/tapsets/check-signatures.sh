#!/bin/bash
# check-signatures.sh — compare the signature of every public function in
# utap's tapsets with SystemTap's.
#
# For each public function (each overload), utap's -p1 printer gives
# "name:type(params)"; the function is then called from a stap script with
# dummy arguments of the declared types (-g: some need guru mode), and
# stap -p2 prints its own
# "name:type (params)" under "# functions". Functions that return nothing are
# "unknown" to stap. Prints one line per mismatch and a summary; exits 1 when
# any signature differs.
#
# Usage: check-signatures.sh [KERNEL-RELEASE]   (stap needs that kernel's
#        headers for -p2; default: the first kernel `utap-guest --list-kernels`
#        gives, the newest installed build of the oldest series)
# Environment: UTAP (the utap binary), UTAP_GUEST (utap-guest), TAPSETS (the
# directory to check).

here=$(cd "$(dirname "$0")" && pwd)
UTAP=${UTAP:-$here/../../build/utap}
UTAP_GUEST=${UTAP_GUEST:-$here/../../build/utap-guest}
TAPSETS=${TAPSETS:-$here/../../tapsets}
KVER=${1:-$("$UTAP_GUEST" --list-kernels | awk '$2 != "-" { print $2; exit }')}
if [ -z "$KVER" ]; then
  echo "check-signatures.sh: no installed kernel has headers (see $UTAP_GUEST --list-kernels); name one" >&2
  exit 2
fi

sigs=$(mktemp)
trap 'rm -f "$sigs"' EXIT
for f in "$TAPSETS"/*.stp; do
  "$UTAP" -g -p1 "$f" | grep -E '^function ' |
    sed -E 's/^function ([A-Za-z_0-9]+)(:[a-z]+)?\(([^)]*)\).*/\1\2 (\3)/' |
    awk -v file="$(basename "$f")" '{ if ($1 !~ /:/) sub(/ /, ":unknown ", $0); print file "\t" $0 }' >> "$sigs"
done

# Both dumps once; from_dump DUMP NAME ARITY prints NAME's line of that
# arity without its privilege comment.
stap_dump=$(stap -r "$KVER" --dump-functions 2>/dev/null)
utap_dump=$("$UTAP" --dump-functions 2>/dev/null)
from_dump() {
  grep -E "^$2:" <<<"$1" | sed 's| /\*.*||' |
    awk -v n="$3" '{ p = $0; sub(/^[^(]*\(/, "", p); sub(/\)$/, "", p);
                     if ((p == "" ? 0 : split(p, x, ",")) == n) print $0 }' | head -1
}

total=0 same=0 differ=0
while IFS=$'\t' read -r file sig; do
  total=$((total + 1))
  name=${sig%%:*}
  rtype=$(sed -E 's/^[^:]*:([a-z]+) .*/\1/' <<<"$sig")
  params=$(sed -E 's/^[^(]*\((.*)\)$/\1/' <<<"$sig")
  args="" arity=0
  if [ -n "$params" ]; then
    IFS=',' read -ra ps <<<"$params"
    for p in "${ps[@]}"; do
      [ "${p##*:}" = string ] && a='"x"' || a=1
      args="${args:+$args, }$a"
      arity=$((arity + 1))
    done
  fi
  # Use the value: stap drops calls of pure functions whose value is unused.
  if [ "$rtype" = unknown ]; then call="$name($args)"; else call="println($name($args))"; fi
  theirs=$(stap -g -p2 -r "$KVER" -e "probe begin { $call }" 2>/dev/null |
    sed -n '/^# functions/,/^# probes/p' | grep -E "^$name:" |
    awk -v n="$arity" '{ p = $0; sub(/^[^(]*\(/, "", p); sub(/\)$/, "", p);
                         if ((p == "" ? 0 : split(p, x, ",")) == n) print $0 }' | head -1)
  # utap's own pass 2 must type the call the same way.
  ours=$("$UTAP" -g -p2 -e "probe begin { $call }" 2>/dev/null |
    sed -n '/^# functions/,/^# probes/p' | grep -E "^$name:" |
    awk -v n="$arity" '{ p = $0; sub(/^[^(]*\(/, "", p); sub(/\)$/, "", p);
                         if ((p == "" ? 0 : split(p, x, ",")) == n) print $0 }' | head -1)
  # A call -p2 drops (an empty function such as asmlinkage()), or one
  # stap 4.8 cannot compile alone (its stopwatch and speculation arrays
  # stay untyped): the signature as --dump-functions lists it.
  [ -n "$theirs" ] || theirs=$(from_dump "$stap_dump" "$name" "$arity")
  [ -n "$ours" ] || ours=$(from_dump "$utap_dump" "$name" "$arity")
  if [ "$theirs" = "$sig" ] && [ "$ours" = "$sig" ]; then
    same=$((same + 1))
  else
    echo "DIFFERS $file: declared '$sig', utap -p2 '${ours:-<none>}', stap '${theirs:-<no such function, or other parameter types>}'"
    differ=$((differ + 1))
  fi
done < "$sigs"
echo "$total functions: $same as in stap, $differ different"
[ "$differ" -eq 0 ]
