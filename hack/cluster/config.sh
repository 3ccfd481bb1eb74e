# shellcheck shell=bash
# Configuration files of the node components (sourced by up.sh).

write_containerd_config() {
	mkdir -p "$RUN_DIR/containerd" "$RUN_DIR/cni/net.d"
	# restrict_oom_score_adj: this VM refuses oom_score_adj changes (no
	# CAP_SYS_RESOURCE) and runc then fails with "can't get final child's PID
	# from pipe". netns_mounts_under_state_dir keeps pod netns mounts in RUN_DIR.
	cat >"$RUN_DIR/containerd/config.toml" <<TOML
version = 3
root = "$RUN_DIR/containerd/root"
state = "$RUN_DIR/containerd/state"
[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "netpol-advisor.local/pause:v1"
[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$RUN_DIR/cni/net.d"
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "$RUN_DIR/runc"
        SystemdCgroup = false
TOML
}

# Pods get 198.18.1.2-254 on the bridge, routes to the Service and external
# ranges through the node, and no default route.
write_cni_config() {
	cat >"$RUN_DIR/cni/net.d/10-netpol-advisor.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "netpol-advisor",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": false, "hairpinMode": true,
    "ipam": {
      "type": "host-local", "dataDir": "$RUN_DIR/cni/ipam",
      "ranges": [[{"subnet": "$POD_CIDR", "rangeStart": "198.18.1.2", "rangeEnd": "198.18.1.254", "gateway": "$NODE_IP"}]],
      "routes": [{"dst": "$SVC_CIDR", "gw": "$NODE_IP"}, {"dst": "$EXT_CIDR", "gw": "$NODE_IP"}]
    }
  }]
}
JSON
}

# cgroups are v1 hybrid here: cgroupfs driver and failCgroupV1: false.
# Image GC is off because images cannot be pulled back (no registry).
write_kubelet_config() {
	mkdir -p "$RUN_DIR/kubelet"
	: >"$RUN_DIR/resolv.conf"
	cat >"$RUN_DIR/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: /$CG_NAME
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CTRD_SOCK
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: $RUN_DIR/resolv.conf
podLogsDir: $RUN_DIR/pod-logs
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
serializeImagePulls: false
YAML
}

write_kube_proxy_config() {
	cat >"$RUN_DIR/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: $NODE
clientConnection: {kubeconfig: $RUN_DIR/kube-proxy.kubeconfig}
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$NODE_IP/32]
iptables: {localhostNodePorts: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
}
