#!/bin/sh
# Every 5 s: load average and CPU% (top, 0.5 s sample) of this benchmark's JVMs, of PostgreSQL servers, and of
# other JVMs (anything else on the machine, e.g. a concurrent Maven build).
while true; do
  mine=0; pg=0; foreign=0
  for line in $(top -bn1 -d0.5 | awk 'NR>7 && $9>3 {print $1":"$9}'); do
    pid=${line%%:*}; cpu=${line##*:}
    args=$(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null)
    case "$args" in
      *work/main/bench/*) mine="$mine+$cpu" ;;
      */bin/postgres*|postgres:*) pg="$pg+$cpu" ;;
      *) foreign="$foreign+$cpu" ;;
    esac
  done
  cur=$(grep -E "^# (Benchmark|Parameters):" "${1:-/dev/null}" 2>/dev/null | tail -2 | sed "s/.*bench\.//; s/# Parameters: //" | tr "\n" " ")
  echo "$(date +%T) [$cur] load=$(cut -d' ' -f1 /proc/loadavg) bench=$(echo "$mine" | bc) postgres=$(echo "$pg" | bc) other=$(echo "$foreign" | bc)"
  sleep 5
done
