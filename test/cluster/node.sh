#!/usr/bin/env bash
# A throwaway single-node Kubernetes on this machine, for the cluster suite (npm run test:cluster).
#
#   node.sh up      boot a fresh node (runs `down` first, so leftovers of a killed run are cleaned)
#   node.sh down    stop everything `up` started, by PID, and undo every change it made to the machine
#   node.sh import ARCHIVE...   import OCI image archives into the node's containerd (k8s.io namespace)
#
# CLUSTER_CONTAINERD_CONFIG_PATH=DIR node.sh up   sets containerd's registry config_path to DIR (created empty), where
#   containerd looks for <host>/hosts.toml on every pull. Unset (the default), config_path stays "" as in
#   `containerd config default` of 1.6 (and GKE, DigitalOcean): containerd ignores every hosts.toml.
#
# Real components: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy (built by
# build-k8s.sh), containerd and runc with Debian's CNI plugins (bridge, host-local, portmap with SNAT, loopback), and
# dnsmasq as cluster DNS (a stand-in for CoreDNS, fed with one record per Service from the API).
#
# What it changes on the machine, all undone by `down` (also after a failed or killed run):
# - two bridges, rsnode0 (the node's address 10.245.0.1/32: API server, kubelet, DNS, NodePorts) and rscni0 (pods,
#   10.244.0.0/24), and the pods' veth pairs and network namespaces;
# - iptables chains named KUBE-*, CNI-* and RSCLUSTER-* (IPv4 and IPv6) and the rules that jump to them; nothing else;
# - the sysctls listed in SYSCTLS (kubelet, kube-proxy and forwarding set some), restored to the values saved by the
#   first `up`;
# - mounts under its own directories and the kubepods cgroups; its files live in $CLUSTER_ROOT and $CLUSTER_RUN.
# Every server listens on the node address or 127.0.0.1 only, and a FORWARD rule drops pod traffic that would leave
# the machine. Logs go to $CLUSTER_LOGS, which is kept for reading after a failure and cleared by the next `up`.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ROOT=${CLUSTER_ROOT:-/var/tmp/cdk8s-registry-cluster}
RUN=${CLUSTER_RUN:-/run/cdk8s-registry-cluster}
LOGS=${CLUSTER_LOGS:-/tmp/cdk8s-registry-cluster-logs}
BASELINE=/var/tmp/cdk8s-registry-cluster.baseline
NODE=cluster-node
NODE_IP=10.245.0.1
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
SOCK=$RUN/containerd.sock
CONFIG_PATH=${CLUSTER_CONTAINERD_CONFIG_PATH:-}
ETCD=http://127.0.0.1:12379
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.ipv4.conf.all.route_localnet vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
PAUSE_IMAGE=registry.k8s.io/pause:3.10

t0=$(date +%s)
say() { echo "[node $(( $(date +%s) - t0 ))s] $*"; }
die() { echo "node.sh: $*" >&2; exit 1; }

kubectl_() { "$BIN/kubectl" --kubeconfig "$ROOT/pki/admin.kubeconfig" "$@"; }

