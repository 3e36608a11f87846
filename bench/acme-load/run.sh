#!/bin/sh
# ACME issuance side by side: pebble (Debian package) and Hallmark driven by the same acme4j loop
# (dev.hallmark.bench.AcmeLoad: new order -> authorization -> challenge -> poll -> finalize with a fresh P-256 CSR
# -> poll -> download), each server pinned to one core (SERVER_CPU, default 1) and the load to the other (LOAD_CPU,
# default 0), at each client count for SECONDS_PER_POINT after a WARMUP inside the same client run.
#
#   pebble     PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0: no validation at all (the
#              issue's configuration); the client still publishes the http-01 answer and triggers the challenge.
#   pebble-va  the same without PEBBLE_VA_ALWAYS_VALID: pebble validates http-01 for real against AcmeLoad's
#              responder (httpPort in its config) after resolving the name with AcmeLoad's DNS server (-dnsserver),
#              three requests per challenge (its multi-perspective checks, all from here). Hallmark validates, so
#              this is the like-for-like peer; `pebble` is the floor.
#   hallmark   P-256 CA key in SoftHSM (token initialised here), H2 file database, validation on, served by the
#              shaded jar; skipped with a message while the build has no ACME directory (404), as ocsp-load does.
#
# pebble runs fresh for every point: it keeps every object in memory, scans all authorizations on each new order
# (authorization reuse is looked up before PEBBLE_AUTHZREUSE is consulted), and 2.4.0 deadlocked here under 4
# clients after about 5,000 orders (goroutines parked in MemoryStore locks; new-account and new-order hang).
# Hallmark runs once for all points, after HALLMARK_WARMUP seconds of load split over the client counts. Its JIT
# warm-up is long and shares the server's one core: with 1 client its CPU per certificate went 109, 68, 39, 39 ms
# over four consecutive 25 s runs, and C2 still used 16 % of the core 70 s into a 1-client run.
#
# Before each point the server must be quiet (under 15 % of its core over 2 s, at most SETTLE_MAX 60 s), so a point
# does not pay for the previous one's backlog; how long that took and the server's idle CPU rate right before the
# point are printed. Hallmark is never fully idle: 60-130 ms of CPU a second with no requests (OCSP pre-signer,
# CRL and ACME housekeeping, event loops), which the window charges to its certificates like any other work.
#
# Server CPU is utime+stime (children included) from /proc/PID/stat, read by AcmeLoad itself when its measuring
# window opens and closes (--server-pid), so warm-up, account creation and the certificates still in flight after
# the window are not charged to the window's certificates; ticks -> ms with getconf CLK_TCK. The `client` column is
# AcmeLoad's own CPU over the window as a share of its core: 90 % and over (marked *) means the load generator, not
# the server, limited that point's certificates per second (CPU per certificate stays valid).
#
# Usage: [WARMUP=10] [HALLMARK_WARMUP=120] [SERVERS="pebble pebble-va hallmark"] [CHALLENGE=http-01|dns-01]
#        [SERVER_CPU=1] [LOAD_CPU=0] [POLL_MS=10] [KEEP=1] [HALLMARK_JAVA=/path/to/bin/java] [HALLMARK_JAVA_OPTS=...]
#        bench/acme-load/run.sh [SECONDS_PER_POINT] [CLIENTS...]
# HALLMARK_JAVA runs the server on another JVM (e.g. a newer JDK; Hallmark is Java 17 bytecode), the rest stays on java.
#   e.g. bench/acme-load/run.sh 15 1 4 8
# Ports (env, 127.0.0.1): PEBBLE_PORT 35401, PEBBLE_MANAGEMENT_PORT 35403, HTTP01_PORT 35405 (AcmeLoad's http-01
# responder), DNS_PORT 35407 (AcmeLoad's DNS server), PEBBLE_TLSALPN_PORT 35409 (unused), HALLMARK_HTTPS_PORT 35443,
# HALLMARK_HTTP_PORT 35081, HALLMARK_MANAGEMENT_PORT 35091. All odd: see wait_free.
# Needs pebble (Debian: pebble), java 17, openssl, curl, taskset (util-linux), ss (iproute2); Hallmark also
# softhsm2-util. Build first: mvn -q install -DskipTests (bench/target/benchmarks.jar; packaging/target/hallmark.jar
# for Hallmark). Results and method: bench/acme-load/README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar="$root/packaging/target/hallmark.jar"
benchjar="$root/bench/target/benchmarks.jar"
seconds=${1:-15}
if [ $# -gt 0 ]; then shift; fi
clients=${*:-1 4 8}
warmup=${WARMUP:-10}
hwarmup=${HALLMARK_WARMUP:-120}
servers=${SERVERS:-pebble pebble-va hallmark}
hjava=${HALLMARK_JAVA:-java}
challenge=${CHALLENGE:-http-01}
scpu=${SERVER_CPU:-1}
lcpu=${LOAD_CPU:-0}
pollms=${POLL_MS:-10}
pport=${PEBBLE_PORT:-35401}
pmport=${PEBBLE_MANAGEMENT_PORT:-35403}
h01port=${HTTP01_PORT:-35405}
dnsport=${DNS_PORT:-35407}
palpn=${PEBBLE_TLSALPN_PORT:-35409}
hsport=${HALLMARK_HTTPS_PORT:-35443}
hport=${HALLMARK_HTTP_PORT:-35081}
hmport=${HALLMARK_MANAGEMENT_PORT:-35091}
suffix=acme-load.example

for tool in java openssl curl taskset getconf ss; do
  command -v $tool >/dev/null || { echo "acme-load: $tool is missing (apt-get install openjdk-17-jre-headless openssl curl util-linux iproute2)" >&2; exit 1; }
done
[ -f "$benchjar" ] || { echo "acme-load: build first (mvn -q install -DskipTests: $benchjar)" >&2; exit 1; }
case " $servers " in *" pebble"*)
  command -v pebble >/dev/null || { echo "acme-load: pebble is missing (apt-get install pebble), or leave it out of SERVERS" >&2; exit 1; } ;;
