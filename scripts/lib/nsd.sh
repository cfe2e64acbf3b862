# shellcheck shell=bash
# NSD on loopback for tests, the lab and benchmarks. Source this file, then:
#
#   nsd_start DIR ZONEFILE PORT [ADDR] [ORIGIN]
#       Serves ZONEFILE (origin ORIGIN, default ".") on ADDR:PORT (default
#       127.0.0.1) over UDP and TCP, with every state file inside DIR (created).
#       Waits until the zone is loaded and the port answers, then sets NSD_PID and
#       prints it. Returns non-zero (with NSD's log) when NSD does not come up.
#   nsd_stop PID
#       Stops that NSD and waits for it to exit. Never touches other processes.
#   nsd_free_port [ADDR...]
#       Prints a port free for both UDP and TCP on every ADDR (default 127.0.0.1).
#
# Why these settings: NSD runs as root without dropping privileges
# (username ""), without a database file (database ""), and Debian builds it
# with response rate limiting, whose default (200 q/s per /24) would throttle
# every query from 127.0.0.1: RRL is switched off here. Environment knobs:
#   NSD_SERVER_COUNT (default 1), NSD_VERBOSITY (default 0), NSD_EXTRA_CONF (text appended
#   to nsd.conf, e.g. more zone: stanzas; the lab adds zones without data, which NSD
#   answers with SERVFAIL).
# Only 127.0.0.0/8 addresses are accepted.

nsd_start() {
  local dir=$1 zonefile=$2 port=$3 addr=${4:-127.0.0.1} origin=${5:-.}
  case $addr in
    127.*) ;;
    *) echo "nsd_start: refusing non-loopback address $addr" >&2; return 2 ;;
  esac
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  case $zonefile in /*) ;; *) zonefile=$(pwd)/$zonefile ;; esac
  if ! nsd-checkzone "$origin" "$zonefile" >"$dir/checkzone.log" 2>&1; then
    echo "nsd_start: zone $zonefile does not load:" >&2
    cat "$dir/checkzone.log" >&2
    return 1
  fi
  cat >"$dir/nsd.conf" <<CONF
server:
  ip-address: ${addr}@${port}
  port: ${port}
  do-ip4: yes
  do-ip6: no
  username: ""
  chroot: ""
  database: ""
  zonesdir: "${dir}"
  zonelistfile: "${dir}/zone.list"
  xfrdfile: "${dir}/xfrd.state"
  xfrdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  logfile: "${dir}/nsd.log"
  server-count: ${NSD_SERVER_COUNT:-1}
  verbosity: ${NSD_VERBOSITY:-0}
  hide-version: yes
  refuse-any: no
  reuseport: yes
  send-buffer-size: 4194304
  receive-buffer-size: 4194304
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "${origin}"
  zonefile: "${zonefile}"
${NSD_EXTRA_CONF:-}
CONF
  rm -f "$dir/nsd.pid"
  if ! nsd -c "$dir/nsd.conf" >>"$dir/nsd.log" 2>&1; then
    echo "nsd_start: nsd failed to start:" >&2
    cat "$dir/nsd.log" >&2
    return 1
  fi
  local i pid=""
  for i in $(seq 1 200); do
    if [[ -s $dir/nsd.pid ]]; then
      pid=$(cat "$dir/nsd.pid")
      if ss -Hlun "src $addr:$port" 2>/dev/null | grep -q . &&
         ss -Hltn "src $addr:$port" 2>/dev/null | grep -q . &&
         grep -q "zone ${origin} serial\|nsd started" "$dir/nsd.log" 2>/dev/null; then
        break
      fi
    fi
    sleep 0.05
  done
  if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
    echo "nsd_start: nsd did not come up on $addr:$port:" >&2
    cat "$dir/nsd.log" >&2
    return 1
  fi
  NSD_PID=$pid
  echo "$pid"
}

nsd_stop() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

nsd_free_port() {
  python3 - "${@:-127.0.0.1}" <<'PY'
import socket, sys
addrs = sys.argv[1:]
for _ in range(200):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addrs[0], 0))
    port = s.getsockname()[1]
    s.close()
    ok = True
    for a in addrs:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            t = socket.socket(socket.AF_INET, kind)
            try:
                t.bind((a, port))
            except OSError:
                ok = False
            finally:
                t.close()
    if ok:
        print(port)
        sys.exit(0)
sys.exit("nsd_free_port: no free port found")
PY
}