find_bin() {
  BIN=${K8S_BIN:-}
  if [ -z "$BIN" ]; then
    local version
    version=$(sed -n 's/^require k8s\.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/k8s/go.mod")
    BIN="$HOME/.cache/cdk8s-private-registry/k8s-$version/bin"
  fi
}

require_tools() {
  local missing=()
  for t in etcd:etcd-server containerd:containerd runc:runc ctr:containerd iptables:iptables ip6tables:iptables \
      iptables-save:iptables conntrack:conntrack socat:socat dnsmasq:dnsmasq-base ip:iproute2 openssl:openssl \
      python3:python3 gcc:gcc; do
    command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t%%:*} (Debian package ${t#*:})")
  done
  for p in bridge host-local portmap loopback; do
    [ -x "/usr/lib/cni/$p" ] || missing+=("/usr/lib/cni/$p (Debian package containernetworking-plugins)")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    die "missing: ${missing[*]}; install them with: bash scripts/install-cluster-deps.sh"
  fi
  find_bin
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [ -x "$BIN/$c" ] || die "missing $BIN/$c; build it with: bash test/cluster/build-k8s.sh"
  done
  [ "$(id -u)" -eq 0 ] || die "must run as root (it starts a kubelet and containerd and changes iptables)"
}

# ---------------------------------------------------------------------------------------------------------- down

running() { # a live process (a zombie waiting for its reaper counts as gone)
  [ -r "/proc/$1/stat" ] && ! grep -qE '^[0-9]+ \(.*\) Z' "/proc/$1/stat" 2>/dev/null
}

stop_pids() { # names...: SIGTERM to all at once, SIGKILL to any still running after 10 s
  local name f pids=()
  for name in "$@"; do
    f="$RUN/pids/$name.pid"
    [ -f "$f" ] || continue
    pids+=("$(cat "$f"):$name")
    kill "$(cat "$f")" 2>/dev/null || true
  done
  for _ in $(seq 1 100); do
    local left=0 entry
    for entry in "${pids[@]}"; do running "${entry%%:*}" && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for entry in "${pids[@]}"; do
    if running "${entry%%:*}"; then say "down: ${entry#*:} ignored SIGTERM for 10 s; SIGKILL"; kill -9 "${entry%%:*}" 2>/dev/null || true; fi
  done
  for name in "$@"; do rm -f "$RUN/pids/$name.pid"; done
  [ -z "${NODE_DEBUG:-}" ] || say "down: stopped $*"
}

# PIDs whose command line names our containerd socket or state: the runc shims and, through them, containers.
shim_pids() {
  local p
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -- "$RUN/"; then echo "${p#/proc/}"; fi
  done
}

clean_iptables() {
  local cmd table
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null 2>&1 || continue
    for table in nat filter mangle raw; do
      local dump
      dump=$("$cmd-save" -t "$table" 2>/dev/null) || continue
      if grep -qE '(KUBE-|CNI-|RSCLUSTER-)' <<<"$dump"; then
        grep -vE '^:(KUBE-|CNI-|RSCLUSTER-)|^-A (KUBE-|CNI-|RSCLUSTER-)|-j (KUBE-|CNI-|RSCLUSTER-)' <<<"$dump" \
          | "$cmd-restore" -T "$table"
      fi
    done
  done
}

# iptables-nft creates a table (filter, nat, ...) on first use; a table this run created and left empty goes too.
clean_nft_tables() {
  command -v nft >/dev/null 2>&1 || return 0
  [ -f "$BASELINE.tables" ] || return 0
  local family name save
  nft list tables 2>/dev/null | while read -r _ family name; do
    grep -qxF "table $family $name" "$BASELINE.tables" && continue
    case "$family" in ip) save=iptables-save ;; ip6) save=ip6tables-save ;; *) continue ;; esac
    if ! "$save" -t "$name" 2>/dev/null | grep -q '^-A '; then
      nft delete table "$family" "$name" 2>/dev/null || true
    fi
  done
}

