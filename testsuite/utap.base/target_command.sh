#!/bin/sh
# The -c command of target_command.stp: busy for a while, so that the
# profiling timer finds it running.
i=0
while [ $i -lt 30000 ]; do i=$((i + 1)); done