esac
[ "$(nproc)" -ge 2 ] || echo "# warning: $(nproc) core(s): server and load share a core" >&2

work=$(mktemp -d /tmp/acme-load.XXXXXX)
spid=""
stop_server() { # the running server and its children, by pid
  [ -n "$spid" ] || return 0
  kids=$(pgrep -P "$spid" 2>/dev/null || true)
  kill "$spid" $kids 2>/dev/null || true
  i=0
  while kill -0 "$spid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$spid" $kids 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  spid=""
}
cleanup() { stop_server; if [ -n "${KEEP:-}" ]; then echo "# kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
hz=$(getconf CLK_TCK)
# 35000-36999 lies inside Linux's ephemeral range (32768-60999): an outgoing connection (pebble's and Hallmark's
# validators open one per validation, thousands a minute, and close first) can take one of these ports, and its
# TIME-WAIT (60 s) then blocks a listener's bind even with SO_REUSEADDR (the connecting socket did not set it).
# Linux gives connect() even ports first, so the default ports are odd. TIME-WAIT sockets are not waited for: on an
# odd port they are connections our own listeners accepted (SO_REUSEADDR, which does not block a new listener).
wait_free() { # wait_free PORT...: up to 70 s until no TCP socket but TIME-WAIT, and no UDP socket, has that local port
  for p in "$@"; do
    i=0
    while [ -n "$(ss -Htuan exclude time-wait "sport = :$p" 2>/dev/null)" ]; do
      i=$((i + 1)); [ $i -le 70 ] || { echo "# warning: port $p still in use after 70 s" >&2; break; }
      sleep 1
    done
    [ $i = 0 ] || echo "# waited $i s for port $p to be free" >&2
  done
}
results="$work/results.txt"
: > "$results"

# ---- pebble: a TLS identity for its listener (pebble ships no usable config), the config, one start per point ----
mkdir -p "$work/pebble"
(
  cd "$work/pebble"
  openssl ecparam -name prime256v1 -genkey -noout -out tls-ca.key
  openssl req -x509 -new -key tls-ca.key -sha256 -days 7 -subj "/CN=acme-load pebble TLS root" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign -out tls-ca.pem
  openssl ecparam -name prime256v1 -genkey -noout -out tls.key
  openssl req -new -key tls.key -subj /CN=localhost -out tls.csr
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' > tls.ext
  openssl x509 -req -in tls.csr -CA tls-ca.pem -CAkey tls-ca.key -set_serial 0x1001 -days 7 -sha256 -extfile tls.ext \
    -out tls.pem 2>/dev/null
  cat > pebble.json <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$pport",
    "managementListenAddress": "127.0.0.1:$pmport",
    "certificate": "$work/pebble/tls.pem",
    "privateKey": "$work/pebble/tls.key",
    "httpPort": $h01port,
    "tlsPort": $palpn,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
)

start_pebble() { # start_pebble always-valid|validate: sets spid, directory, trust
  wait_free "$pport" "$pmport" "$h01port" "$dnsport"
  if [ "$1" = always-valid ]; then va=1; else va=""; fi
  # env -u: an always-valid setting inherited from the caller's environment must not leak into pebble-va
  env -u PEBBLE_VA_ALWAYS_VALID ${va:+PEBBLE_VA_ALWAYS_VALID=1} PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
    taskset -c "$scpu" pebble -config "$work/pebble/pebble.json" -dnsserver "127.0.0.1:$dnsport" \
    > "$work/pebble/pebble-$1.log" 2>&1 &
  spid=$!
  directory="https://127.0.0.1:$pport/dir"
  trust="$work/pebble/tls-ca.pem"
  i=0
  until curl -sf --cacert "$trust" -o /dev/null "$directory"; do
    i=$((i + 1)); [ $i -lt 100 ] || { tail -20 "$work/pebble/pebble-$1.log"; echo "acme-load: pebble did not start" >&2; exit 1; }
    sleep 0.1
  done
}

# ---- Hallmark ----
start_hallmark() { # sets spid, directory, trust; returns 1 (and says why) when Hallmark cannot be measured
  # TODO(acme): the ACME server (protocols/, docs/ACME.md) is still being built. Until GET /acme/directory answers
  # 200 this prints "hallmark: skipped (...)" and returns 1, as ocsp-load does for a build without OCSP. Assumed from
  # docs/ACME.md and docs/CONFIGURATION.md as they stand, to re-check when it settles: the directory at
  # /acme/directory on the HTTPS listener; acme.validation.http01Port and acme.validation.dnsResolver ("host:port")
  # set by HALLMARK_ACME_VALIDATION_HTTP01_PORT / HALLMARK_ACME_VALIDATION_DNS_RESOLVER; the rate limits (300 orders
  # an hour per account and per registered domain, 50 accounts per IP) off with acme.rateLimits.* = 0; the default
  # policy letting the acme channel issue tls-server certificates for *.$suffix.
  [ -f "$jar" ] || { echo "hallmark: skipped (build first: mvn -q install -DskipTests)"; return 1; }
  command -v softhsm2-util >/dev/null || { echo "hallmark: skipped (softhsm2-util is missing: apt-get install softhsm2)"; return 1; }
  h="$work/hallmark"
  mkdir -p "$h/tokens"
  # SoftHSM2 reads SOFTHSM2_CONF at C_Initialize: a private token directory for this run (as bench/run does).
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$h/tokens" > "$h/softhsm2.conf"
  SOFTHSM2_CONF="$h/softhsm2.conf"
  export SOFTHSM2_CONF
  (umask 077; printf '1234\n' > "$h/pin")
  softhsm2-util --init-token --free --label acme-load --so-pin 5678 --pin 1234 > "$h/softhsm.log" 2>&1 ||
    { cat "$h/softhsm.log"; echo "hallmark: skipped (softhsm2-util --init-token failed)"; return 1; }
  # The demo's layout (H2 file database in DIR/db, local ledger), with the CA keys (P-256, the default key type)
  # in the SoftHSM token instead of the soft token; certificates name the HTTP listener, as `hallmark demo` does.
  java -jar "$jar" init --data "$h/d" --token pkcs11 --pkcs11-token-label acme-load --pkcs11-pin-file "$h/pin" \
    --key-type ec-p256 --public-url "http://127.0.0.1:$hport" > "$h/init.log" 2>&1 ||
    { tail -20 "$h/init.log"; echo "hallmark: skipped (init failed)"; return 1; }
  # A load test is nothing but rate-limited traffic: every ACME rate limit off (0 disables).
  printf 'acme:\n  rateLimits:\n    newOrdersPerAccount: 0\n    newOrdersPerDomain: 0\n    newAccountsPerIp: 0\n    failedValidationsPerAccount: 0\n' \
    >> "$h/d/hallmark.yaml"
  # The HTTPS listener's certificate comes from the issuing CA (names localhost, 127.0.0.1, ::1): trust the chain.
  java -jar "$jar" ca cert issuing --data "$h/d" --chain > "$h/chain.pem"
  wait_free "$hsport" "$hport" "$hmport" "$h01port" "$dnsport"
  HALLMARK_ACME_VALIDATION_HTTP01_PORT=$h01port HALLMARK_ACME_VALIDATION_DNS_RESOLVER="127.0.0.1:$dnsport" \
    HALLMARK_LOG_LEVEL=WARN taskset -c "$scpu" "$hjava" ${HALLMARK_JAVA_OPTS:-} -Xmx1g -jar "$jar" serve --data "$h/d" \
    --https-host 127.0.0.1 --https-port "$hsport" --http-host 127.0.0.1 --http-port "$hport" \
    --management-host 127.0.0.1 --management-port "$hmport" > "$h/server.log" 2>&1 &
  spid=$!
  i=0
  until curl -sf "http://127.0.0.1:$hmport/readyz" >/dev/null; do
    i=$((i + 1))
    [ $i -lt 240 ] || { tail -20 "$h/server.log"; stop_server; echo "hallmark: skipped (not ready after 120 s)"; return 1; }
    kill -0 "$spid" 2>/dev/null || { tail -20 "$h/server.log"; spid=""; echo "hallmark: skipped (server exited)"; return 1; }
    sleep 0.5
  done
  directory="https://127.0.0.1:$hsport/acme/directory"
  trust="$h/chain.pem"
  code=$(curl -s --max-time 5 --cacert "$trust" -o "$h/directory.json" -w '%{http_code}' "$directory" || true)
  if [ "$code" != 200 ]; then
    stop_server
    echo "hallmark: skipped (GET $directory: HTTP $code; no ACME server in this build)"
    return 1
  fi
}

# ---- settling: a point starts once the server is quiet, so it does not pay for the previous point's backlog ----
ticks() { awk '{print $14 + $15 + $16 + $17}' /proc/"$1"/stat 2>/dev/null || echo 0; }
settle() { # settle NAME: until the server used under 15 % of its core over 2 s (at most SETTLE_MAX, 60 s)
  t0=$(date +%s) first=$(ticks "$spid")
  while :; do
    a=$(ticks "$spid"); sleep 2; b=$(ticks "$spid")
    idle=$(((b - a) * 1000 / hz / 2))
    [ "$idle" -ge 150 ] || break
    [ $(($(date +%s) - t0)) -lt "${SETTLE_MAX:-60}" ] || { echo "# $1: still busy after ${SETTLE_MAX:-60} s" >&2; break; }
  done
  waited=$(($(date +%s) - t0 - 2))
  if [ "$waited" -gt 0 ]; then
    echo "# $1 settled in $waited s ($(((b - first) * 1000 / hz)) ms of CPU); then $idle ms of CPU per second idle"
  elif [ "$idle" -ge 20 ]; then
    echo "# $1 idle: $idle ms of CPU per second"
  fi
}

# ---- one point: AcmeLoad on the load core against the running server ----
jget() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" "$2"; }
header() {
  printf '%-10s %7s %8s %8s %8s %11s %6s %7s\n' server clients certs/s p50-ms p99-ms cpu-ms/cert errors client
}
point() { # point NAME CLIENTS [WARMUP_SECONDS [SECONDS]]: one AcmeLoad run, one table row (not for warm-up runs)
  name=$1 c=$2 w=${3:-$warmup} d=${4:-$seconds}
  out="$work/$name-$c-$d.json"
  wait_free "$h01port" "$dnsport"
  [ -n "${4:-}" ] || settle "$name"
  taskset -c "$lcpu" java -Xmx512m -cp "$benchjar" dev.hallmark.bench.AcmeLoad --directory "$directory" \
    --trust-pem "$trust" --clients "$c" --warmup "$w" --duration "$d" --challenge "$challenge" \
    --http01-port "$h01port" --dns-port "$dnsport" --domain-suffix "$suffix" --poll-ms "$pollms" \
    --server-pid "$spid" --clk-tck "$hz" --label "$name" --out "$out" > /dev/null 2> "$work/$name-$c-$d.log" || true
  [ -n "${4:-}" ] && return 0
  if [ ! -s "$out" ] || [ "$(jget certs "$out")" = 0 ]; then
    printf '%-10s %7d %8s   (no certificate: %s)\n' "$name" "$c" failed \
      "$(grep -v '^#' "$work/$name-$c-$d.log" | head -1)" | tee -a "$results"
    return 0
  fi
  awk -v name="$name" -v c="$c" -v rate="$(jget certsPerSecond "$out")" -v p50="$(jget p50Ms "$out")" \
    -v p99="$(jget p99Ms "$out")" -v cpu="$(jget serverCpuMsPerCert "$out")" -v err="$(jget errors "$out")" \
    -v share="$(jget clientCpuShare "$out")" 'BEGIN {
      printf "%-10s %7d %8.1f %8.1f %8.1f %11.2f %6d %6.0f%%%s\n", name, c, rate, p50, p99, cpu, err, share * 100,
        (share >= 0.9 ? "*" : "") }' | tee -a "$results"
}

