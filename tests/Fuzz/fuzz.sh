#!/usr/bin/env bash
# Coverage-guided fuzzing of one Kiosk.Emrtd parser family with afl-fuzz and SharpFuzz (see README.md).
#   tests/Fuzz/fuzz.sh TARGET MINUTES     targets: tlv asn1 datagroups cardaccess secure-messaging
# Seeds from the kept corpus tests/Emrtd.Tests/FuzzCorpus/TARGET; findings and a minimised queue go to
# $FUZZ_WORK/TARGET (default ~/.cache/kiosk-fuzz: afl-cmin refuses folders under /tmp). KEEP=1 replaces the kept
# corpus's found/ with the new inputs of the minimised queue.
# Needs afl++ (apt-get install -y afl++) and the SharpFuzz tool (dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0).
set -euo pipefail
target=${1:?usage: fuzz.sh TARGET MINUTES}
minutes=${2:?usage: fuzz.sh TARGET MINUTES}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${FUZZ_WORK:-$HOME/.cache/kiosk-fuzz}
corpus=$root/tests/Emrtd.Tests/FuzzCorpus/$target
export PATH="$PATH:$HOME/.dotnet/tools"
dotnet=$(command -v dotnet)  # afl-cmin wants a path, not a name

command -v afl-fuzz >/dev/null || { echo "fuzz.sh: afl-fuzz missing: apt-get install -y afl++" >&2; exit 1; }
command -v sharpfuzz >/dev/null || { echo "fuzz.sh: sharpfuzz missing: dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0" >&2; exit 1; }
[ -d "$corpus" ] || { echo "fuzz.sh: no seed corpus at $corpus" >&2; exit 1; }

# A private Release build whose Kiosk.Emrtd.dll (and only that) gets afl's edge instrumentation.
bin=$work/bin
if [ ! -f "$bin/.instrumented" ] || [ -n "$(find "$root/kiosk-host/Kiosk.Emrtd" "$root/tests/Fuzz/Kiosk.Emrtd.Fuzz" -name '*.cs' -newer "$bin/.instrumented")" ]; then
  rm -rf "$bin"
  dotnet build "$root/tests/Fuzz/Kiosk.Emrtd.Fuzz" -c Release -o "$bin" -nologo -v q
  sharpfuzz "$bin/Kiosk.Emrtd.dll"
  touch "$bin/.instrumented"
fi

# Seeds: the kept corpus, regressions included (they must all pass now, so they are ordinary starting points).
seeds=$work/$target/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
find "$corpus" -type f -exec cp -t "$seeds" {} +

# dotnet itself is not instrumented (SharpFuzz instruments the managed code), hence AFL_SKIP_BIN_CHECK. emrtd.dict
# gives afl the OIDs and tags the parsers compare against, which random mutation rarely spells. Parsers that
# answer within milliseconds get -t 2000: the first inputs also pay for the JIT.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
findings=$work/$target/findings
rm -rf "$findings"
afl-fuzz -i "$seeds" -o "$findings" -x "$root/tests/Fuzz/emrtd.dict" -t 2000 -m none -V $((minutes * 60)) -- "$dotnet" "$bin/Kiosk.Emrtd.Fuzz.dll" fuzz "$target" \
  > "$work/$target/afl.log" 2>&1 || { tail -30 "$work/$target/afl.log"; exit 1; }

stats=$findings/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|bitmap_cvg|saved_crashes|saved_hangs|edges_found|total_edges)\b' "$stats"

# Minimise the queue to the inputs that keep the same coverage.
minimised=$work/$target/min
rm -rf "$minimised"
afl-cmin -i "$findings/default/queue" -o "$minimised" -t 5000 -m none -- "$dotnet" "$bin/Kiosk.Emrtd.Fuzz.dll" fuzz "$target" > "$work/$target/cmin.log" 2>&1 \
  || { tail -20 "$work/$target/cmin.log"; exit 1; }
echo "minimised corpus: $(ls "$minimised" | wc -l) files, $(du -sh "$minimised" | cut -f1) in $minimised"

crashes=$(find "$findings/default/crashes" "$findings/default/hangs" -type f ! -name README.txt | wc -l)
if [ "$crashes" -gt 0 ]; then
  echo "$crashes crashes/hangs in $findings/default/{crashes,hangs}; replay them without afl:"
  echo "  dotnet run --project $root/tests/Fuzz/Kiosk.Emrtd.Fuzz -- replay $target $findings/default/crashes $findings/default/hangs"
fi

if [ "${KEEP:-0}" = 1 ]; then
  # seeds/ (real bytes) and regressions/ stay; found/ becomes what afl added to them, named by content hash.
  rm -rf "$corpus/found" && mkdir -p "$corpus/found"
  for file in "$minimised"/*; do
    original=${file##*orig:}
    [ -e "$corpus/seeds/$original" ] || [ -e "$corpus/regressions/$original" ] && continue
    cp "$file" "$corpus/found/$(sha1sum "$file" | cut -c1-16)"
  done
  echo "kept: $(ls "$corpus/found" | wc -l) files in $corpus/found"
fi
