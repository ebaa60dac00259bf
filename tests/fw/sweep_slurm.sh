#!/usr/bin/env bash
# ortigia sweep --slurm on a one-node Slurm cluster this test starts itself:
# munged, slurmctld and slurmd with a temporary configuration (non-default
# ports, state and sockets in a temporary folder, this machine only), stopped
# and removed at the end. The sweep is run three ways: locally, as a Slurm
# job array that the submitter waits for, and submitted with --no-wait then
# merged with --collect. The three results.csv must agree row for row (the
# host's times aside): a point gives the same cycles and energy
# wherever it runs.
# Exit 77 (skipped) without Slurm or munge (make deps installs them).
# Usage: sweep_slurm.sh ORTIGIA FW_TESTS_DIR
set -uo pipefail
ort=$1 fw=$(cd "$2" && pwd)
export PATH=$PATH:/usr/sbin:/sbin
for tool in munged slurmctld slurmd sbatch squeue sinfo; do
    command -v $tool > /dev/null || { echo "SKIP: $tool is not installed (make deps installs slurm-wlm and munge)"; exit 77; }
done
d=$(mktemp -d /tmp/ortigia-slurm.XXXXXX)
chmod 755 "$d"
stop() {
    for p in slurmd slurmctld munge; do
        [ -s "$d/$p.pid" ] && kill "$(cat "$d/$p.pid")" 2> /dev/null
    done
    for p in slurmd slurmctld munge; do
        for _ in $(seq 50); do
            [ -s "$d/$p.pid" ] && kill -0 "$(cat "$d/$p.pid")" 2> /dev/null || break
            sleep 0.1
        done
    done
    rm -rf "$d"
}
trap stop EXIT
fail() {
    echo "FAIL: $*"
    for f in "$d"/*.log "$d"/s_wait/slurm/task_*.log; do [ -f "$f" ] && { echo "--- $f"; tail -5 "$f"; }; done
    exit 1
}
user=$(id -un) host=$(hostname -s)
# Ports away from Slurm's defaults (6817/6818), different for each run.
port=$((20000 + ($$ % 4000) * 2))
# munge: a fresh key, its own socket
head -c 1024 /dev/urandom > "$d/munge.key" && chmod 400 "$d/munge.key"
munged --key-file="$d/munge.key" --socket="$d/munge.sock" --pid-file="$d/munge.pid" \
    --log-file="$d/munge.log" --seed-file="$d/munge.seed" --force 2> "$d/munged.err" ||
    { echo "SKIP: munged does not start here: $(cat "$d/munged.err")"; exit 77; }
mkdir -p "$d/state" "$d/spool"
cat > "$d/slurm.conf" <<CONF
ClusterName=ortigia-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$d/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$d/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld does not start"
slurmd -f "$SLURM_CONF" || fail "slurmd does not start"
for _ in $(seq 150); do
    state=$(sinfo -h -o %T 2> /dev/null)
    [ "$state" = idle ] && break
    sleep 0.2
done
[ "$state" = idle ] || fail "the node is not idle after 30 s (state: '$state')"

cat > "$d/spec.json" <<JSON
{"workload": {"elf": "$fw/check_kernels.elf"}, "grid": {"cluster.cores": [1, 2, 8], "l2.latency": [5, 15]}}
JSON
# the rows without the host's times (wall_s, sim_wall_s)
rows() {
    python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
drop = [k for k, name in enumerate(rows[0]) if name.endswith('wall_s')]
for r in rows:
    print(','.join(v for k, v in enumerate(r) if k not in drop))
PY
}
"$ort" sweep "$d/spec.json" -o "$d/s_local" --jobs 2 2> "$d/local.err" || fail "local sweep: $(cat "$d/local.err")"
"$ort" sweep "$d/spec.json" -o "$d/s_wait" --slurm --max-parallel 2 --time 10 2> "$d/wait.err" ||
    fail "sweep --slurm: $(cat "$d/wait.err")"
grep -q "as Slurm job" "$d/wait.err" || fail "sweep --slurm did not say it submitted a job: $(cat "$d/wait.err")"
[ "$(ls "$d"/s_wait/slurm/task_*.log | wc -l)" = 6 ] || fail "not one array task per point"
diff <(rows "$d/s_local/results.csv") <(rows "$d/s_wait/results.csv") > "$d/diff" ||
    fail "the Slurm rows differ from the local ones: $(cat "$d/diff")"

"$ort" sweep "$d/spec.json" -o "$d/s_later" --slurm --no-wait 2> "$d/later.err" ||
    fail "sweep --slurm --no-wait: $(cat "$d/later.err")"
grep -q -- "--collect" "$d/later.err" || fail "--no-wait does not say how to collect"
job=$(sed -n 's/.*as Slurm job \([0-9]*\).*/\1/p' "$d/later.err")
for _ in $(seq 300); do
    [ -z "$(squeue -h -j "$job" 2> /dev/null)" ] && break
    sleep 0.2
done
"$ort" sweep "$d/spec.json" -o "$d/s_later" --collect 2> "$d/collect.err" || fail "--collect: $(cat "$d/collect.err")"
diff <(rows "$d/s_local/results.csv") <(rows "$d/s_later/results.csv") > "$d/diff" ||
    fail "the collected rows differ from the local ones: $(cat "$d/diff")"

# Rows lost (two point files removed): --resume submits those two only.
rm "$d/s_wait/points/0001.json" "$d/s_wait/points/0004.json"
"$ort" sweep "$d/spec.json" -o "$d/s_wait" --slurm --resume 2> "$d/resume.err" || fail "--resume: $(cat "$d/resume.err")"
grep -q "2 points as Slurm job" "$d/resume.err" || fail "--resume did not submit the 2 missing points: $(cat "$d/resume.err")"
diff <(rows "$d/s_local/results.csv") <(rows "$d/s_wait/results.csv") > "$d/diff" ||
    fail "the resumed rows differ from the local ones: $(cat "$d/diff")"

# A collect before any task ran names the points without a row and fails.
mkdir -p "$d/s_none"
"$ort" sweep "$d/spec.json" -o "$d/s_none" --collect 2> "$d/none.err" && fail "--collect of nothing succeeded"
grep -q "no row" "$d/s_none/results.csv" || fail "the rows do not say why they are missing"
echo "PASS: the sweep over Slurm (waited for, and submitted then collected) gives the local rows"
