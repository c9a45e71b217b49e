#!/usr/bin/env bash
# A private Slurm 22.05 cluster with fake GPUs and slurmrestd (JWT) on loopback; all state under one directory.
#   scripts/slurm.sh start [DIR]       install if missing, start (or reuse) the cluster, print SLURM_URL/TOKEN/USER/CONF
#   scripts/slurm.sh env [DIR]         print the same lines for the running cluster (with a fresh token)
#   scripts/slurm.sh stop [DIR]        stop slurmrestd, the slurmds and slurmctld
#   scripts/slurm.sh stop-rest [DIR]   stop only slurmrestd (to test outages)
#   scripts/slurm.sh start-rest [DIR]  start slurmrestd again
#   scripts/slurm.sh restart-ctld [DIR] kill a slurmctld that stopped answering and start it again (state is kept)
#   scripts/slurm.sh scontrol ARGS...  run scontrol against the cluster in ${BROKER_SLURM_DIR} (as root)
# DIR defaults to ${BROKER_SLURM_DIR:-/tmp/broker-slurm}. Ports (override by env): BROKER_SLURMCTLD_PORT (16817),
# BROKER_SLURMD_PORT_BASE (16901, one per node), BROKER_SLURMREST_PORT (16820). Token lifespan:
# BROKER_SLURM_TOKEN_LIFESPAN seconds (86400). Only the KEY=VALUE lines go to stdout (SLURM_URL, SLURM_TOKEN, SLURM_USER,
# SLURM_CONF, SLURM_OUTPUT_ROOT); progress goes to stderr. start refuses (exit 3, naming the holder) a port another
# process holds for a daemon it would launch.
# Tenancy: jobs run as unprivileged team users, never root. start creates the users in BROKER_SLURM_TEAM_USERS (default:
# the demo teams' broker-vision and broker-nlp, and broker-team-a/broker-team-b for the test suite) and, for each, the
# directory SLURM_OUTPUT_ROOT/<user> (owner the user, mode 700) where its jobs write. Slurm's JWT key is kept in
# DIR/secrets (mode 700, root only) with mode 600; Slurm's state and logs are root only.
set -euo pipefail
# Configuration and fake devices must stay readable for Slurm's commands and the jobs, whatever the caller's umask.
umask 022

