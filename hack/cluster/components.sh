# shellcheck shell=bash
# Starting the components (sourced by up.sh). Each runs in its own session,
# inside our cgroup (so down.sh finds it, its children and the pods, and the
# cgroup's memory counter measures the whole cluster), logging to logs/NAME.log.

cgroup_setup() {
	local d
	while read -r d; do
		mkdir -p "$d/system"
		if [[ -f $d/cpuset.cpus ]]; then # cpuset children start empty in v1
			cat "$d/../cpuset.cpus" >"$d/cpuset.cpus"
			cat "$d/../cpuset.mems" >"$d/cpuset.mems"
			cat "$d/cpuset.cpus" >"$d/system/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/system/cpuset.mems"
		fi
	done < <(cgroup_dirs)
}

# start NAME COMMAND...: run COMMAND in the background and record its pid.
start() {
	local name=$1 d
	shift
	log "starting $name"
	(
		while read -r d; do echo "$BASHPID" >"$d/system/cgroup.procs"; done < <(cgroup_dirs)
		exec 9>&- # the cluster lock stays with up.sh
		exec setsid "$@" </dev/null
	) >"$RUN_DIR/logs/$name.log" 2>&1 &
	echo $! >"$RUN_DIR/pids/$name"
}

start_etcd() {
	start etcd "$K8S_BIN/etcd" --data-dir "$RUN_DIR/etcd" --name "$NODE" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
		--initial-cluster "$NODE=http://127.0.0.1:$((ETCD_PORT + 1))" \
		--listen-metrics-urls "" --quota-backend-bytes 2147483648
}

start_apiserver() {
	start kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
		--service-cluster-ip-range "$SVC_CIDR" --authorization-mode Node,RBAC --allow-privileged \
		--client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
		--kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
		--kubelet-client-key "$PKI/apiserver-kubelet-client.key" --kubelet-preferred-address-types InternalIP \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
		--requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
		--requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
		--requestheader-extra-headers-prefix X-Remote-Extra- \
		--proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
		--enable-aggregator-routing=true \
		--profiling=false --endpoint-reconciler-type lease
}

start_containerd() {
	PATH=$CONTAINERD_BIN:$PATH start containerd "$CONTAINERD_BIN/containerd" --config "$RUN_DIR/containerd/config.toml"
}

start_control_loops() {
	start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
		--kubeconfig "$RUN_DIR/kube-controller-manager.kubeconfig" --bind-address 127.0.0.1 --secure-port 0 \
		--leader-elect=false --use-service-account-credentials \
		--service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
		--cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
		--service-cluster-ip-range "$SVC_CIDR" --allocate-node-cidrs=false --profiling=false
	start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig "$RUN_DIR/kube-scheduler.kubeconfig" \
		--bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --profiling=false
}

start_kubelet() {
	start kubelet "$K8S_BIN/kubelet" --config "$RUN_DIR/kubelet/config.yaml" \
		--kubeconfig "$RUN_DIR/kubelet.kubeconfig" --root-dir "$RUN_DIR/kubelet" \
		--cert-dir "$RUN_DIR/kubelet/pki" --hostname-override "$NODE" --node-ip "$NODE_IP"
}

start_kube_proxy() {
	start kube-proxy "$K8S_BIN/kube-proxy" --config "$RUN_DIR/kube-proxy.yaml"
}

# kube-router exits if its Node does not exist yet: start it after the node
# registered. Firewall only; no health, metrics or pprof listeners.
start_kube_router() {
	start kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$RUN_DIR/kube-router.kubeconfig" \
		--hostname-override "$NODE" --run-firewall=true --run-router=false --run-service-proxy=false \
		--service-cluster-ip-range "$SVC_CIDR" --enable-ipv6=false --enable-cni=false --health-port 0 --metrics-port 0
}
