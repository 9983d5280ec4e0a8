#!/usr/bin/env bash
# Test grid.sbatch and merge.sbatch on a real Slurm: a one-node cluster on this machine.
#
#   experiments/slurm/test-local-cluster.sh        # from the repository root, as root, after
#                                                  # swift build -c release --product baselines
#
# Installs Debian's Slurm and munge if they are missing (bookworm: Slurm 22.05; no systemd
# needed), starts munged, slurmctld and slurmd by hand on localhost with everything (config,
# state, spool, logs, munge socket) in a temporary directory, submits grid.sbatch as an array
# job on the tiny grid and the tiny synthetic IndoMER, then merge.sbatch with
# --dependency=afterok, and checks that the merged report equals a one-process run of the same
# grid: results.csv and robustness.csv byte for byte, and the run logs record for record
# (everything except wall times, peak memory and finish times). Prints PASS or FAIL (with the
# diff) and exits non-zero on failure. The daemons it started are always stopped; the temporary
# directory is removed after a PASS and kept after a FAIL. Nothing else is left behind but the
# installed packages and the munge key (/etc/munge/munge.key, made by the munge package).
#
# Environment: BASELINES (default .build/release/baselines), SPEC (default the tiny grid),
# SHARDS (array size, default 3), TIMEOUT (seconds for the jobs, default 900), NICE (niceness of
# the daemons and so of the jobs, default 19), SLURMCTLD_PORT / SLURMD_PORT (default 6817 / 6818),
# KEEP_TMP=1 (keep the temporary directory after a PASS too).
set -euo pipefail

BASELINES=${BASELINES:-.build/release/baselines}
SPEC=${SPEC:-Tests/ExperimentsTests/Fixtures/tiny_grid.json}
SHARDS=${SHARDS:-3}
TIMEOUT=${TIMEOUT:-900}
NICE=${NICE:-19}
SLURMCTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}

