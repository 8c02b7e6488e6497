#!/usr/bin/env bash
# Runs each libFuzzer target (built by `make fuzz-build` into .build-fuzz) for SECONDS on a scratch
# copy of its committed seed corpus (Tests/Fuzz/Corpus/<Target>), so runs never write into the
# repository. Prints execs/s, coverage and the verdict per target; exits non-zero if any target
# crashed, leaked a timeout or ran out of memory. Crash inputs land in .build-fuzz/crashes/<Target>/.
#
#     Tests/Fuzz/run.sh SECONDS BIN_DIR TARGET...
set -uo pipefail

seconds=$1 bindir=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/spdm-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

# Swift's runtime keeps metadata caches for the life of the process: leak checks only add noise.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"

printf '%-22s %10s %8s %8s %8s  %s\n' target execs/s cov ft corpus result
for target in "$@"; do
    corpus="$work/$target" crashes="$root/.build-fuzz/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    if [ -d "$root/Tests/Fuzz/Corpus/$target" ]; then cp "$root/Tests/Fuzz/Corpus/$target"/* "$corpus"/ 2>/dev/null; fi
    log="$work/$target.log"
    "$bindir/$target" -max_total_time="$seconds" -print_final_stats=1 -detect_leaks=0 -timeout=25 -len_control=0 \
        -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1
    status=$?
    # The last status line: "#N  DONE  cov: C ft: F corp: K/... exec/s: E ..."
    line=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
    units=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$line")
    execs=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
    if [ $status -eq 0 ]; then
        result="no crash"
    else
        failed=1
        artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
        result="CRASH (exit $status) ${artifact:-see log}"
        # What went wrong and where: the trap, then the first frames in our own code.
        { grep -E 'Program crashed|Fatal error|runtime failure|ERROR: libFuzzer' "$log" | head -3
          grep -E ' at .*/(Sources|Tests)/' "$log" | head -3; } | cut -c1-220 | sed 's/^/    /'
        cp "$log" "$crashes/last-run.log"
    fi
    printf '%-22s %10s %8s %8s %8s  %s\n' "$target" "${execs:--}" "${cov:--}" "${ft:--}" "${units:--}" "$result"
done
exit $failed
