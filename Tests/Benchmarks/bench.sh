#!/usr/bin/env bash
# make bench: release build, then in one run
#   1. throughput of verified attestation flows per signing algorithm, as a ratio to the crypto
#      bound measured on this machine in the same run (spdmctl load);
#   2. throughput of verified session flows (KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION after the
#      certificate) against the default config's gpu0, as a ratio to its crypto bound;
#   3. memory: resident bytes per device (1 vs 1,000 devices) and per idle connection (1,000 held).
# Figures are printed, never asserted: tests do not time things.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/spdm-bench.XXXXXX)
DURATION=${BENCH_SECONDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

start_daemon() {  # name config -> pid on stdout once ready
    local name=$1 config=$2
    "$BIN/spdm-fleetd" --config "$config" --state-dir "$WORK/state" --runtime-dir "$WORK/run-$name" \
        --log-level notice > "$WORK/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 600); do grep -q " ready" "$WORK/$name.log" && break; sleep 0.1; done
    grep -q " ready" "$WORK/$name.log" || { echo "daemon $name did not start:"; cat "$WORK/$name.log"; exit 1; }
    echo "$pid"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
report_row() {  # label load.json -> one table row: flows/s, p50, p99, crypto bound, ratio
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[2]))
print("%-24s %10.1f %10.2f %10.2f %12.1f %8.2f" % (sys.argv[1], d["flows_per_second"], d["latency_ms"]["p50"],
      d["latency_ms"]["p99"], d.get("crypto_bound_flows_per_second", 0), d.get("bound_ratio", 0)))
PY
}

echo "== throughput: verified attestation flows (VCA, DIGESTS, CERTIFICATE, CHALLENGE, signed MEASUREMENTS)"
echo "   $CONNECTIONS connections, ${DURATION}s per algorithm, client and daemon on the same $(nproc) cores"
pid=$(start_daemon interop config/interop.toml); PIDS+=("$pid")
printf "%-24s %10s %10s %10s %12s %8s\n" algorithm "flows/s" "p50 ms" "p99 ms" "bound/s" ratio
for entry in 2324:ecp256:ECDSA_P256 2325:ecp384:ECDSA_P384 2327:rsa3072:RSASSA_3072 2329:ed25519:EDDSA_25519; do
    IFS=: read -r port dir name <<< "$entry"
    "$BIN/spdmctl" load --connect "127.0.0.1:$port" --connections "$CONNECTIONS" --duration "$DURATION" \
        --root "$WORK/state/ca/$dir/ca.cert.der" --json > "$WORK/load-$name.json"
    report_row "$name" "$WORK/load-$name.json"
done
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== throughput: verified session flows (VCA, DIGESTS, CERTIFICATE, KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION)"
cat > "$WORK/sessions.toml" <<'TOML'
[[device]]
name = "gpu0"
tcp = "127.0.0.1:2323"
capabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD"]
  [device.algorithms]
  dhe = ["SECP_384_R1", "SECP_256_R1", "FFDHE_2048"]
[[device.slot]]
generate = { ca = "builtin", algorithm = "ECDSA_P384" }
[[device.measurement]]
index = 1
type = "mutable_firmware"
value = "fw"
TOML
printf "%-24s %10s %10s %10s %12s %8s\n" "algorithm + DHE" "flows/s" "p50 ms" "p99 ms" "bound/s" ratio
pid=$(start_daemon sessions "$WORK/sessions.toml"); PIDS+=("$pid")
"$BIN/spdmctl" load --connect 127.0.0.1:2323 --flow session --connections "$CONNECTIONS" --duration "$DURATION" \
    --root "$WORK/state/ca/ecp384/ca.cert.der" --json > "$WORK/load-session.json"
report_row "ECDSA_P384+SECP_384_R1" "$WORK/load-session.json"
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== memory"
cat > "$WORK/one.toml" <<'TOML'
[[device]]
name = "node{i}"
count = 1
tcp = "127.0.0.1:20000"
[[device.slot]]
generate = { ca = "builtin", algorithm = "ECDSA_P256" }
[[device.measurement]]
index = 1
type = "mutable_firmware"
value = "fleet firmware 1.0"
TOML
pid=$(start_daemon one "$WORK/one.toml"); sleep 1; one=$(rss_kib "$pid"); kill "$pid"; wait "$pid" 2>/dev/null || true
pid=$(start_daemon fleet config/fleet-1000.toml); PIDS+=("$pid"); sleep 1; fleet=$(rss_kib "$pid")
"$BIN/spdmctl" load --connect 127.0.0.1:20000 --devices 1000 --hold 1000 --duration 4 --json > "$WORK/hold.json" &
holder=$!
sleep 3; held=$(rss_kib "$pid"); wait "$holder" || true
echo "1 device: ${one} KiB RSS; 1,000 devices: ${fleet} KiB; with 1,000 idle connections: ${held} KiB"
echo "per device:     $(( (fleet - one) * 1024 / 999 )) bytes"
echo "per connection: $(( (held - fleet) * 1024 / 1000 )) bytes"
echo "ratio 1,000 devices / 1 device RSS: $(python3 -c "print(round($fleet/$one, 2))")"
