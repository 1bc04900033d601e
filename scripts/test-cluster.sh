#!/usr/bin/env bash
# A throw-away Kubernetes control plane for tests: etcd + kube-apiserver on loopback, no kubelet; and,
# when installed, kube-controller-manager running only the ClusterRole aggregation and the
# ValidatingAdmissionPolicy status (type checking) controllers.
#   scripts/test-cluster.sh start [DIR]   start one; prints the path of DIR/kubeconfig (DIR: a new temp dir)
#   scripts/test-cluster.sh stop DIR      stop the processes recorded in DIR and remove DIR
#   scripts/test-cluster.sh binaries      exit 0 when etcd and kube-apiserver are installed
# DIR also holds ca.crt/ca.key (the cluster CA), admin.crt/admin.key (a client in system:masters),
# webhook.crt/webhook.key (a serving certificate for 127.0.0.1/localhost signed by the CA, for
# admission webhooks under test), cluster.env (server URL, CONTROLLER_MANAGER=1 when
# kube-controller-manager runs) and the logs *.log.
# Binaries: $ERLMCP_AUDIT_ENGINES_DIR/bin, else <repo>/.engines/bin, else PATH
# (install: scripts/install-engines.sh --cluster). ERLMCP_AUDIT_CLUSTER_TIMEOUT: seconds to wait for
# /readyz (default 90).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
engines_bin="${ERLMCP_AUDIT_ENGINES_DIR:-$repo/.engines}/bin"
marker=.erlmcp-audit-test-cluster

die() { echo "test-cluster: $*" >&2; exit 3; }

find_bin() { # name -> absolute path, or nothing
  if [ -x "$engines_bin/$1" ]; then echo "$engines_bin/$1"; else command -v "$1" || true; fi
}

free_ports() { # count -> that many distinct free loopback TCP ports, one a line
  node -e '
    const net = require("node:net");
    const servers = [];
    const open = () => new Promise((resolve) => { const s = net.createServer(); servers.push(s); s.listen(0, "127.0.0.1", () => resolve(s.address().port)); });
    (async () => { const ports = []; for (let i = 0; i < Number(process.argv[1]); i++) ports.push(await open()); servers.forEach((s) => s.close()); console.log(ports.join("\n")); })();
  ' "$1"
}

issue_cert() { # dir name subject san(or "") -> dir/name.crt, dir/name.key signed by dir/ca
  local d=$1 n=$2 ext="$1/$2.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/$n.key" \
    -out "$d/$n.csr" -subj "$3" 2>/dev/null
  if [ -n "$4" ]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$4" >"$ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' >"$ext"
  fi
  openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$d/$n.crt" 2>/dev/null
  rm -f "$d/$n.csr" "$ext"
}

