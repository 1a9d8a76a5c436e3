#!/bin/bash
# deb_test.sh BUILD_DIR PROGRAMS_DIR — builds the Debian package with cpack,
# checks its control fields, installs it with dpkg into a scratch root and
# runs what it installed from there, from another directory, with no UTAP_*
# variables: --dump-functions, -p4 for the guest's kernel, and one example
# under --vm; then removes it with dpkg and checks nothing is left.
#
# The scratch root's dpkg database starts as a copy of this machine's
# (/var/lib/dpkg/status): dpkg itself then checks the package's declared
# dependencies against the packages installed here, as `dpkg -i` on a
# user's machine does. An install into an empty database must fail on
# them (proof that dpkg checked). The declared dependencies are also
# checked against the libraries the programs really load.
# Nothing here uses the network.
#
# Exit 77 (skipped) when no guest kernel is installed, unless CI=true.
set -euo pipefail
build=$(cd "$1" && pwd)
programs=$(cd "$2" && pwd)
scratch=$build/install-test
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() {
  if [ "${CI:-}" = true ]; then fail "$* (CI=true: a test that cannot run fails)"; fi
  echo "SKIP: $*"; exit 77
}

rm -rf "$scratch"
mkdir -p "$scratch/pkg" "$scratch/root" "$scratch/cwd"

# ---- the package ----
(cd "$build" && cpack -G DEB -B "$scratch/pkg" --config "$build/CPackConfig.cmake" >"$scratch/cpack.log" 2>&1) ||
  { cat "$scratch/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$scratch"/pkg/utap_*.deb)
echo "package: $(basename "$deb")"
dpkg-deb -f "$deb"
[ "$(dpkg-deb -f "$deb" Package)" = utap ] || fail "Package is not utap"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] || fail "wrong Architecture"
depends=$(dpkg-deb -f "$deb" Depends)

# Every dependency (its first alternative) is a package installed here.
IFS=',' read -ra deps <<<"$depends"
for dep in "${deps[@]}"; do
  name=$(echo "$dep" | sed 's/|.*//; s/(.*//; s/:.*//' | tr -d ' ')
  status=$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] ||
    fail "dependency '$name' is not an installed package here"
done

# Every shared library the programs load comes from a declared dependency.
for program in utap utaprun utap-guest; do
  for lib in $(objdump -p "$build/$program" | awk '/NEEDED/ { print $2 }'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !found { print $NF; found = 1 }')
    [ -n "$path" ] || fail "$program needs $lib, which ldconfig does not know"
    # dpkg knows each file by the path its package ships: /usr/lib/... or,
    # before the merged /usr, /lib/...
    real=$(readlink -f "$path")
    owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || dpkg -S "$path" 2>/dev/null || true)
    owner=${owner%%:*}
    [ -n "$owner" ] || fail "$program needs $lib ($real), which no package owns"
    owner_re=$(printf '%s' "$owner" | sed 's/[.+]/\\&/g')
    grep -Eq "[,|]$owner_re[,|(:]" <<<",${depends// /}," ||
      fail "$program needs $lib from $owner, which Depends does not name: $depends"
  done
done
for tool in make gcc; do
  grep -q ",$tool[,(]" <<<",${depends// /}," || fail "Depends does not name $tool (pass 4 runs kbuild)"
done

# ---- install it with dpkg into a scratch root ----
root=$scratch/root
dpkg_root() { dpkg --root="$root" --force-not-root "$@"; }
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
# An empty database has none of the dependencies: dpkg must refuse.
if dpkg_root -i "$deb" >"$scratch/dpkg-empty.log" 2>&1; then
  fail "dpkg installed the package where none of its dependencies is installed"
fi
grep -q "dependency problems" "$scratch/dpkg-empty.log" ||
  { cat "$scratch/dpkg-empty.log"; fail "dpkg failed for another reason than the dependencies"; }
dpkg_root --purge utap >/dev/null 2>&1 || true
# This machine's database: every dependency is installed here.
cp /var/lib/dpkg/status "$root/var/lib/dpkg/status"
dpkg_root -i "$deb" >"$scratch/dpkg-install.log" 2>&1 ||
  { cat "$scratch/dpkg-install.log"; fail "dpkg -i into the scratch root failed"; }
