// The guest's /init: mounts the host's root and the shared directory, then
// runs the batch the host left there. It stays generic (the jobs are data in
// /io) so that the cached initramfs serves every batch.
//
// Layout of the shared directory /io (the host's side is in guest.cpp):
//   batch               lines "job N SECONDS" (0: no limit), sourced by this
//                       script; first "stream" when the host streams ("stream
//                       input" when the jobs read the host's stdin)
//   N/cmd               the job's shell text (cd, exports, the command)
//   N/modules, N/mods/  .ko names to insert in order, and the files
//   N/out N/err         the command's stdout and stderr (not streaming)
//   N/status            its exit status, written once it has ended
//   N/timedout          present when the time limit killed it
//   N/setup             insmod/rmmod messages; N/skipped when insmod failed
//                       or a stop request came before the job started
//   N/dmesg             kernel messages from insmod to rmmod
//   booted, boot.dmesg, end.dmesg, done
//
// Streaming: each job's stdout and stderr go to the host as they are
// written, through the virtio-serial ports named utap.out and utap.err (and
// with "stream input" its stdin comes from the host through utap.in), and
// lines on the port utap.ctl carry the rest:
//   guest: "job N"          job N starts; its output follows on the ports
//          "running N"      its process group exists and may be signalled
//          "end N OUT ERR"  it ended, having written OUT and ERR bytes
//   host:  "signal S"       send S to the running job's group; start no job
//                           after it
//          "ack N"          all of job N's output has arrived
// A port's write(2) returns once the data is queued for the host, not once
// the host has it: the counts and the ack keep the end of the output from
// being lost at power-off.
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

streaming=
stream() {
  while read -r m; do insmod "/modules/$m" || say "insmod $m failed"; done </modules/stream.order
  # The ports appear once the host has answered the driver, a moment later.
  tries=0
  while :; do
    for p in /sys/class/virtio-ports/*; do
      case $(cat $p/name 2>/dev/null) in
        utap.ctl) ctl=/dev/${p##*/} ;;
        utap.out) sout=/dev/${p##*/} ;;
        utap.err) serr=/dev/${p##*/} ;;
        utap.in) sin=/dev/${p##*/} ;;
      esac
    done
    [ -c "$ctl" ] && [ -c "$sout" ] && [ -c "$serr" ] && [ -c "$sin" ] && break
    tries=$((tries + 1))
    [ $tries -lt 200 ] || die "no virtio-serial ports to stream through"
    sleep 0.05
  done
  mkdir /stream
  mkfifo /stream/out /stream/err /stream/ack
  # Commands run in the background ignore SIGINT, and a shell cannot undo
  # that: the host's env can, so that a stop request's SIGINT is not lost.
  resetint=
  /bin/chroot /host /usr/bin/env --default-signal=INT true 2>/dev/null && resetint="/usr/bin/env --default-signal=INT"
  # A port opens once at a time: this one open serves both directions.
  exec 3<>$ctl
  while :; do
    # End of file until the host's side of the port is open.
    read -r word arg <&3 || { sleep 0.05; continue; }
    case $word in
      signal)
        : >/stream/stopped
        [ -s /stream/pid ] && kill -$arg -$(cat /stream/pid) 2>/dev/null ;;
      ack) echo "$arg" >/stream/ack ;;
    esac
  done &
  streaming=1
  # "stream input": the jobs read the host's stdin from the port utap.in.
  input=/dev/null
  [ "$1" = input ] && input=$sin
}

# kill_leftovers: kills every process outside this script's session (0, the
# kernel's): what a finished job left running in its own session or in one it
# made (a daemon after setsid). Nothing a job starts outlives it, to hold the
# output ports open or to change the next job's system.
kill_leftovers() {
  for round in 1 2 3; do
    left=
    for s in /proc/[0-9]*/stat; do
      # read, not $(cat): a fork per process cost a second and a half
      # per job under TCG.
      read -r st <$s 2>/dev/null || continue
      set -- ${st##*) }
      [ "${4:-0}" = 0 ] && continue
      p=${s#/proc/}
      left="$left ${p%/stat}"
    done
    [ -z "$left" ] && return
    kill -KILL $left 2>/dev/null
    sleep 0.05
  done
}

# finish SECONDS: waits for the job $pid of $d within its time limit (0:
# none), records its status, and kills what it left behind.
finish() {
  dog=
  if [ "$1" != 0 ]; then
    (sleep $1; kill -0 $pid && : >$d/timedout && kill -KILL -$pid) 2>/dev/null &
    dog=$!
  fi
  wait $pid
  echo $? >$d/status
  [ -n "$dog" ] && kill -KILL $dog 2>/dev/null
  kill -KILL -$pid 2>/dev/null
  kill_leftovers
}

# run_streamed N SECONDS: the job's output is counted on its way to the ports.
run_streamed() {
  d=/io/$1
  echo "job $1" >&3
  tee $sout </stream/out | wc -c >/stream/outn &
  outw=$!
  tee $serr </stream/err | wc -c >/stream/errn &
  errw=$!
  setsid env -i $jobenv /bin/chroot /host $resetint /bin/sh -c "$(cat $d/cmd)" <$input >/stream/out 2>/stream/err 3>&- &
  pid=$!
  echo $pid >/stream/pid
  echo "running $1" >&3
  finish $2
  rm -f /stream/pid
  wait $outw $errw
  echo "end $1 $(cat /stream/outn) $(cat /stream/errn)" >&3
  read -r acked </stream/ack
}

# job N SECONDS
job() {
  d=/io/$1
  loaded=
  if [ -e /stream/stopped ]; then
    echo "not started: the host asked to stop" >>$d/setup
    : >$d/skipped
  elif [ -s $d/modules ]; then
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
  if [ ! -e $d/skipped ] && [ -n "$streaming" ]; then
    run_streamed $1 $2
  elif [ ! -e $d/skipped ]; then
    # Its own session, so that the time limit and the clean-up afterwards
    # reach everything it started.
    setsid env -i $jobenv /bin/chroot /host /bin/sh -c "$(cat $d/cmd)" </dev/null >$d/out 2>$d/err &
    pid=$!
    finish $2
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
