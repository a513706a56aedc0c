#!/usr/bin/env bash
# A SceneFarm farm of five hosts on one machine: network namespaces joined by a bridge, the
# coordinator on one, a worker on each of three more, and a client on the fifth that submits a job
# and waits for it. The dataset is then verified, and every worker must have committed frames.
#
#   sudo cluster/netns-farm.sh [path/to/scenefarm]      the farm test (default .build/release/scenefarm)
#   sudo cluster/netns-farm.sh --network-only           only the network: an HTTP server on the
#                                                       coordinator's host, fetched from every other host
#
#                 namespace <p>-lan: bridge br0 (no address)
#     ┌──────────────┬──────────────┬──────────────┬──────────────┐
#  <p>-coord      <p>-w1         <p>-w2         <p>-w3         <p>-client      (<p> = sf<pid>)
#  10.77.0.1      10.77.0.11     10.77.0.12     10.77.0.13     10.77.0.100     eth0, a veth pair each
#
# The root namespace is never touched: the bridge lives in a namespace of its own, and no host has a
# route beyond 10.77.0.0/24, so nothing this script starts can reach or be reached from outside.
# Everything (processes, namespaces, the temporary directory) is removed on exit, failure included;
# KEEP=1 keeps the temporary directory (logs, token, dataset).
#
# Environment: SCENE (default scenes/minimal.yaml), FRAMES (default 12), SHARD_SIZE (the
# coordinator's --shard-size, default 2), TIMEOUT seconds for the job (default 300), WORKER_DEVICE
# (default --cpu).
#
# Why shards of 2: a worker holds at most 2 shards at a time (LeaseTable's default), so a job needs
# more than 2 x 2 shards for the third worker to be sure of one; 12 frames in shards of 2 are 6.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
mode=farm
binary="$repo/.build/release/scenefarm"
for arg in "$@"; do
  case "$arg" in
    --network-only) mode=network ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "netns-farm: unknown option $arg" >&2; exit 2 ;;
    *) binary="$arg" ;;
  esac
done

scene="${SCENE:-$repo/scenes/minimal.yaml}"
frames="${FRAMES:-12}"
shard_size="${SHARD_SIZE:-2}"
job_timeout="${TIMEOUT:-300}"
worker_device="${WORKER_DEVICE:---cpu}"
dataset_name=netns-farm
port=7400
http_port=7401

