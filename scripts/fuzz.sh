#!/usr/bin/env bash
# Builds the fuzz targets of fuzz/ on a stable toolchain and runs each for a bounded time.
#   scripts/fuzz.sh [--seconds N] [--build-only] [target...]   (default: 60 s, every target)
# Each target starts from its committed seeds (fuzz/corpus/<target>/) and the inputs earlier
# runs found (target/fuzz/corpus/<target>/). A crash or a hang fails the script with the path
# of the input that caused it (under target/fuzz/artifacts/<target>/); rerun one with
#   target/fuzz/<triple>/release/<target> <input>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
build_only=false
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --build-only) build_only=true; shift ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | tail -n +2)
if ((${#targets[@]} == 0)); then
    read -r -a targets <<<"$(echo $all)"
fi
for target in "${targets[@]}"; do
    grep -qx "$target" <<<"$all" || { echo "no fuzz target \`$target\` (targets: $(echo $all))" >&2; exit 2; }
done

# What `cargo fuzz build --sanitizer none` passes, without the nightly-only flags: coverage
# counters and comparison tracing for libFuzzer, and the checks of a debug build. `--target`
# keeps the flags off build scripts and procedural macros.
triple=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
out=target/fuzz
echo "== building fuzz targets (${targets[*]})"
cargo build --manifest-path fuzz/Cargo.toml --locked --release --target "$triple" \
    --target-dir "$out" $(printf -- '--bin %s ' "${targets[@]}")
$build_only && exit 0

failed=()
for target in "${targets[@]}"; do
    corpus="$out/corpus/$target"
    artifacts="$out/artifacts/$target"
    mkdir -p "$corpus" "$artifacts" "fuzz/corpus/$target"
    echo "== fuzzing $target for ${seconds} s"
    log="$out/$target.log"
    # The first folder takes new inputs; the committed seeds are only read.
    if "$out/$triple/release/$target" "$corpus" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^Done' "$log" | tr '\n' ' '
        echo
    else
        tail -n 40 "$log" >&2
        crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        echo "fuzz target $target failed: ${crash:-see $log}" >&2
        failed+=("$target: ${crash:-$log}")
    fi
done
if ((${#failed[@]})); then
    printf 'failed: %s\n' "${failed[@]}" >&2
    exit 1
fi
