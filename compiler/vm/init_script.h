// The guest's /init: mounts the host's root and the shared directory, then
// runs the batch the host left there. It stays generic (the jobs are data in
// /io) so that the cached initramfs serves every batch.
//
// Layout of the shared directory /io (the host's side is in guest.cpp):
//   batch               lines "job N SECONDS", sourced by this script
//   N/cmd               the job's shell text (cd, exports, the command)
//   N/modules, N/mods/  .ko names to insert in order, and the files
//   N/out N/err         the command's stdout and stderr
//   N/status            its exit status, written once it has ended
//   N/timedout          present when the time limit killed it
//   N/setup             insmod/rmmod messages; N/skipped when insmod failed
//   N/dmesg             kernel messages from insmod to rmmod
//   booted, boot.dmesg, end.dmesg, done
#pragma once

namespace utap::vm {

inline constexpr const char* kInitScript = R"sh(#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
say() { echo "utap-init: $*"; }
die() { say "$*"; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/modules/$m" || say "insmod $m failed"; done </modules/order

# cache=loose: with the default cache=none every lookup makes a new inode, and
# uprobes, which are registered on an inode, would miss binaries run later.
o=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o $o,cache=loose,ro utap_host /host || die "cannot mount the host's root"
mount -t 9p -o $o utap_io /io || die "cannot mount the shared directory"
: >/io/booted

mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
# A writable /tmp of the guest's own, in which the host's /tmp entries stay
# visible (read-only): a build tree or a cache under the host's /tmp must
# still be found at the same paths.
mkdir -p /hosttmp
mount -o bind /host/tmp /hosttmp
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
for e in /hosttmp/* /hosttmp/.[!.]*; do
  [ -e "$e" ] || continue
  n=${e#/hosttmp/}
  if [ -d "$e" ]; then mkdir -p "/host/tmp/$n"; else touch "/host/tmp/$n" 2>/dev/null; fi
  mount -o bind "$e" "/host/tmp/$n" 2>/dev/null
done
mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
dmesg -c >/io/boot.dmesg

jobenv="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8"

# job N SECONDS
job() {
  d=/io/$1
  loaded=
  if [ -s $d/modules ]; then
    while read -r m; do
      if insmod "$d/mods/$m" 2>>$d/setup; then
        loaded="${m%.ko} $loaded"
      else
        echo "insmod $m failed" >>$d/setup
        : >$d/skipped
        break
      fi
    done <$d/modules
  fi
  if [ ! -e $d/skipped ]; then
    # Its own session, so that the time limit and the clean-up afterwards
    # reach everything it started.
    setsid env -i $jobenv /bin/chroot /host /bin/sh -c "$(cat $d/cmd)" </dev/null >$d/out 2>$d/err &
    pid=$!
    (sleep $2; kill -0 $pid && : >$d/timedout && kill -KILL -$pid) 2>/dev/null &
    dog=$!
    wait $pid
    echo $? >$d/status
    kill -KILL $dog 2>/dev/null
    kill -KILL -$pid 2>/dev/null
  fi
  for m in $loaded; do
    rmmod "$m" 2>>$d/setup || echo "rmmod $m failed" >>$d/setup
  done
  dmesg -c >$d/dmesg
}

. /io/batch
dmesg -c >/io/end.dmesg
: >/io/done
sync
poweroff -f
)sh";

}  // namespace utap::vm