make_certs() { # dir
  local d=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=erlmcp-audit-test-cluster-ca" 2>/dev/null
  issue_cert "$d" apiserver "/CN=kube-apiserver" "DNS:localhost,IP:127.0.0.1"
  issue_cert "$d" webhook "/CN=localhost" "DNS:localhost,IP:127.0.0.1"
  issue_cert "$d" admin "/O=system:masters/CN=admin" ""
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  chmod 600 "$d"/*.key
}

write_kubeconfig() { # dir server
  cat >"$1/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: test-cluster
    cluster:
      server: $2
      certificate-authority: $1/ca.crt
users:
  - name: admin
    user:
      client-certificate: $1/admin.crt
      client-key: $1/admin.key
contexts:
  - name: test-cluster
    context: { cluster: test-cluster, user: admin }
current-context: test-cluster
EOF
}

spawn() { # dir name command... : runs detached from our stdio, records its PID in dir/name.pid
  local d=$1 n=$2
  shift 2
  "$@" </dev/null >"$d/$n.log" 2>&1 &
  echo $! >"$d/$n.pid"
}

running() { # pid: a live process (a zombie waiting for its reaper is not)
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "${state:0:1}" != Z ]
}

alive() { [ -f "$1" ] && running "$(cat "$1")"; }

stop_cluster() { # dir
  local d=$1
  [ -f "$d/$marker" ] || die "$d is not a test cluster directory (no $marker)"
  kill_recorded "$d" kube-controller-manager kube-apiserver etcd
  rm -rf "$d"
}

ready() { # dir server
  curl -sf --max-time 2 --cacert "$1/ca.crt" --cert "$1/admin.crt" --key "$1/admin.key" "$2/readyz" 2>/dev/null |
    grep -qx ok
}

server_of() { sed -n 's/^SERVER=//p' "$1/cluster.env"; }

kill_recorded() { # dir name...: SIGKILL the recorded processes and wait until they are gone
  local d=$1 n pid i
  shift
  for n in "$@"; do
    alive "$d/$n.pid" || continue
    pid=$(cat "$d/$n.pid")
    kill -9 "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do running "$pid" || break; sleep 0.1; done
  done
}

launch() { # dir etcd apiserver timeout: 0 ready, 1 a process exited, 2 timed out
  local d=$1 client peer secure server deadline
  mapfile -t ports < <(free_ports 3)
  client=${ports[0]} peer=${ports[1]} secure=${ports[2]}
  server="https://127.0.0.1:$secure"
  printf 'SERVER=%s\nETCD=http://127.0.0.1:%s\n' "$server" "$client" >"$d/cluster.env"
  spawn "$d" etcd "$2" --name test --data-dir "$d/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "test=http://127.0.0.1:$peer" --log-level warn
  # ServiceAccount admission needs the controller-manager's default ServiceAccounts: off, as no
  # controller creates them. Privileged containers are allowed, as in a usual cluster, so admission
  # policies (not the API server's --allow-privileged) are what denies them.
  spawn "$d" kube-apiserver "$3" --etcd-servers "http://127.0.0.1:$client" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$secure" \
    --tls-cert-file "$d/apiserver.crt" --tls-private-key-file "$d/apiserver.key" --client-ca-file "$d/ca.crt" \
    --authorization-mode RBAC --service-cluster-ip-range 10.0.0.0/24 \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$d/sa.pub" --service-account-signing-key-file "$d/sa.key" \
    --disable-admission-plugins ServiceAccount --allow-privileged=true --profiling=false --v 1
  deadline=$((SECONDS + $4))
  while [ "$SECONDS" -lt "$deadline" ]; do
    ready "$d" "$server" && return 0
    if ! alive "$d/etcd.pid" || ! alive "$d/kube-apiserver.pid"; then return 1; fi
    sleep 0.25
  done
  return 2
}

start_cluster() { # [dir]
  local etcd apiserver controller_manager d timeout attempt
  if [ $# -gt 0 ] && [ -e "$1" ] && [ -n "$(ls -A "$1")" ]; then die "$1 is not empty"; fi
  etcd=$(find_bin etcd)
  apiserver=$(find_bin kube-apiserver)
  controller_manager=$(find_bin kube-controller-manager)
  [ -n "$etcd" ] && [ -n "$apiserver" ] ||
    die "etcd and kube-apiserver are needed (looked in $engines_bin and PATH); run scripts/install-engines.sh --cluster"
  for tool in openssl curl node; do command -v "$tool" >/dev/null || die "$tool is needed"; done
  if [ $# -gt 0 ]; then
    mkdir -p "$1"
    d=$(cd "$1" && pwd)
  else
    d=$(mktemp -d "${TMPDIR:-/tmp}/erlmcp-audit-cluster.XXXXXX")
  fi
  touch "$d/$marker"
  timeout=${ERLMCP_AUDIT_CLUSTER_TIMEOUT:-90}

  make_certs "$d"
  # A port picked free can be taken before etcd or kube-apiserver binds it (parallel test files):
  # then that process exits with "address already in use" and the start is retried with new ports.
  for attempt in 1 2 3; do
    launch "$d" "$etcd" "$apiserver" "$timeout" && break
    [ $? -eq 1 ] && [ "$attempt" -lt 3 ] && grep -qs "address already in use" "$d/etcd.log" "$d/kube-apiserver.log" || break
    kill_recorded "$d" kube-apiserver etcd
    rm -rf "$d/etcd"
  done
  if ready "$d" "$(server_of "$d")"; then
    write_kubeconfig "$d" "$(server_of "$d")"
    if [ -n "$controller_manager" ]; then
      spawn "$d" kube-controller-manager "$controller_manager" --kubeconfig "$d/kubeconfig" \
        --controllers clusterrole-aggregation-controller,validatingadmissionpolicy-status-controller \
        --leader-elect=false --secure-port 0 --v 1
      echo "CONTROLLER_MANAGER=1" >>"$d/cluster.env"
    fi
    echo "$d/kubeconfig"
    return 0
  fi
  {
    echo "test-cluster: the API server did not become ready within ${timeout}s (data: $d)"
    for n in etcd kube-apiserver; do
      alive "$d/$n.pid" && echo "--- $n (running), last lines of $d/$n.log:" || echo "--- $n (exited), last lines of $d/$n.log:"
      tail -n 20 "$d/$n.log"
    done
  } >&2
  stop_cluster "$d"
  exit 3
}

case "${1:-}" in
  start) shift; start_cluster "$@" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop_cluster "$2" ;;
  binaries) [ -n "$(find_bin etcd)" ] && [ -n "$(find_bin kube-apiserver)" ] ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