cmd=${1:-}
[ $# -gt 0 ] && shift
if [ "$cmd" = scontrol ]; then dir=${BROKER_SLURM_DIR:-/tmp/broker-slurm}; else dir=${1:-${BROKER_SLURM_DIR:-/tmp/broker-slurm}}; fi
conf="$dir/slurm.conf"
ctld_port=${BROKER_SLURMCTLD_PORT:-16817}
slurmd_port_base=${BROKER_SLURMD_PORT_BASE:-16901}
rest_port=${BROKER_SLURMREST_PORT:-16820}
token_lifespan=${BROKER_SLURM_TOKEN_LIFESPAN:-86400}
read -r -a team_users <<<"${BROKER_SLURM_TEAM_USERS:-broker-vision broker-nlp broker-team-a broker-team-b}"
output_root="$dir/teams"
jwt_key="$dir/secrets/jwt.key"
# name:gres type:gpu count:cpus:memory MB:shards per GPU (gres/shard: Slurm packs jobs asking --gres=shard:N onto one GPU)
# Sizes of real GPU servers (DGX H100: 224 threads, 2 TB), so a job's CPUs and memory limit packing as they would there.
nodes=(gpu-h100-1:h100:8:224:2048000:8 gpu-h100-2:h100:8:224:2048000:8 gpu-a100-1:a100:4:128:1024000:4
    gpu-a100-2:a100:4:128:1024000:4 gpu-l4-1:l4:4:64:600000:4)
# MIG-partitioned nodes, name:cpus:memory MB:profile=count,... Each MIG slice is a GPU GRES whose type is its profile
# (gpu:1g.10gb), as Slurm's NVML autodetection names them; here one A100-80GB cut into 4x 1g.10gb and 1x 3g.40gb.
mig_nodes=(gpu-a100mig-1:128:1024000:1g.10gb=4,3g.40gb=1)

log() { echo "slurm.sh: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Runs a command as root with stdin from /dev/null and output appended to a root-owned log file.
# Daemons must not inherit fd 9 (the start/stop lock) or they would hold it forever.
as_root_logged() { as_root sh -c 'log=$1; shift; exec "$@" </dev/null >>"$log" 2>&1' sh "$@" 9>&-; }
pid_alive() { [ -f "$1" ] && as_root kill -0 "$(cat "$1")" 2>/dev/null; }
node_names() { local n; for n in "${nodes[@]}" "${mig_nodes[@]}"; do echo "${n%%:*}"; done; }
# gpu:1g.10gb:4,gpu:3g.40gb:1 for 1g.10gb=4,3g.40gb=1
mig_gres() { local p out=(); IFS=, read -r -a profiles <<<"$1"; for p in "${profiles[@]}"; do out+=("gpu:${p%%=*}:${p#*=}"); done
    local IFS=,; echo "${out[*]}"; }

# The rest port of a running cluster wins over the environment, so `env`/`start-rest` keep the same URL.
[ -f "$dir/rest.port" ] && rest_port=$(cat "$dir/rest.port")

install_packages() {
    # /usr/sbin is not on a normal user's PATH, so look for the daemons by path.
    [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && [ -x /usr/sbin/slurmrestd ] && return 0
    log "installing slurm-wlm slurmrestd"
    # Wait for another apt/dpkg run instead of failing on its lock; update the package lists only if needed.
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -qq)
    if ! as_root "${apt[@]}" install slurm-wlm slurmrestd >&2; then
        as_root "${apt[@]}" update >&2
        as_root "${apt[@]}" install slurm-wlm slurmrestd >&2
    fi
}

ensure_munge() {
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
    log "starting munged"
    as_root install -d -o munge -g munge -m 755 /run/munge
    # Like every daemon here: no inherited stdio (callers read ours to EOF) and no lock fd.
    as_root runuser -u munge -- /usr/sbin/munged --force </dev/null >/dev/null 2>&1 9>&- \
        || as_root /usr/sbin/munged --force </dev/null >/dev/null 2>&1 9>&- || true
    for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
    log "munged did not come up (try: sudo munged --foreground)"; exit 1
}

# useradd takes a lock on /etc/passwd: another cluster starting at the same moment may hold it, or create the user first.
ensure_user() {
    local user=$1
    for _ in $(seq 50); do
        id "$user" >/dev/null 2>&1 && return 0
        as_root useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$user" 2>/dev/null && return 0
        sleep 0.2
    done
    log "could not create user $user"; exit 1
}

# The team users and their output directories; the root directory is root's, so no team can touch another's.
ensure_tenants() {
    local user
    as_root install -d -o root -g root -m 755 "$output_root"
    for user in "${team_users[@]}"; do
        [ "$(id -u "$user" 2>/dev/null)" = 0 ] && { log "refusing team user $user: it has uid 0"; exit 1; }
        ensure_user "$user"
        as_root install -d -o "$user" -g "$(id -gn "$user")" -m 700 "$output_root/$user"
    done
}

write_config() {
    local host port i=0 n name type count cpus mem shards profiles p profile pcount first files slices
    host=$(hostname -s)
    # Jobs exec their script from the spool and read the configuration, so those stay world-readable; state and logs do not.
    as_root install -d -m 755 "$dir" "$dir/spool" "$dir/dev" "$dir/run"
    as_root install -d -m 700 "$dir/log" "$dir/state" "$dir/secrets"
    as_root chmod 700 "$dir/log" "$dir/state" "$dir/secrets"
    # An older layout kept the key beside slurm.conf.
    if [ -s "$dir/jwt.key" ] && [ ! -s "$jwt_key" ]; then as_root mv "$dir/jwt.key" "$jwt_key"; fi
    as_root rm -f "$dir/jwt.key"
    as_root rmdir "$dir/jobs" 2>/dev/null || true
    if [ ! -s "$jwt_key" ]; then
        as_root sh -c "umask 077; head -c 32 /dev/urandom > '$jwt_key'"
    fi
    as_root chown root:root "$jwt_key"
    as_root chmod 600 "$jwt_key"
    {
        cat <<EOF
# Generated by scripts/slurm.sh: a private cluster with fake GPUs. Do not edit; it is rewritten on start.
ClusterName=broker
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$jwt_key
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobContainerType=job_container/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu,shard
ReturnToService=2
MinJobAge=1800
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
MailProg=/bin/true
EOF
        for n in "${nodes[@]}"; do
            IFS=: read -r name type count cpus mem shards <<<"$n"
            port=$((slurmd_port_base + i)); i=$((i + 1))
            echo "NodeName=$name NodeHostname=$host NodeAddr=127.0.0.1 Port=$port CPUs=$cpus RealMemory=$mem Gres=gpu:$type:$count,shard:$((count * shards)) State=UNKNOWN"
        done
        for n in "${mig_nodes[@]}"; do
            IFS=: read -r name cpus mem profiles <<<"$n"
            port=$((slurmd_port_base + i)); i=$((i + 1))
            echo "NodeName=$name NodeHostname=$host NodeAddr=127.0.0.1 Port=$port CPUs=$cpus RealMemory=$mem Gres=$(mig_gres "$profiles") State=UNKNOWN"
        done
        echo "PartitionName=gpu Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    } | as_root tee "$conf.tmp" >/dev/null
    as_root mv "$conf.tmp" "$conf"
    {
        for n in "${nodes[@]}"; do
            IFS=: read -r name type count cpus mem shards <<<"$n"
            as_root install -d -m 755 "$dir/dev/$name" "$dir/spool/$name"
            for ((g = 0; g < count; g++)); do as_root touch "$dir/dev/$name/nvidia$g"; done
            echo "NodeName=$name Name=gpu Type=$type File=$dir/dev/$name/nvidia[0-$((count - 1))]"
            echo "NodeName=$name Name=shard Count=$((count * shards)) File=$dir/dev/$name/nvidia[0-$((count - 1))]"
        done
        for n in "${mig_nodes[@]}"; do
            IFS=: read -r name cpus mem profiles <<<"$n"
            as_root install -d -m 755 "$dir/dev/$name" "$dir/spool/$name"
            first=0
            IFS=, read -r -a slices <<<"$profiles"
            for p in "${slices[@]}"; do
                profile=${p%%=*}; pcount=${p#*=}
                for ((g = first; g < first + pcount; g++)); do as_root touch "$dir/dev/$name/nvidia-mig$g"; done
                if [ "$pcount" = 1 ]; then files="nvidia-mig$first"; else files="nvidia-mig[$first-$((first + pcount - 1))]"; fi
                echo "NodeName=$name Name=gpu Type=$profile File=$dir/dev/$name/$files"
                first=$((first + pcount))
            done
        done
    } | as_root tee "$dir/gres.conf.tmp" >/dev/null
    as_root mv "$dir/gres.conf.tmp" "$dir/gres.conf"
}

start_daemons() {
    local name
    if ! pid_alive "$dir/run/slurmctld.pid"; then
        log "starting slurmctld on port $ctld_port"
        as_root_logged "$dir/log/slurmctld.out" /usr/sbin/slurmctld -f "$conf" -i \
            || { as_root tail -20 "$dir/log/slurmctld.log" >&2 || true; exit 1; }
        # slurmds that start before slurmctld listens register only on their next retry, seconds later.
        for _ in $(seq 100); do as_root env SLURM_CONF="$conf" scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
    fi
    for name in $(node_names); do
        if ! pid_alive "$dir/run/slurmd-$name.pid"; then
            as_root_logged "$dir/log/slurmd.out" /usr/sbin/slurmd -N "$name" -f "$conf" \
                || { as_root tail -20 "$dir/log/slurmd-$name.log" >&2 || true; exit 1; }
        fi
    done
}

wait_for_nodes() {
    local states
    for _ in $(seq 120); do
        states=$(SLURM_CONF=$conf sinfo -h -N -o '%N %T' 2>/dev/null | sort -u || true)
        if [ -n "$states" ] && ! grep -qvE ' (idle|mixed|allocated|completing|drained|draining)$' <<<"$states" \
            && [ "$(wc -l <<<"$states")" -eq "$(node_names | wc -l)" ]; then
            return 0
        fi
        sleep 0.5
    done
    log "nodes did not become idle:"; echo "$states" >&2; exit 1
}

# What holds TCP port $1 (listening on any address), or nothing when it is free.
port_holder() {
    local line
    if command -v ss >/dev/null; then
        line=$(as_root ss -Hltnp "sport = :$1" 2>/dev/null | head -1) || true
        [ -n "$line" ] && { sed -n 's/.*users:((\(.*\)))/\1/p' <<<"$line" | grep . || echo "a listener"; }
    elif (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "a listener"
    fi
    return 0
}

# Every daemon start would launch needs its own port: one another process holds makes that daemon fail later (or sends
# its clients to someone else's cluster), so start refuses up front, before it writes or starts anything.
check_ports() {
    local name i=0 holder busy=()
    want_port() { holder=$(port_holder "$2"); [ -z "$holder" ] || busy+=("$1 port $2 is held by $holder"); }
    pid_alive "$dir/run/slurmctld.pid" || want_port slurmctld "$ctld_port"
    for name in $(node_names); do
        pid_alive "$dir/run/slurmd-$name.pid" || want_port "slurmd $name" $((slurmd_port_base + i))
        i=$((i + 1))
    done
    pid_alive "$dir/run/slurmrestd.pid" || want_port slurmrestd "$rest_port"
    [ ${#busy[@]} -eq 0 ] && return 0
    log "refusing to start the cluster in $dir: another process holds a port it needs"
    for holder in "${busy[@]}"; do log "  $holder"; done
    log "choose free ports with BROKER_SLURMCTLD_PORT, BROKER_SLURMD_PORT_BASE (one per node) and BROKER_SLURMREST_PORT"
    exit 3
}

rest_answers() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$rest_port/openapi/v3"; }

start_rest() {
    id slurmrest >/dev/null 2>&1 || as_root useradd -r -M -s /usr/sbin/nologin slurmrest
    if ! pid_alive "$dir/run/slurmrestd.pid"; then
        log "starting slurmrestd on 127.0.0.1:$rest_port"
        echo "$rest_port" | as_root tee "$dir/rest.port" >/dev/null
        # setsid -f detaches at once; nothing keeps this script's stdout open (callers read it to EOF).
        as_root_logged "$dir/log/slurmrestd.log" env SLURM_JWT=daemon SLURM_CONF="$conf" \
            setsid -f sh -c 'echo $$ > "$0"; exec "$@"' "$dir/run/slurmrestd.pid" \
            /usr/sbin/slurmrestd -s openapi/v0.0.38 -a rest_auth/jwt -u slurmrest -g slurmrest "127.0.0.1:$rest_port"
    fi
    for _ in $(seq 100); do rest_answers && return 0; sleep 0.2; done
    log "slurmrestd does not answer on port $rest_port:"; as_root tail -20 "$dir/log/slurmrestd.log" >&2 || true; exit 1
}

print_env() {
    local token
    token=$(as_root env SLURM_CONF="$conf" scontrol token username=root lifespan="$token_lifespan" | sed -n 's/^SLURM_JWT=//p')
    [ -n "$token" ] || { log "scontrol token gave no token"; exit 1; }
    echo "SLURM_URL=http://127.0.0.1:$rest_port"
    echo "SLURM_TOKEN=$token"
    echo "SLURM_USER=root"
    echo "SLURM_CONF=$conf"
    echo "SLURM_OUTPUT_ROOT=$output_root"
}

# SIGTERM every daemon named by the pid files at once, then wait for all (each takes about 2 s to exit).
stop_pidfiles() {
    local file pids=()
    for file in "$@"; do
        if pid_alive "$file"; then
            pids+=("$(cat "$file")")
            as_root kill "${pids[-1]}" 2>/dev/null || true
        fi
    done
    for _ in $(seq 100); do
        local alive=0 pid
        for pid in "${pids[@]}"; do as_root kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do as_root kill -9 "$pid" 2>/dev/null || true; done
    as_root rm -f "$@"
}

# Serialize start/stop of one DIR across concurrent callers (two test runs, a demo and a test run).
case "$cmd" in start | stop | start-rest | stop-rest | restart-ctld)
    if { exec 9>>"${dir%/}.lock"; } 2>/dev/null; then flock 9; fi ;;
esac

case "$cmd" in
start)
    install_packages
    ensure_munge
    check_ports
    if ! pid_alive "$dir/run/slurmctld.pid"; then write_config; fi
    ensure_tenants
    start_daemons
    wait_for_nodes
    start_rest
    print_env
    ;;
env)
    pid_alive "$dir/run/slurmctld.pid" || { log "no cluster running in $dir"; exit 1; }
    print_env
    ;;
start-rest) start_rest ;;
restart-ctld)
    if pid_alive "$dir/run/slurmctld.pid"; then
        log "slurmctld (pid $(cat "$dir/run/slurmctld.pid")) is alive but does not answer: killing it"
        as_root kill -9 "$(cat "$dir/run/slurmctld.pid")" 2>/dev/null || true
        for _ in $(seq 50); do pid_alive "$dir/run/slurmctld.pid" || break; sleep 0.1; done
    else
        log "slurmctld is not running (crashed or killed): starting it"
    fi
    as_root rm -f "$dir/run/slurmctld.pid"
    start_daemons
    wait_for_nodes
    ;;
stop-rest) stop_pidfiles "$dir/run/slurmrestd.pid" ;;
stop)
    files=("$dir/run/slurmrestd.pid" "$dir/run/slurmctld.pid")
    for name in $(node_names); do files+=("$dir/run/slurmd-$name.pid"); done
    stop_pidfiles "${files[@]}"
    as_root rm -f "$dir/rest.port"
    ;;
scontrol) as_root env SLURM_CONF="$conf" scontrol "$@" ;;
*) echo "usage: $0 start|env|stop|stop-rest|start-rest|restart-ctld [DIR] | scontrol ARGS..." >&2; exit 2 ;;
esac
