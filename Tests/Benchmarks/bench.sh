#!/usr/bin/env bash
# make bench: release build, then in one run
#   1. throughput of verified attestation flows per signing algorithm (ML-DSA-65 / -87 included), as a ratio to the crypto
#      bound measured on this machine in the same run, before and after each flow run (spdmctl load);
#   2. throughput of verified session flows (KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION after the
#      certificate) against a P-384 / SECP384R1 device and an SPDM 1.4 ML-DSA-65 / ML-KEM-768 one, as a
#      ratio to their crypto bounds;
#   3. memory: resident bytes per device (1 vs 1,000 devices) and per idle connection (1,000 held);
#   4. the fleet: BENCH_FLEET (10,000) devices, READY seconds on a cold and on a cached state
#      directory, resident bytes per idle device, BENCH_FLEET connections held and the errors;
#   5. when SPDM_REQUESTER_EMU and SPDM_RESPONDER_EMU name DMTF's binaries: the reference
#      requester's default flow against our daemon and against the reference responder, wall and
#      CPU seconds side by side.
# Figures are printed and written to one JSON file (its path is printed last), never asserted:
# tests do not time things.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/spdm-bench.XXXXXX)
DURATION=${BENCH_SECONDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
FLEET=${BENCH_FLEET:-10000}
# The throughput devices listen on BENCH_PORT... BENCH_PORT+7 (attestation +0..+3 and +5, +6; the
# session devices +4 and +7); the fleet sections on 20000 and up.
PORT=${BENCH_PORT:-2480}
# Which sections run (all by default): attest session memory fleet dmtf.
SECTIONS=" ${BENCH_SECTIONS:-attest session memory fleet dmtf} "
runs() { [[ "$SECTIONS" == *" $1 "* ]]; }
OUT_DIR=${BENCH_OUT:-.build/bench}
mkdir -p "$OUT_DIR"
OUT="$(cd "$OUT_DIR" && pwd)/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
RECORDS="$WORK/records.jsonl"
: > "$RECORDS"
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
# The fleet section holds BENCH_FLEET connections on top of as many listeners: raise the hard limit
# when allowed (root), else use what there is (the daemon reports the cap it computed).
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

start_daemon() {  # name config [state dir] -> pid on stdout once ready
    local name=$1 config=$2 state=${3:-$WORK/state}
    "$BIN/spdm-fleetd" --config "$config" --state-dir "$state" --runtime-dir "$WORK/run-$name" \
        --log-level notice > "$WORK/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 1200); do grep -q " ready" "$WORK/$name.log" && break; sleep 0.05; done
    grep -q " ready" "$WORK/$name.log" || { echo "daemon $name did not start:" >&2; tail -5 "$WORK/$name.log" >&2; kill "$pid" 2>/dev/null; exit 1; }
    echo "$pid"
}
stop_daemon() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
record() {  # section json-object: one line of the JSON file
    python3 -c 'import json,sys; print(json.dumps({"section": sys.argv[1], **json.loads(sys.argv[2])}))' "$1" "$2" >> "$RECORDS"
}
report_row() {  # section label load.json -> one table row and one record
    python3 - "$1" "$2" "$3" "$RECORDS" <<'PY'
import json, sys
section, label, path, records = sys.argv[1:5]
d = json.load(open(path))
row = {"flow": d["flow"], "algorithm": label, "flows_per_second": d["flows_per_second"],
       "bound_per_second": d.get("crypto_bound_flows_per_second", 0), "ratio": d.get("bound_ratio", 0),
       "bound_before": d.get("crypto_bound_before"), "bound_after": d.get("crypto_bound_after"),
       "bound_spread": d.get("crypto_bound_spread", 0), "p50_ms": d["latency_ms"]["p50"], "p99_ms": d["latency_ms"]["p99"],
       "errors": d["errors"]}
print("%-24s %10.1f %10.2f %10.2f %12.1f %8.2f %7.1f%%" % (label, row["flows_per_second"], row["p50_ms"], row["p99_ms"],
      row["bound_per_second"], row["ratio"], 100 * row["bound_spread"]))
open(records, "a").write(json.dumps({"section": section, **row}) + "\n")
PY
}
one_device_rss() {  # KiB resident of a daemon serving one device, once started and idle
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
    local pid rss
    pid=$(start_daemon one "$WORK/one.toml"); sleep 1; rss=$(rss_kib "$pid"); stop_daemon "$pid"
    echo "$rss"
}
header() { printf "%-24s %10s %10s %10s %12s %8s %8s\n" "$1" "flows/s" "p50 ms" "p99 ms" "bound/s" ratio spread; }

if runs attest; then
echo "== throughput: verified attestation flows (VCA, DIGESTS, CERTIFICATE, CHALLENGE, signed MEASUREMENTS)"
echo "   $CONNECTIONS connections, ${DURATION}s per algorithm, client and daemon on the same $(nproc) cores;"
echo "   bound: the faster of two measurements (before and after the run), spread between them"
# The attestation devices of config/interop.toml (2324, 2325, 2327, 2329; the ML-DSA ones 2348,
# 2349), on the benchmark's own ports so that a daemon already serving that config does not collide.
: > "$WORK/throughput.toml"
entries=()
for entry in 0:ECDSA_P256:ecp256: 1:ECDSA_P384:ecp384: 2:RSASSA_3072:rsa3072: 3:EDDSA_25519:ed25519: \
             5:ML_DSA_65:mldsa65:ML_KEM_768 6:ML_DSA_87:mldsa87:ML_KEM_1024; do
    IFS=: read -r offset name dir kem <<< "$entry"
    label=$(echo "$name" | tr 'A-Z_' 'a-z-')
    if [[ -z "$kem" ]]; then
        settings='versions = ["1.0", "1.1", "1.2", "1.3"]
capabilities = ["CERT", "CHAL", "MEAS_SIG", "MEAS_FRESH"]
  [device.algorithms]
  asym = ["'"$name"'"]
  hash = ["SHA_384", "SHA_256", "SHA_512", "SHA3_256", "SHA3_384", "SHA3_512"]'
    else
        settings='versions = ["1.2", "1.3", "1.4"]
capabilities = ["CERT", "CHAL", "MEAS_SIG", "MEAS_FRESH", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD", "CHUNK"]
heartbeat_period = 60
data_transfer_size = 4608
max_spdm_msg_size = 65536
  [device.algorithms]
  asym = ["'"$name"'"]
  kem = ["'"$kem"'"]
  dhe = []
  pqc_first = true
  hash = ["SHA_384", "SHA_256", "SHA_512"]'
    fi
    cat >> "$WORK/throughput.toml" <<TOML
[[device]]
name = "$label"
transport = "mctp"
tcp = "127.0.0.1:$((PORT + offset))"
$settings
  [[device.slot]]
  id = 0
  generate = { ca = "builtin", algorithm = "$name" }
  [[device.measurement]]
  index = 1
  type = "immutable_rom"
  value = "$label ROM"
  [[device.measurement]]
  index = 2
  type = "mutable_firmware"
  value = "$label firmware 1.0"
  [[device.measurement]]
  index = 3
  type = "version"
  value = "1.0.0"
TOML
    entries+=("$((PORT + offset)):$dir:$name")
done
pid=$(start_daemon throughput "$WORK/throughput.toml"); PIDS+=("$pid")
header algorithm
for entry in "${entries[@]}"; do
    IFS=: read -r port dir name <<< "$entry"
    "$BIN/spdmctl" load --connect "127.0.0.1:$port" --connections "$CONNECTIONS" --duration "$DURATION" \
        --root "$WORK/state/ca/$dir/ca.cert.der" --json > "$WORK/load-$name.json"
    report_row throughput "$name" "$WORK/load-$name.json"
done
stop_daemon "$pid"
fi

if runs session; then
echo "== throughput: verified session flows (VCA, DIGESTS, CERTIFICATE, KEY_EXCHANGE, FINISH, HEARTBEAT, END_SESSION)"
cat > "$WORK/sessions.toml" <<TOML
[[device]]
name = "gpu0"
tcp = "127.0.0.1:$((PORT + 4))"
capabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD"]
  [device.algorithms]
  dhe = ["SECP_384_R1", "SECP_256_R1", "FFDHE_2048"]
[[device.slot]]
generate = { ca = "builtin", algorithm = "ECDSA_P384" }
[[device.measurement]]
index = 1
type = "mutable_firmware"
value = "fw"
[[device]]
name = "pqc0"
tcp = "127.0.0.1:$((PORT + 7))"
versions = ["1.2", "1.3", "1.4"]
capabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "KEY_EX", "HBEAT", "KEY_UPD", "CHUNK"]
  [device.algorithms]
  asym = ["ML_DSA_65"]
  kem = ["ML_KEM_768"]
  dhe = []
  pqc_first = true
[[device.slot]]
generate = { ca = "builtin", algorithm = "ML_DSA_65" }
[[device.measurement]]
index = 1
type = "mutable_firmware"
value = "fw"
TOML
header "algorithm + DHE / KEM"
pid=$(start_daemon sessions "$WORK/sessions.toml"); PIDS+=("$pid")
"$BIN/spdmctl" load --connect "127.0.0.1:$((PORT + 4))" --flow session --connections "$CONNECTIONS" --duration "$DURATION" \
    --root "$WORK/state/ca/ecp384/ca.cert.der" --json > "$WORK/load-session.json"
report_row throughput "ECDSA_P384+SECP_384_R1" "$WORK/load-session.json"
"$BIN/spdmctl" load --connect "127.0.0.1:$((PORT + 7))" --flow session --connections "$CONNECTIONS" --duration "$DURATION" \
    --root "$WORK/state/ca/mldsa65/ca.cert.der" --json > "$WORK/load-session-pqc.json"
report_row throughput "ML_DSA_65+ML_KEM_768" "$WORK/load-session-pqc.json"
stop_daemon "$pid"
fi

if runs memory; then
echo "== memory"
one=$(one_device_rss)
pid=$(start_daemon fleet config/fleet-1000.toml); PIDS+=("$pid"); sleep 1; fleet=$(rss_kib "$pid")
"$BIN/spdmctl" load --connect 127.0.0.1:20000 --devices 1000 --hold 1000 --duration 4 --json > "$WORK/hold.json" &
holder=$!
sleep 3; held=$(rss_kib "$pid"); wait "$holder" || true
stop_daemon "$pid"
echo "1 device: ${one} KiB RSS; 1,000 devices: ${fleet} KiB; with 1,000 idle connections: ${held} KiB"
echo "per device:     $(( (fleet - one) * 1024 / 999 )) bytes"
echo "per connection: $(( (held - fleet) * 1024 / 1000 )) bytes"
echo "ratio 1,000 devices / 1 device RSS: $(python3 -c "print(round($fleet/$one, 2))")"
record memory "{\"rss_one_device_kib\": $one, \"rss_1000_devices_kib\": $fleet, \"rss_1000_devices_1000_connections_kib\": $held,
  \"bytes_per_device\": $(( (fleet - one) * 1024 / 999 )), \"bytes_per_connection\": $(( (held - fleet) * 1024 / 1000 ))}"
fi

if runs fleet; then
echo "== the fleet: $FLEET devices"
one=${one:-$(one_device_rss)}
cat > "$WORK/big.toml" <<TOML
[daemon]
log_level = "notice"
[[device]]
name = "node{i:05}"
count = $FLEET
tcp = "127.0.0.1:20000"
[[device.slot]]
generate = { ca = "builtin", algorithm = "ECDSA_P256" }
[[device.measurement]]
index = 1
type = "mutable_firmware"
value = "fleet firmware 1.0"
TOML
ready_seconds() {  # name state -> seconds from exec to the ready line; leaves the daemon running (pid in $WORK/name.pid)
    local start end pid
    start=$(date +%s.%N)
    pid=$(start_daemon "$1" "$WORK/big.toml" "$2") || exit 1
    end=$(date +%s.%N)
    echo "$pid" > "$WORK/$1.pid"
    python3 -c "print(round($end - $start, 2))"
}
cold=$(ready_seconds big-cold "$WORK/big-state") || { echo "the fleet did not start" >&2; exit 1; }
stop_daemon "$(cat "$WORK/big-cold.pid")"
cached=$(ready_seconds big-cached "$WORK/big-state"); pid=$(cat "$WORK/big-cached.pid"); PIDS+=("$pid")
sleep 1; idle=$(rss_kib "$pid")
hold_status=0
"$BIN/spdmctl" load --connect 127.0.0.1:20000 --devices "$FLEET" --hold "$FLEET" --duration 3 --json > "$WORK/big-hold.json" 2>/dev/null || hold_status=$?
held_rss=$(rss_kib "$pid")
stop_daemon "$pid"
python3 - "$FLEET" "$cold" "$cached" "$one" "$idle" "$held_rss" "$WORK/big-hold.json" "$RECORDS" <<'PY'
import json, sys
fleet, cold, cached, one, idle, held_rss, hold_path, records = sys.argv[1:9]
fleet = int(fleet)
try:
    hold = json.load(open(hold_path))
except Exception:
    hold = {"held": 0, "errors": fleet, "first_error": "spdmctl load --hold produced no JSON"}
row = {"devices": fleet, "ready_cold_seconds": float(cold), "ready_cached_seconds": float(cached),
       "rss_idle_kib": int(idle), "bytes_per_idle_device": (int(idle) - int(one)) * 1024 // max(1, fleet - 1),
       "connections_held": hold.get("held", 0), "connection_errors": hold.get("errors", 0),
       "rss_with_connections_kib": int(held_rss)}
if hold.get("first_error"): row["first_connection_error"] = hold["first_error"]
print("READY: %.2f s cold (identities generated), %.2f s cached; %d bytes resident per idle device" %
      (row["ready_cold_seconds"], row["ready_cached_seconds"], row["bytes_per_idle_device"]))
print("connections: %d of %d held, %d errors%s" % (row["connections_held"], fleet, row["connection_errors"],
      ("; first: " + row["first_connection_error"]) if "first_connection_error" in row else ""))
open(records, "a").write(json.dumps({"section": "fleet", **row}) + "\n")
PY
fi

if runs dmtf && [[ -n "${SPDM_REQUESTER_EMU:-}" && -n "${SPDM_RESPONDER_EMU:-}" ]]; then
    echo "== DMTF's spdm_requester_emu default flow: our daemon (gpu0 of the default config) vs spdm_responder_emu"
    timed() {  # label cwd command... -> wall user sys exit
        local label=$1 dir=$2; shift 2
        local out="$WORK/time-$label"
        (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$out" "$@" > "$WORK/$label.log" 2>&1) && status=0 || status=$?
        echo "$(cat "$out" | tail -1) $status"
    }
    "$BIN/spdm-fleetd" --print-default-config > "$WORK/default.toml"
    pid=$(start_daemon dmtf-ours "$WORK/default.toml"); PIDS+=("$pid")
    t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
    read -r ours_wall ours_user ours_sys ours_exit <<< "$(timed ours "$WORK/state/ca" "$SPDM_REQUESTER_EMU" --port 2323)"
    t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    ours_daemon_cpu=$(python3 -c "import os; print(round(($t1 - $t0) / os.sysconf('SC_CLK_TCK'), 3))")
    stop_daemon "$pid"
    # The reference responder reads libspdm's sample keys from its working directory: the builtin CA
    # folder is laid out the same way, except that the responder also loads the chains of its slots 1
    # and 4 (bundle_responder.certchain1.der, certchain4.der, end_responder4.key) and serves no slot
    # without them. A copy of the folder gets them as copies of slot 0's.
    cp -r "$WORK/state/ca" "$WORK/ref-ca"
    for alg in "$WORK"/ref-ca/*/; do
        [[ -f "$alg/bundle_responder.certchain.der" ]] || continue
        cp "$alg/bundle_responder.certchain.der" "$alg/bundle_responder.certchain1.der"
        cp "$alg/bundle_responder.certchain.der" "$alg/bundle_responder.certchain4.der"
        cp "$alg/end_responder.key" "$alg/end_responder4.key"
    done
    (cd "$WORK/ref-ca" && exec "$SPDM_RESPONDER_EMU" > "$WORK/ref-responder.log" 2>&1) &
    ref=$!; PIDS+=("$ref"); sleep 1
    r0=$(awk '{print $14+$15}' "/proc/$ref/stat" 2>/dev/null || echo 0)
    read -r ref_wall ref_user ref_sys ref_exit <<< "$(timed reference "$WORK/ref-ca" "$SPDM_REQUESTER_EMU" --port 2323)"
    r1=$(awk '{print $14+$15}' "/proc/$ref/stat" 2>/dev/null || echo "$r0")
    ref_daemon_cpu=$(python3 -c "import os; print(round(($r1 - $r0) / os.sysconf('SC_CLK_TCK'), 3))")
    kill "$ref" 2>/dev/null || true
    printf "%-22s %8s %14s %14s %6s\n" responder "wall s" "requester CPU" "responder CPU" exit
    printf "%-22s %8s %14s %14s %6s\n" spdm-fleetd "$ours_wall" "$(python3 -c "print(round($ours_user+$ours_sys,3))")" "$ours_daemon_cpu" "$ours_exit"
    printf "%-22s %8s %14s %14s %6s\n" spdm_responder_emu "$ref_wall" "$(python3 -c "print(round($ref_user+$ref_sys,3))")" "$ref_daemon_cpu" "$ref_exit"
    record dmtf "{\"ours\": {\"wall_seconds\": $ours_wall, \"requester_cpu_seconds\": $(python3 -c "print(round($ours_user+$ours_sys,3))"),
      \"responder_cpu_seconds\": $ours_daemon_cpu, \"requester_exit\": $ours_exit},
      \"reference\": {\"wall_seconds\": $ref_wall, \"requester_cpu_seconds\": $(python3 -c "print(round($ref_user+$ref_sys,3))"),
      \"responder_cpu_seconds\": $ref_daemon_cpu, \"requester_exit\": $ref_exit}}"
else
    echo "== DMTF comparison skipped: set SPDM_REQUESTER_EMU and SPDM_RESPONDER_EMU to DMTF's binaries"
fi

python3 - "$RECORDS" "$OUT" "$DURATION" "$CONNECTIONS" <<'PY'
import json, os, platform, sys
records, out, duration, connections = sys.argv[1:5]
rows = [json.loads(line) for line in open(records) if line.strip()]
document = {"machine": {"cores": os.cpu_count(), "platform": platform.platform()},
            "settings": {"seconds_per_run": float(duration), "connections": int(connections)},
            "throughput": [r for r in rows if r["section"] == "throughput"],
            "memory": next((r for r in rows if r["section"] == "memory"), None),
            "fleet": next((r for r in rows if r["section"] == "fleet"), None),
            "dmtf": next((r for r in rows if r["section"] == "dmtf"), None)}
for section in ("throughput",):
    for row in document[section]: row.pop("section", None)
for key in ("memory", "fleet", "dmtf"):
    if document[key]: document[key].pop("section", None)
json.dump(document, open(out, "w"), indent=2, sort_keys=True)
print("results: " + out)
PY
