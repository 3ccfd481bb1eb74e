# shellcheck shell=bash
# Certificates and kubeconfigs of the test cluster (sourced by up.sh): one CA,
# a serving certificate for kube-apiserver, a client certificate and a
# kubeconfig per component, and the service-account signing key. ECDSA P-256
# keys keep this well under a second.

PKI=$RUN_DIR/pki

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
sign() {
	local name=$1 subject=$2 ext=$3
	newkey "$PKI/$name.key"
	openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
	openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
		-days 7 -out "$PKI/$name.crt" -extfile <(printf '%s\n' "$ext") 2>/dev/null
	rm -f "$PKI/$name.csr"
}

# kubeconfig NAME: a kubeconfig using the client certificate NAME.
kubeconfig() {
	cat >"$RUN_DIR/$1.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: netpol-advisor
  cluster: {server: "https://$NODE_IP:$API_PORT", certificate-authority: "$PKI/ca.crt"}
users:
- name: $1
  user: {client-certificate: "$PKI/$1.crt", client-key: "$PKI/$1.key"}
contexts:
- name: netpol-advisor
  context: {cluster: netpol-advisor, user: $1}
current-context: netpol-advisor
YAML
}

make_pki() {
	mkdir -p "$PKI"
	newkey "$PKI/ca.key"
	openssl req -x509 -new -key "$PKI/ca.key" -subj /CN=netpol-advisor-cluster-ca -days 7 \
		-out "$PKI/ca.crt" 2>/dev/null
	sign apiserver /CN=kube-apiserver "extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,IP:198.19.0.1,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
	local client="extendedKeyUsage=clientAuth" name subject
	# name=subject; kube-router and the apiserver's kubelet client are
	# cluster admins (test-only components), the others get their usual RBAC.
	for pair in admin=/O=system:masters/CN=admin \
		kubelet=/O=system:nodes/CN=system:node:$NODE \
		kube-controller-manager=/CN=system:kube-controller-manager \
		kube-scheduler=/CN=system:kube-scheduler \
		kube-proxy=/CN=system:kube-proxy \
		kube-router=/O=system:masters/CN=kube-router \
		apiserver-kubelet-client=/O=system:masters/CN=kube-apiserver-kubelet-client; do
		name=${pair%%=*} subject=${pair#*=}
		sign "$name" "$subject" "$client"
		kubeconfig "$name"
	done
	mv "$RUN_DIR/admin.kubeconfig" "$KUBECONFIG_ADMIN"
	# The aggregation layer (kubeadm's layout): a CA of its own for the
	# front proxy, and the client certificate the API server presents to
	# aggregated API servers such as netpol-advisor's.
	newkey "$PKI/front-proxy-ca.key"
	openssl req -x509 -new -key "$PKI/front-proxy-ca.key" -subj /CN=front-proxy-ca -days 7 \
		-out "$PKI/front-proxy-ca.crt" 2>/dev/null
	newkey "$PKI/front-proxy-client.key"
	openssl req -new -key "$PKI/front-proxy-client.key" -subj /CN=front-proxy-client -out "$PKI/front-proxy-client.csr" 2>/dev/null
	openssl x509 -req -in "$PKI/front-proxy-client.csr" -CA "$PKI/front-proxy-ca.crt" -CAkey "$PKI/front-proxy-ca.key" \
		-CAcreateserial -days 7 -out "$PKI/front-proxy-client.crt" -extfile <(printf 'extendedKeyUsage=clientAuth\n') 2>/dev/null
	rm -f "$PKI/front-proxy-client.csr"
	newkey "$PKI/sa.key"
	openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}