# (-s, -L and -r warn about every package of the copied database: it has
# no file lists; those warnings are dropped.)
installed=$(dpkg_root -s utap 2>/dev/null)
grep -qx "Status: install ok installed" <<<"$installed" || fail "dpkg does not list utap as installed: $installed"
echo "dpkg -i: $(grep -c . <<<"$(dpkg_root -L utap 2>/dev/null)") paths installed under $root"
for f in usr/bin/utap usr/bin/utaprun usr/bin/utap-guest \
         usr/share/utap/tapsets/context.stp usr/share/utap/tapsets/libc_alloc.stp \
         usr/share/utap/tapsets/macros.stpm usr/share/utap/runtime/include/utap/base.h \
         usr/share/utap/runtime/core/context.c usr/share/man/man1/utap.1.gz \
         usr/share/man/man1/utap-guest.1.gz usr/share/man/man8/utaprun.8.gz \
         usr/share/man/man7/utap-lang.7.gz usr/share/doc/utap/examples/call_counts.stp; do
  [ -e "$root/$f" ] || fail "the package has no /$f"
done
page=$(MANWIDTH=80 man -l "$root/usr/share/man/man1/utap.1.gz" 2>/dev/null)
grep -q "EXIT STATUS" <<<"$page" || fail "the installed utap(1) does not render"

# ---- run it from there: another directory, no UTAP_* variables ----
cd "$scratch/cwd"
unset UTAP_TAPSET_DIR UTAP_RUNTIME_DIR
utap=$root/usr/bin/utap
dirs=$("$utap" -V -v)
echo "$dirs"
grep -qxF "tapsets: $root/usr/share/utap/tapsets" <<<"$dirs" || fail "the installed utap does not use its own tapsets"
grep -qxF "runtime: $root/usr/share/utap/runtime" <<<"$dirs" || fail "the installed utap does not use its own runtime"
# Whole outputs first, then grep: grep -q stops reading early, and the
# writer's SIGPIPE would fail the pipeline under pipefail.
functions=$("$utap" --dump-functions)
grep -qxF 'set_user_int:unknown (addr:long, val:long) /* guru */' <<<"$functions" ||
  fail "--dump-functions of the installed utap lacks set_user_int"
aliases=$("$utap" --dump-probe-aliases)
grep -q '^malloc = process' <<<"$aliases" || fail "--dump-probe-aliases lacks malloc"

release=$("$root/usr/bin/utap-guest" --print-kernel 2>"$scratch/kernel.err") ||
  skip "no guest kernel: $(cat "$scratch/kernel.err")"
[ -e "/lib/modules/$release/build/Makefile" ] || skip "no headers for $release (install linux-headers-$release)"

# Pass 4 compiles the installed runtime: a cache of its own, so nothing
# built from the source tree is reused.
export UTAP_CACHE_DIR=$scratch/cache
echo 'probe begin { printf("hello from %s\n", execname()); exit() }' >hello.stp
ko=$("$utap" -p4 -r "$release" hello.stp) || fail "utap -p4 failed"
[ -f "$ko" ] || fail "utap -p4 printed '$ko', which is not a file"
vermagic=$(modinfo -F vermagic "$ko")
grep -qF "$release " <<<"$vermagic" || fail "$ko is not built for $release"
echo "pass 4: $ko"

# One example, run in a guest by the installed utap and utaprun.
example=$root/usr/share/doc/utap/examples/call_counts.stp
out=$("$utap" --vm-kernel="$release" -T 300 "$example" -c "$programs/cprog-O0") || fail "the example failed: $out"
echo "$out"
grep -Eq '^function +calls +avg ns$' <<<"$out" || fail "the example's table has no header"
grep -Eq '^main +1 +[0-9]+$' <<<"$out" || fail "the example did not count main once"

# ---- and remove it: nothing of it is left ----
cd "$scratch"
files=$(dpkg_root -L utap 2>/dev/null | while read -r f; do if [ -f "$root$f" ]; then echo "$f"; fi; done)
dpkg_root -r utap >"$scratch/dpkg-remove.log" 2>&1 ||
  { cat "$scratch/dpkg-remove.log"; fail "dpkg -r utap failed"; }
left=$(while read -r f; do if [ -e "$root$f" ]; then echo "$f"; fi; done <<<"$files")
[ -z "$left" ] || fail "dpkg -r left files of the package: $left"
echo "dpkg -r: $(grep -c . <<<"$files") files removed"
echo "PASS"