down() {
  find_bin
  if [ ! -d "$RUN" ] && [ ! -d "$ROOT" ] && [ ! -f "$BASELINE" ]; then
    return 0
  fi
  say "down: stopping the node"
  stop_pids dns-sync kube-controller-manager kube-scheduler
  # Let the kubelet tear pods down through the CRI (CNI DEL removes their hostPort rules and addresses).
  if [ -f "$RUN/pids/kubelet.pid" ] && [ -f "$RUN/pids/kube-apiserver.pid" ] && [ -x "$BIN/kubectl" ]; then
    if kubectl_ delete pods --all --all-namespaces --force --grace-period=0 --wait=false --request-timeout=10s \
        >/dev/null 2>&1; then
      for _ in $(seq 1 60); do
        [ -z "$(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null)" ] && break
        sleep 0.5
      done
    fi
    say "down: pods stopped"
  fi
  stop_pids kubelet kube-proxy dnsmasq
  stop_pids kube-apiserver
  stop_pids etcd
  # What the kubelet did not get to: kill the containers' tasks, then containerd, then any shim left.
  if [ -f "$RUN/pids/containerd.pid" ]; then
    for task in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for task in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n k8s.io tasks delete -f "$task" >/dev/null 2>&1 || true
    done
  fi
  stop_pids containerd
  say "down: processes stopped"
  for pid in $(shim_pids); do kill -9 "$pid" 2>/dev/null || true; done
  # Mounts under our directories (deepest first), then the network namespaces created while the node ran.
  findmnt -rn -o TARGET | grep -E "^($ROOT|$RUN)(/|$)" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  if [ -f "$RUN/netns.before" ]; then
    for ns in /var/run/netns/cni-*; do
      [ -e "$ns" ] || continue
      grep -qxF "$ns" "$RUN/netns.before" && continue
      umount -l "$ns" 2>/dev/null || true
      rm -f "$ns"
    done
  fi
  clean_iptables
  clean_nft_tables
  for link in rscni0 rsnode0; do ip link del "$link" 2>/dev/null || true; done
  for cidr in "$POD_CIDR" "$SERVICE_CIDR" "$NODE_IP/32"; do
    conntrack -D -d "$cidr" >/dev/null 2>&1 || true
    conntrack -D -s "$cidr" >/dev/null 2>&1 || true
  done
  # The kubepods cgroups the kubelet created (cgroupfs driver), deepest first; only empty ones can go.
  for ctrl in /sys/fs/cgroup/*/; do
    [ -d "$ctrl/kubepods" ] && find "$ctrl/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  if [ -f "$BASELINE" ]; then
    while read -r key value; do
      sysctl -qw "$key=$value" >/dev/null 2>&1 || true
    done < "$BASELINE"
    rm -f "$BASELINE" "$BASELINE.tables"
  fi
  rm -rf "$RUN" "$ROOT"
  say "down: done"
}

# ------------------------------------------------------------------------------------------------------------ up

start() { # name command...: in the background, logged, PID recorded
  local name=$1; shift
  nohup "$@" > "$LOGS/$name.log" 2>&1 &
  echo $! > "$RUN/pids/$name.pid"
}

wait_for() { # description seconds command...
  local what=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "node.sh: timed out after ${secs}s waiting for $what; last log lines:" >&2
      tail -n 30 "$LOGS"/*.log >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

alive() { kill -0 "$(cat "$RUN/pids/$1.pid")" 2>/dev/null; }

pki() {
  local d=$ROOT/pki
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=cluster-suite-ca" 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    sign() { # name CN O [SANs]
      local n=$1 cn=$2 o=$3 san=${4:-}
      openssl req -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.csr" -subj "/CN=$cn${o:+/O=$o}" 2>/dev/null
      {
        echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
        if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"
        else echo "extendedKeyUsage=clientAuth"; fi
      } > "$n.ext"
      openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$n.crt" -days 2 -extfile "$n.ext" 2>/dev/null
      rm -f "$n.csr" "$n.ext"
    }
    sign apiserver kube-apiserver "" "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$NODE_IP,IP:10.96.0.1"
    sign apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
    sign admin kubernetes-admin system:masters
    sign controller-manager system:kube-controller-manager ""
    sign scheduler system:kube-scheduler ""
    sign kube-proxy system:kube-proxy ""
    sign kubelet "system:node:$NODE" system:nodes
    sign kubelet-serving "system:node:$NODE" system:nodes "DNS:$NODE,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP"
    for u in admin controller-manager scheduler kube-proxy kubelet; do
      cat > "$u.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: suite, cluster: {server: "https://$NODE_IP:6443", certificate-authority: "$d/ca.crt"}}]
users: [{name: $u, user: {client-certificate: "$d/$u.crt", client-key: "$d/$u.key"}}]
contexts: [{name: suite, context: {cluster: suite, user: $u}}]
current-context: suite
KC
    done
  )
}

configs() {
  local c=$ROOT/conf
  mkdir -p "$c/cni" "$ROOT/cni-data" "$ROOT/containerd" "$ROOT/kubelet" "$ROOT/etcd"
  # containerd 1.6: own root, state and socket; cgroupfs; Debian's CNI plugins; restrict_oom_score_adj because
  # this VM withholds CAP_SYS_RESOURCE (without it every sandbox fails: "can't get final child's PID from pipe").
  containerd config default | sed \
    -e "s#^root = .*#root = \"$ROOT/containerd/root\"#" \
    -e "s#^state = .*#state = \"$RUN/containerd\"#" \
    -e "s#address = \"/run/containerd/containerd.sock\"#address = \"$SOCK\"#" \
    -e "s#sandbox_image = .*#sandbox_image = \"$PAUSE_IMAGE\"#" \
    -e 's#restrict_oom_score_adj = false#restrict_oom_score_adj = true#' \
    -e 's#bin_dir = "/opt/cni/bin"#bin_dir = "/usr/lib/cni"#' \
    -e "s#conf_dir = \"/etc/cni/net.d\"#conf_dir = \"$c/cni\"#" \
    -e "s#path = \"/opt/containerd\"#path = \"$ROOT/containerd/opt\"#" \
    -e "s#config_path = \"\"#config_path = \"$CONFIG_PATH\"#" \
    > "$c/containerd.toml"
  grep -q "restrict_oom_score_adj = true" "$c/containerd.toml" || die "containerd config: restrict_oom_score_adj not set"
  if [ -n "$CONFIG_PATH" ]; then
    case "$CONFIG_PATH" in "$ROOT"/*) ;; *) die "CLUSTER_CONTAINERD_CONFIG_PATH must lie under $ROOT, which down removes (got $CONFIG_PATH)" ;; esac
    mkdir -p "$CONFIG_PATH"
    [ "$(grep -c "config_path = \"$CONFIG_PATH\"" "$c/containerd.toml")" = 1 ] || die "containerd config: config_path not set"
  fi
  # portmap with snat: hostPort on hostIP 127.0.0.1 (DNAT in OUTPUT, MASQUERADE, route_localnet on the bridge).
  cat > "$c/cni/10-cluster-suite.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "cluster-suite",
  "plugins": [
    {
      "type": "bridge", "bridge": "rscni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {"type": "host-local", "dataDir": "$ROOT/cni-data", "ranges": [[{"subnet": "$POD_CIDR"}]],
               "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true},
    {"type": "loopback"}
  ]
}
EOF
  cat > "$c/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $ROOT/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $ROOT/pki/kubelet-serving.crt
tlsPrivateKeyFile: $ROOT/pki/kubelet-serving.key
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$SOCK
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
failSwapOn: false
failCgroupV1: false
oomScoreAdj: 0
resolvConf: $c/resolv.conf
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {"memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%"}
serializeImagePulls: false
staticPodPath: ""
EOF
  echo "nameserver $NODE_IP" > "$c/resolv.conf"
  # conntrack zeros: kube-proxy leaves the machine's conntrack sysctls alone.
  cat > "$c/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $ROOT/pki/kube-proxy.kubeconfig}
hostnameOverride: $NODE
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["127.0.0.0/8", "$NODE_IP/32"]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  : > "$ROOT/dns-hosts"
}

network() {
  if [ ! -f "$BASELINE" ]; then
    for key in "${SYSCTLS[@]}"; do
      value=$(sysctl -n "$key" 2>/dev/null) && echo "$key $value"
    done > "$BASELINE"
    if command -v nft >/dev/null 2>&1; then nft list tables > "$BASELINE.tables" 2>/dev/null || true; else : > "$BASELINE.tables"; fi
  fi
  ls -d /var/run/netns/cni-* 2>/dev/null > "$RUN/netns.before" || true
  ip link add rsnode0 type bridge
  ip addr add "$NODE_IP/32" dev rsnode0
  ip link set rsnode0 up
  sysctl -qw net.ipv4.ip_forward=1
  sysctl -qw net.bridge.bridge-nf-call-iptables=1
  # Pod traffic stays on this machine: forwarding is only for pods to pods.
  iptables -N RSCLUSTER-EGRESS
  iptables -A RSCLUSTER-EGRESS -d "$POD_CIDR" -j RETURN
  iptables -A RSCLUSTER-EGRESS -j DROP
  iptables -I FORWARD 1 -s "$POD_CIDR" -j RSCLUSTER-EGRESS
}

import_images() {
  local a
  for a in "$@"; do
    ctr --address "$SOCK" -n k8s.io images import --all-platforms "$a" >/dev/null \
      || die "ctr could not import $a"
  done
}

dns_sync() { # one record per Service: <clusterIP> <name>.<namespace>.svc.cluster.local, dnsmasq reloaded on change
  local hosts=$ROOT/dns-hosts tmp=$ROOT/dns-hosts.tmp
  while true; do
    if kubectl_ get services --all-namespaces --request-timeout=5s -o \
        jsonpath='{range .items[*]}{.spec.clusterIP} {.metadata.name}.{.metadata.namespace}.svc.cluster.local{"\n"}{end}' \
        2>/dev/null | grep -v '^None ' > "$tmp"; then
      if ! cmp -s "$tmp" "$hosts"; then
        mv "$tmp" "$hosts"
        kill -HUP "$(cat "$RUN/pids/dnsmasq.pid")" 2>/dev/null || true
      fi
    fi
    sleep 0.5
  done
}

up() {
  require_tools
  down
  rm -rf "$LOGS"
  mkdir -p "$ROOT" "$RUN/pids" "$LOGS"
  say "up: Kubernetes $("$BIN/kubelet" --version | awk '{print $2}'), $(containerd --version | awk '{print $3}'), etcd $(etcd --version | awk 'NR==1{print $3}')"
  pki
  configs
  network
  say "up: certificates, configs and network ready"

  start containerd containerd --config "$ROOT/conf/containerd.toml"
  wait_for containerd 30 ctr --address "$SOCK" version
  "$here/images.py" pause --out "$ROOT/pause.tar" --name "$PAUSE_IMAGE" >/dev/null
  import_images "$ROOT/pause.tar"
  say "up: containerd running, pause image imported"

  start etcd etcd --name cluster-suite --data-dir "$ROOT/etcd" --listen-client-urls "$ETCD" --advertise-client-urls "$ETCD" \
    --listen-peer-urls http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12380 \
    --initial-cluster cluster-suite=http://127.0.0.1:12380 --listen-metrics-urls http://127.0.0.1:12381
  wait_for etcd 30 curl -sf "$ETCD/health"
  local p=$ROOT/pki
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers="$ETCD" --bind-address="$NODE_IP" --secure-port=6443 \
    --advertise-address="$NODE_IP" --service-cluster-ip-range="$SERVICE_CIDR" \
    --client-ca-file="$p/ca.crt" --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-account-key-file="$p/sa.pub" \
    --service-account-signing-key-file="$p/sa.key" --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction --allow-privileged=true \
    --kubelet-preferred-address-types=InternalIP,Hostname --profiling=false
  wait_for "the API server" 90 kubectl_ get --raw /readyz
  say "up: etcd and the API server ready"

  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$p/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$p/controller-manager.kubeconfig" --authorization-kubeconfig="$p/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
    --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" --use-service-account-credentials=true \
    --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$p/scheduler.kubeconfig" \
    --authentication-kubeconfig="$p/scheduler.kubeconfig" --authorization-kubeconfig="$p/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
  start dnsmasq dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --user=root \
    --listen-address="$NODE_IP" --bind-interfaces --addn-hosts="$ROOT/dns-hosts" --local=/cluster.local/ \
    --pid-file= --log-facility=-
  start kubelet "$BIN/kubelet" --config="$ROOT/conf/kubelet.yaml" --kubeconfig="$p/kubelet.kubeconfig" \
    --hostname-override="$NODE" --node-ip="$NODE_IP" --root-dir="$ROOT/kubelet" --cert-dir="$ROOT/kubelet/pki"
  start kube-proxy "$BIN/kube-proxy" --config="$ROOT/conf/kube-proxy.yaml"
  dns_sync > "$LOGS/dns-sync.log" 2>&1 &
  echo $! > "$RUN/pids/dns-sync.pid"

  wait_for "node $NODE to be Ready" 120 kubectl_ wait node "$NODE" --for=condition=Ready --timeout=2s
  wait_for "the default ServiceAccounts" 60 kubectl_ get serviceaccount default -n kube-system
  wait_for "the default ServiceAccounts" 60 kubectl_ get serviceaccount default -n default
  wait_for "cluster DNS" 30 grep -q "kubernetes.default.svc.cluster.local" "$ROOT/dns-hosts"
  for c in containerd etcd kube-apiserver kube-controller-manager kube-scheduler dnsmasq kubelet kube-proxy; do
    alive "$c" || die "$c exited; see $LOGS/$c.log"
  done
  say "up: node $NODE Ready (kubeconfig $ROOT/pki/admin.kubeconfig)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  import) shift; import_images "$@" ;;
  *) echo "usage: node.sh up|down|import ARCHIVE..." >&2; exit 2 ;;
esac
