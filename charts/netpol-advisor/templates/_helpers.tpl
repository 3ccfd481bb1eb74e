{{/* Object names. Every name used in two places is defined once here. */}}
{{- define "npa.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "npa.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The ingest / read API Service; the observers' --server names it. */}}
{{- define "npa.serverService" -}}{{ include "npa.fullname" . }}{{- end -}}
{{/* The webhook Service: the configurations' clientConfig, the server's
--webhook-service (its certificate is issued for this name) and the
NetworkPolicy all take it from here, so they cannot drift apart. */}}
{{- define "npa.webhookService" -}}{{ include "npa.fullname" . }}-webhook{{- end -}}
{{/* The server derives the certificate Secret's name: <webhook service>-tls. */}}
{{- define "npa.webhookSecret" -}}{{ include "npa.webhookService" . }}-tls{{- end -}}
{{/* Both webhook configurations; the server's --webhook-configuration. */}}
{{- define "npa.webhookConfiguration" -}}{{ include "npa.fullname" . }}{{- end -}}
{{- define "npa.ingestSecret" -}}{{ default (printf "%s-ingest-tls" (include "npa.fullname" .)) .Values.server.ingestTLS.existingSecret }}{{- end -}}
{{- define "npa.ingestCA" -}}{{ include "npa.fullname" . }}-ingest-ca{{- end -}}
{{- define "npa.serverSA" -}}{{ include "npa.fullname" . }}-server{{- end -}}
{{- define "npa.observerSA" -}}{{ include "npa.fullname" . }}-observer{{- end -}}
{{- define "npa.pvc" -}}{{ default (printf "%s-data" (include "npa.fullname" .)) .Values.server.persistence.existingClaim }}{{- end -}}

{{- define "npa.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component: call with (list . "server"). */}}
{{- define "npa.selectorLabels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ include "npa.name" $ }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "npa.labels" -}}
{{- $ := index . 0 -}}
{{ include "npa.selectorLabels" . }}
app.kubernetes.io/version: {{ $.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $.Release.Service }}
app.kubernetes.io/part-of: netpol-advisor
helm.sh/chart: {{ include "npa.chart" $ }}
{{- end -}}

{{/* Image reference: call with (list . .Values.server.image). */}}
{{- define "npa.image" -}}
{{- $ := index . 0 -}}
{{- $img := index . 1 -}}
{{- $tag := default $.Chart.AppVersion $.Values.image.tag -}}
{{- if $.Values.image.registry -}}
{{- printf "%s/%s:%s" $.Values.image.registry $img.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $img.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* API server endpoints as peers see them: the values, else the
default/kubernetes EndpointSlice at install time. A list of
{"cidr": ..., } dicts and a list of ports, as JSON. */}}
{{- define "npa.apiServer" -}}
{{- $cidrs := .Values.networkPolicy.apiServer.cidrs -}}
{{- $ports := .Values.networkPolicy.apiServer.ports -}}
{{- if not $cidrs -}}
{{- $slice := lookup "discovery.k8s.io/v1" "EndpointSlice" "default" "kubernetes" -}}
{{- if $slice -}}
{{- $found := list -}}
{{- range $slice.endpoints -}}
{{- range .addresses -}}
{{- $found = append $found (ternary (printf "%s/128" .) (printf "%s/32" .) (contains ":" .)) -}}
{{- end -}}
{{- end -}}
{{- $p := list -}}
{{- range $slice.ports -}}{{- $p = append $p (int .port) -}}{{- end -}}
{{- if $found -}}{{- $cidrs = $found -}}{{- $ports = $p -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- dict "cidrs" $cidrs "ports" $ports | toJson -}}
{{- end -}}

{{- define "npa.checkValues" -}}
{{- if gt (int .Values.server.replicas) 1 -}}
{{- fail (printf "server.replicas is %d: the baseline store (Badger) allows one writer per volume and the server has no replication yet; use 1 (or 0 to stop it)" (int .Values.server.replicas)) -}}
{{- end -}}
{{- if and .Values.webhook.clientAuth.enabled (not .Values.webhook.clientAuth.caConfigMap) -}}
{{- fail "webhook.clientAuth.enabled needs webhook.clientAuth.caConfigMap: the ConfigMap (key ca.crt) with the CA of the API server's client certificate" -}}
{{- end -}}
{{- end -}}

{{- /* Peers that are the API server. Unknown (helm template with no
cidrs): any address, on the ports only. */}}
{{- define "npa.apiServerPeers" -}}
{{- if .cidrs }}
{{- range .cidrs }}
- ipBlock:
    cidr: {{ . }}
{{- end }}
{{- else }}
- ipBlock:
    cidr: 0.0.0.0/0
- ipBlock:
    cidr: ::/0
{{- end }}
{{- end -}}
{{- define "npa.egressDNSAndAPI" -}}
{{- $ := index . 0 -}}
{{- $api := index . 1 -}}
# Cluster DNS (UDP and TCP 53).
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ $.Values.networkPolicy.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml $.Values.networkPolicy.dns.podLabels | nindent 10 }}
    {{- with $.Values.networkPolicy.dns.nodeLocalIP }}
    - ipBlock:
        cidr: {{ . }}/32
    {{- end }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
# The API server, by its endpoint addresses and port (after DNAT).
- to:
    {{- include "npa.apiServerPeers" $api | trim | nindent 4 }}
  ports:
    {{- range $api.ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}