say() { printf '== %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts slurmd)"
[ -f experiments/slurm/grid.sbatch ] && [ -f experiments/slurm/merge.sbatch ] || die "run from the repository root"
[ -x "$BASELINES" ] || die "$BASELINES not found: swift build -c release --product baselines (or set BASELINES)"
[ -f "$SPEC" ] || die "no grid spec $SPEC"
BASELINES=$(realpath "$BASELINES")
start_time=$SECONDS

# 1. Packages. slurmd, slurmctld and slurm-client are what the slurm-wlm metapackage installs.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
  ! command -v munged >/dev/null || ! command -v python3 >/dev/null; then
  say "installing slurmctld, slurmd, slurm-client, munge"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge python3
fi
say "$(slurmctld -V), $(munged -V 2>&1 | head -1)"
if [ ! -s /etc/munge/munge.key ]; then
  say "creating /etc/munge/munge.key"
  mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
fi

# 2. A one-node cluster in a temporary directory. munged runs as the munge user, which must be
# able to reach its socket directory (and refuses a key owned by another user when run as root).
tmp=$(mktemp -d /tmp/slurm-local.XXXXXX)
chmod 0711 "$tmp"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/sharded" "$tmp/single"
install -d -m 0711 -o munge -g munge "$tmp/munge"
pids=()
jobs_submitted=()
status=1
cleanup() {
  set +e
  if [ ${#jobs_submitted[@]} -gt 0 ]; then scancel "${jobs_submitted[@]}" 2>/dev/null; sleep 2; fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$status" = 0 ] && [ "${KEEP_TMP:-0}" != 1 ]; then rm -rf "$tmp"; else echo "temporary directory kept: $tmp"; fi
}
trap 'status=$?; cleanup' EXIT
trap 'exit 130' INT TERM

show_logs() {
  for f in "$tmp"/*.log "$tmp"/*.out "$tmp"/munge/munged.log; do
    [ -f "$f" ] && { echo "---- $f"; tail -n 40 "$f"; }
  done
}

say "munged (socket in $tmp/munge)"
setpriv --reuid=munge --regid=munge --init-groups nice -n "$NICE" munged -F \
  --socket="$tmp/munge/munge.socket.2" --key-file=/etc/munge/munge.key --log-file="$tmp/munge/munged.log" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" >"$tmp/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge/munge.socket.2" ] && break; sleep 0.2; done
munge -n -S "$tmp/munge/munge.socket.2" | unmunge -S "$tmp/munge/munge.socket.2" >/dev/null ||
  { show_logs; die "munged did not start"; }

cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)  # below what slurmd measures
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=baselines-test
SlurmctldHost=localhost
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket.2
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
ReturnToService=2
MinJobAge=3600
NodeName=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

# Jobs inherit slurmd's niceness (PropagatePrioProcess=0), so the grid runs at NICE too.
say "slurmctld and slurmd ($cpus CPUs, ${mem_mb} MB; config $SLURM_CONF)"
nice -n "$NICE" slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
nice -n "$NICE" slurmd -D -N localhost -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
state=
for _ in $(seq 120); do
  state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || { show_logs; sinfo -N -l || true; die "the node is not idle after 60 s (state '${state}')"; }
say "node idle after $((SECONDS - start_time)) s"

# 3. The cache once, then the array. The tasks get as many CPUs as the spec's threads, so
# that grid.sbatch's --threads (from SLURM_CPUS_PER_TASK) matches the one-process run.
threads=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("threads", 2))' "$SPEC")
[ "$threads" -le "$cpus" ] || die "the spec asks for $threads threads, this machine has $cpus CPUs"
cache=$tmp/tiny.h5
data_flags=(--synthetic-size tiny --cache "$cache")
say "preparing the cache $cache"
nice -n "$NICE" "$BASELINES" prepare "${data_flags[@]}" >"$tmp/prepare.out" 2>&1 || { cat "$tmp/prepare.out"; die "prepare failed"; }

# INDOMER_DATA is unset so that the empty data argument means the synthetic set.
array=$(env -u INDOMER_DATA RESULTS="$tmp/sharded" BASELINES="$BASELINES" \
  sbatch --parsable --array="1-$SHARDS" --cpus-per-task="$threads" --mem=512M --time=00:15:00 \
  --output="$tmp/sharded/slurm-%A_%a.out" experiments/slurm/grid.sbatch "$SPEC" "" "${data_flags[@]}" | cut -d';' -f1)
jobs_submitted+=("$array")
merge=$(RESULTS="$tmp/sharded" BASELINES="$BASELINES" \
  sbatch --parsable --dependency="afterok:$array" --mem=512M --time=00:10:00 \
  --output="$tmp/sharded/slurm-merge-%j.out" experiments/slurm/merge.sbatch | cut -d';' -f1)
jobs_submitted+=("$merge")
say "submitted array job $array (tasks 1-$SHARDS, $threads CPU(s) each) and merge job $merge (afterok:$array)"

# 4. Wait for both. Finished jobs stay visible to squeue -t all for MinJobAge (no accounting).
job_states() { squeue -h -t all -j "$1" -o '%i %T' 2>/dev/null || true; }
deadline=$((SECONDS + TIMEOUT))
while :; do
  a=$(job_states "$array")
  m=$(job_states "$merge")
  if [ -n "$a" ] && ! grep -qvE ' (COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE)$' <<<"$a"; then
    if grep -qv ' COMPLETED$' <<<"$a"; then
      echo "$a"; cat "$tmp"/sharded/slurm-*.out 2>/dev/null; show_logs
      die "array task(s) did not complete"
    fi
    grep -qE ' (COMPLETED)$' <<<"$m" && break
    if grep -qE ' (FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL)$' <<<"$m"; then
      echo "$m"; cat "$tmp"/sharded/slurm-merge-*.out 2>/dev/null; show_logs
      die "the merge job did not complete"
    fi
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    squeue -t all; show_logs; die "jobs not finished after $TIMEOUT s"
  fi
  sleep 2
done
echo "$a"
echo "$m"
say "array and merge done after $((SECONDS - start_time)) s"

# 5. The same grid in one process, same cache and threads.
say "the same grid in one process"
nice -n "$NICE" "$BASELINES" run --spec "$SPEC" "${data_flags[@]}" --threads "$threads" --quiet \
  --results "$tmp/single/runs.jsonl" --reports "$tmp/single" >"$tmp/single.out" 2>&1 || { cat "$tmp/single.out"; die "the one-process run failed"; }

failed=0
for f in results.csv robustness.csv; do
  if [ -f "$tmp/single/$f" ] || [ -f "$tmp/sharded/$f" ]; then
    if diff -u "$tmp/single/$f" "$tmp/sharded/$f" >"$tmp/$f.diff" 2>&1; then
      say "$f identical ($(wc -l <"$tmp/single/$f") lines)"
    else
      echo "$f differs (one process vs merged shards):"; head -n 60 "$tmp/$f.diff"; failed=1
    fi
  fi
done
[ -f "$tmp/single/results.csv" ] || { echo "no results.csv written"; failed=1; }

python3 - "$tmp/single/runs.jsonl" "$tmp"/sharded/shard_*_of_*.jsonl <<'EOF' || failed=1
import json, sys
# Fields that measure the machine or the moment rather than the run.
VOLATILE = {"finishedAt", "wallSeconds", "peakResidentBytes", "robustnessSeconds", "checkpointSeconds"}
def load(paths):
    runs = {}
    for path in paths:
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                key = r["runID"]
                if key in runs:
                    sys.exit(f"run {key} recorded twice ({path})")
                runs[key] = {k: v for k, v in r.items() if k not in VOLATILE}
    return runs
single, sharded = load(sys.argv[1:2]), load(sys.argv[2:])
label = lambda r: f'{r["model"]} {r["task"]} {r["modalities"]} seed {r["seed"]}'
ok = True
for key in sorted(single.keys() - sharded.keys()):
    print("only in the one-process run:", label(single[key])); ok = False
for key in sorted(sharded.keys() - single.keys()):
    print("only in the shards:", label(sharded[key])); ok = False
if single.keys() != sharded.keys():
    print("(a run's id covers its settings, data, grid and code: other ids mean other settings)")
for key in sorted(single.keys() & sharded.keys()):
    a, b = single[key], sharded[key]
    diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    if diff:
        print(f"{label(a)}: differs in {', '.join(diff)}"); ok = False
per_shard = [sum(1 for l in open(p) if l.strip()) for p in sys.argv[2:]]
print(f"== run logs: {len(single)} runs in one process, {len(sharded)} in {len(per_shard)} shards {per_shard}; "
      + ("the same runs, predictions and metrics" if ok else "they differ"))
sys.exit(0 if ok else 1)
EOF

if [ "$failed" = 0 ]; then
  echo "PASS: $SHARDS-task Slurm array + merge equals the one-process run ($((SECONDS - start_time)) s)"
else
  echo "FAIL: the merged report differs from the one-process run (files in $tmp)"
  exit 1
fi