# fd 3 is the script's stderr, so a failure inside a polled (silenced) check still shows.
exec 3>&2
fail() {
  echo "netns-farm: $*" >&3
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root (network namespaces): sudo $0 $*"
command -v ip >/dev/null || fail "ip (iproute2) not found: apt-get install iproute2"
command -v python3 >/dev/null || fail "python3 not found (it parses the status JSON and serves HTTP)"
if [ "$mode" = farm ]; then
  [ -x "$binary" ] || fail "no scenefarm binary at $binary (swift build -c release --product scenefarm, or pass its path)"
  binary="$(realpath "$binary")"
  [ -f "$scene" ] || fail "no scene file at $scene"
  scene="$(realpath "$scene")"
fi

prefix="sf$$"
lan="$prefix-lan"
hosts=(coord w1 w2 w3 client)
declare -A address=([coord]=10.77.0.1 [w1]=10.77.0.11 [w2]=10.77.0.12 [w3]=10.77.0.13 [client]=10.77.0.100)
coordinator="${address[coord]}:$port"
namespaces=()
pids=()
tmp="$(mktemp -d /tmp/scenefarm-netns.XXXXXX)"
chmod 755 "$tmp"

ns() { echo "$prefix-$1"; }

# Stops what is still running, deletes the namespaces and the temporary directory. On failure it
# first prints the end of every log. It writes to fd 3: an exit can happen inside a silenced poll.
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  # A reader that went away (`| head`) must not stop the clean-up half-way.
  trap '' PIPE
  local pid ns_name
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for ns_name in "${namespaces[@]}"; do
    # Anything else left in the namespace was started by this script.
    for pid in $(ip netns pids "$ns_name" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns delete "$ns_name" 2>/dev/null
  done
  if [ "$rc" -ne 0 ]; then
    local log
    for log in "$tmp"/*.log; do
      [ -s "$log" ] || continue
      { echo "---- $(basename "$log") (last 30 lines)" && tail -n 30 "$log"; } >&3 2>/dev/null
    done
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "netns-farm: kept $tmp" >&3 2>/dev/null
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "netns-farm: interrupted" >&3; exit 130' INT
trap 'echo "netns-farm: terminated" >&3; exit 143' TERM

# --- the network -------------------------------------------------------------------------------

ip netns add "$lan"
namespaces+=("$lan")
ip -n "$lan" link set dev lo up
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set dev br0 up

for host in "${hosts[@]}"; do
  name="$(ns "$host")"
  ip netns add "$name"
  namespaces+=("$name")
  ip -n "$name" link set dev lo up
  # Both ends are created inside namespaces, so no interface name can clash with the host's.
  ip -n "$name" link add eth0 type veth peer name "p-$host" netns "$lan"
  ip -n "$lan" link set dev "p-$host" master br0
  ip -n "$lan" link set dev "p-$host" up
  ip -n "$name" addr add "${address[$host]}/24" dev eth0
  ip -n "$name" link set dev eth0 up
done

# No host may have a route beyond the farm's /24 (no default route, nothing to the outside).
for host in "${hosts[@]}"; do
  routes="$(ip -n "$(ns "$host")" -4 route show | sed 's/ *$//')"
  [ "$routes" = "10.77.0.0/24 dev eth0 proto kernel scope link src ${address[$host]}" ] ||
    fail "unexpected routes in $(ns "$host"): $routes"
done

# Runs a command on a host: in_host HOST COMMAND... Not for background processes: a function run
# with & is a subshell, so $! would be that shell's pid, not the program's, and a SIGTERM meant to
# drain the program would stop only the shell. Those start with `ip netns exec`, which execs.
in_host() {
  local host="$1"
  shift
  ip netns exec "$(ns "$host")" "$@"
}

# Polls a command until it succeeds: wait_for SECONDS WHAT COMMAND...
wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.2
  done
}

# GET http://HOST:PORT/PATH from a host; prints the body, fails on a non-200 answer.
http_get() {
  local host="$1" url="$2"
  in_host "$host" python3 -c '
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
    sys.stdout.write(response.read().decode("utf-8", "replace"))
' "$url"
}

if [ "$mode" = network ]; then
  mkdir "$tmp/www"
  token="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "$token" >"$tmp/www/probe"
  ip netns exec "$(ns coord)" python3 -m http.server --bind "${address[coord]}" --directory "$tmp/www" 8000 \
    >"$tmp/http.log" 2>&1 &
  pids+=("$!")
  wait_for 20 "the HTTP server in $(ns coord)" http_get client "http://${address[coord]}:8000/probe"
  for host in w1 w2 w3 client; do
    body="$(http_get "$host" "http://${address[coord]}:8000/probe")" ||
      fail "$(ns "$host") could not fetch http://${address[coord]}:8000/probe"
    [ "$body" = "$token" ] || fail "$(ns "$host") fetched the wrong body: $body"
  done
  # The other way round too: coord reaches a server on a worker's host.
  ip netns exec "$(ns w3)" python3 -m http.server --bind "${address[w3]}" --directory "$tmp/www" 8000 \
    >"$tmp/http-w3.log" 2>&1 &
  pids+=("$!")
  wait_for 20 "the HTTP server in $(ns w3)" http_get coord "http://${address[w3]}:8000/probe"
  echo "netns-farm: network ok: ${#hosts[@]} hosts on a bridge in 10.77.0.0/24, HTTP reached from every host, no route outside"
  exit 0
fi

# --- the farm ----------------------------------------------------------------------------------

started=$SECONDS
head -c 32 /dev/urandom | base64 >"$tmp/token"
chmod 600 "$tmp/token"
mkdir "$tmp/data"

ip netns exec "$(ns coord)" "$binary" coordinator --listen "$coordinator" --http "${address[coord]}:$http_port" \
  --data "$tmp/data" --token-file "$tmp/token" --shard-size "$shard_size" >"$tmp/coordinator.log" 2>&1 &
coordinator_pid=$!
pids+=("$coordinator_pid")

coordinator_up() {
  kill -0 "$coordinator_pid" 2>/dev/null || fail "the coordinator exited (see coordinator.log)"
  in_host client "$binary" status --coordinator "$coordinator" --token-file "$tmp/token"
}
wait_for 60 "the coordinator at $coordinator" coordinator_up
http_get client "http://${address[coord]}:$http_port/healthz" >/dev/null ||
  fail "GET /healthz on ${address[coord]}:$http_port failed"
http_get client "http://${address[coord]}:$http_port/metrics" >"$tmp/metrics.txt" ||
  fail "GET /metrics on ${address[coord]}:$http_port failed"

worker_pids=()
for host in w1 w2 w3; do
  ip netns exec "$(ns "$host")" "$binary" worker --connect "$coordinator" --token-file "$tmp/token" \
    "$worker_device" --id "$host" >"$tmp/worker-$host.log" 2>&1 &
  worker_pids+=("$!")
  pids+=("$!")
done

# Prints the status JSON as the client sees it.
status_json() {
  in_host client "$binary" status --coordinator "$coordinator" --token-file "$tmp/token" --json
}

# Succeeds when the status lists at least 3 workers.
three_workers() {
  status_json >"$tmp/status.json" || return 1
  python3 -c '
import json, sys
workers = json.load(open(sys.argv[1])).get("workers", [])
sys.exit(0 if len(workers) >= 3 else 1)
' "$tmp/status.json"
}
# Every worker must be connected before the job arrives, or the first to connect takes it all.
wait_for 60 "3 workers in the coordinator's status (last: $tmp/status.json)" three_workers

# In the background and waited for, so that a signal to this script is handled at once (bash runs
# a trap only after the foreground command ends, but interrupts `wait`).
timeout "$job_timeout" ip netns exec "$(ns client)" "$binary" submit "$scene" --coordinator "$coordinator" \
  --token-file "$tmp/token" --out "$dataset_name" --frames "$frames" --wait >"$tmp/submit.log" 2>&1 &
submit_pid=$!
pids+=("$submit_pid")
submit_rc=0
wait "$submit_pid" || submit_rc=$?
[ "$submit_rc" -ne 124 ] || fail "the job did not finish within ${job_timeout}s"
[ "$submit_rc" -eq 0 ] || fail "submit --wait exited $submit_rc (see submit.log)"

"$binary" verify "$tmp/data/$dataset_name" >"$tmp/verify.log" 2>&1 ||
  fail "scenefarm verify $tmp/data/$dataset_name failed (see verify.log)"

status_json >"$tmp/status.json" || fail "status --json failed after the job"
# Each worker in the status (workers[].frames_committed, snake_case keys) must have committed frames.
per_worker="$(python3 -c '
import json, sys
status = json.load(open(sys.argv[1]))
workers = status.get("workers")
if not isinstance(workers, list):
    sys.exit("status --json has no workers list: " + json.dumps(status)[:500])
busy = []
for index, worker in enumerate(workers):
    name = worker.get("id", worker.get("worker_id", "worker %d" % index))
    committed = worker.get("frames_committed")
    if not isinstance(committed, int):
        sys.exit("worker %s has no integer frames_committed: %s" % (name, json.dumps(worker)))
    if committed > 0:
        busy.append("%s %d" % (name, committed))
if len(busy) < 3:
    sys.exit("only %d of %d workers committed frames: %s" % (len(busy), len(workers), json.dumps(workers)))
print(", ".join(busy))
' "$tmp/status.json")" || fail "workers check failed (status in status.json)"

# SIGTERM drains: every worker, then the coordinator, must exit on its own, with status 0.
stop() {
  local pid="$1" what="$2" grace="$3" rc=0
  kill -TERM "$pid"
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what did not exit within ${grace}s of SIGTERM"
    sleep 0.2
  done
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "$what exited $rc after SIGTERM"
}
for i in 0 1 2; do stop "${worker_pids[$i]}" "worker w$((i + 1))" 30; done
stop "$coordinator_pid" coordinator 30

echo "netns-farm: $frames frames of $(basename "$scene") by 3 workers on 5 hosts ($per_worker), dataset verified, clean drain, $((SECONDS - started))s"