echo "# $(nproc) cores; $(uptime | sed 's/.*load/load/'); server on CPU $scpu, AcmeLoad on CPU $lcpu; $seconds s per point after a $warmup s warm-up in the same client run; clients: $clients; challenge $challenge, poll every $pollms ms; pebble $(dpkg-query -W -f '${Version}' pebble 2>/dev/null || echo '?')"
header
for s in $servers; do
  case $s in
    pebble | pebble-va)
      mode=validate; [ $s = pebble ] && mode=always-valid
      for c in $clients; do
        start_pebble $mode
        point "$s" "$c"
        stop_server
      done ;;
    hallmark)
      if start_hallmark; then
        # Server warm-up (JIT), not reported: HALLMARK_WARMUP seconds split over the client counts, in their order.
        n=$(echo $clients | wc -w)
        for c in $clients; do point hallmark "$c" 0 $((hwarmup / n)); done
        for c in $clients; do point hallmark "$c"; done
        stop_server
        errors=$(grep -c -E 'ERROR|Exception' "$work/hallmark/server.log" || true)
        [ "$errors" = 0 ] || { echo "# hallmark server log: $errors error lines"; grep -m 5 -E 'ERROR|Exception' "$work/hallmark/server.log"; }
      fi ;;
    *) echo "acme-load: unknown server $s (pebble, pebble-va, hallmark)" >&2; exit 2 ;;
  esac
done

# ---- same-run ratios against pebble (always-valid), per client count ----
echo "# ratios to pebble at the same client count: certificates per second (higher is better) and server CPU per certificate (lower is better)"
awk '$3 != "failed" { rate[$1 " " $2] = $3; cpu[$1 " " $2] = $6; names[$1] = 1; cs[$2] = 1 }
  END { n = 0
        for (s in names) { if (s == "pebble") continue
          for (c in cs) { k = s " " c; b = "pebble " c
            if ((k in rate) && (b in rate) && rate[b] > 0 && cpu[b] > 0) {
              printf "%-10s %7d  certs/s %5.2fx   cpu-ms/cert %5.2fx\n", s, c, rate[k] / rate[b], cpu[k] / cpu[b]; n++ } } }
        if (n == 0) print "(nothing to compare in this run)" }' "$results" | sort -k1,1 -k2n
