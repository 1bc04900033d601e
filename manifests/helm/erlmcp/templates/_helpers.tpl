{{/* Chart name. */}}
{{- define "erlmcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix. */}}
{{- define "erlmcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "erlmcp.name" . }}
{{- end }}
{{- end }}

{{/* Labels every object carries (traceability: name, instance, version, part-of, managed-by). */}}
{{- define "erlmcp.labels" -}}
app.kubernetes.io/name: {{ include "erlmcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: erlmcp
app.kubernetes.io/managed-by: {{ default .Release.Service .Values.managedBy }}
{{- if not .Values.managedBy }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}
{{- end }}

{{/* Selector labels shared by all pods of the release. */}}
{{- define "erlmcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "erlmcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of every Erlang node pod (all slots). */}}
{{- define "erlmcp.nodeSelectorLabels" -}}
{{ include "erlmcp.selectorLabels" . }}
app.kubernetes.io/component: node
{{- end }}

{{/* Selector of the node pods that serve traffic (the active slot in blue-green). */}}
{{- define "erlmcp.servingSelectorLabels" -}}
{{ include "erlmcp.nodeSelectorLabels" . }}
{{- if eq .Values.strategy "blueGreen" }}
erlmcp.io/slot: {{ .Values.blueGreen.activeSlot }}
{{- end }}
{{- end }}

{{/* Selector of the operations pods (jobs, cronjobs, chart test). */}}
{{- define "erlmcp.opsSelectorLabels" -}}
{{ include "erlmcp.selectorLabels" . }}
erlmcp.io/role: ops
{{- end }}

{{/*
Node groups: one Erlang cluster per group. statefulset/canary: one group; blueGreen: one per slot.
Returns YAML: {groups: [{name, slot}]}.
*/}}
{{- define "erlmcp.groups" -}}
{{- $full := include "erlmcp.fullname" . -}}
groups:
{{- if eq .Values.strategy "blueGreen" }}
{{- range $slot := list "blue" "green" }}
{{- $s := index $.Values.blueGreen.slots $slot }}
  - name: {{ $full }}-{{ $slot }}
    slot: {{ $slot }}
    version: {{ $s.version }}
    digest: {{ $s.digest }}
{{- end }}
{{- else }}
  - name: {{ $full }}
    slot: ""
{{- end }}
{{- end }}

{{/* Selector labels of one group; call with (dict "root" $ "group" $g). */}}
{{- define "erlmcp.groupSelectorLabels" -}}
{{ include "erlmcp.nodeSelectorLabels" .root }}
{{- if .group.slot }}
erlmcp.io/slot: {{ .group.slot }}
{{- end }}
{{- end }}

{{/* Kind and apiVersion of the node workload. */}}
{{- define "erlmcp.workloadApiVersion" -}}
{{- if eq .Values.strategy "canary" }}argoproj.io/v1alpha1{{ else }}apps/v1{{ end }}
{{- end }}
{{- define "erlmcp.workloadKind" -}}
{{- if eq .Values.strategy "canary" }}Rollout{{ else }}StatefulSet{{ end }}
{{- end }}

{{/* Quorum of the Erlang cluster: floor(n/2)+1. */}}
{{- define "erlmcp.quorum" -}}
{{- add1 (div (int .Values.cluster.replicaCount) 2) }}
{{- end }}

{{/* Image reference pinned by digest. */}}
{{- define "erlmcp.image" -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- end }}

{{/* Image of one group (a blue/green slot runs its own digest); call with (dict "root" $ "group" $g). */}}
{{- define "erlmcp.groupImage" -}}
{{- printf "%s@%s" .root.Values.image.repository (.group.digest | default .root.Values.image.digest) }}
{{- end }}

{{/* Digest the release Jobs run: the active slot's in blue/green, else image.digest. */}}
{{- define "erlmcp.releaseDigest" -}}
{{- if eq .Values.strategy "blueGreen" }}{{ (index .Values.blueGreen.slots .Values.blueGreen.activeSlot).digest }}{{ else }}{{ .Values.image.digest }}{{ end }}
{{- end }}

{{/* Headless Service name of a group. */}}
{{- define "erlmcp.headlessName" -}}
{{- printf "%s-headless" .name }}
{{- end }}

{{/* Restricted container securityContext. */}}
{{- define "erlmcp.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Restricted pod securityContext. */}}
{{- define "erlmcp.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Probes of the chart test pod (a bare Pod counts as long-running; Jobs and CronJobs need none). */}}
{{- define "erlmcp.opsProbes" -}}
readinessProbe:
  exec:
    command: ["/bin/sh", "-c", "kill -0 1"]
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
livenessProbe:
  exec:
    command: ["/bin/sh", "-c", "kill -0 1"]
  periodSeconds: 30
  timeoutSeconds: 2
  failureThreshold: 3
{{- end }}

{{/*
Pod template of an operations container (jobs, cronjobs). Call with
(dict "root" $ "component" "backup" "args" (list ...) "backupVolume" true "probes" false), optionally
"image" (a slot's image) and "claim" (a slot's backup volume).
*/}}
{{- define "erlmcp.opsPodTemplate" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "erlmcp.opsLabels" . | nindent 4 }}
  annotations:
    # A Cluster Autoscaler scale-down must not kill a running backup, restore or migration.
    cluster-autoscaler.kubernetes.io/safe-to-evict: "false"
  {{- if and $root.Values.serviceMesh.enabled (eq $root.Values.serviceMesh.provider "istio") }}
    # istio-proxy as a native sidecar (an init container with restartPolicy Always, Kubernetes
    # >= 1.29): it stops when the job's container ends, so the Job completes, and the pod stays in
    # the mesh (STRICT mTLS to the management port).
    sidecar.istio.io/nativeSidecar: "true"
  {{- end }}
spec:
  serviceAccountName: {{ include "erlmcp.fullname" $root }}-ops
  automountServiceAccountToken: false
  restartPolicy: Never
  priorityClassName: {{ $root.Release.Namespace }}-ops
  securityContext:
    {{- include "erlmcp.podSecurityContext" $root | nindent 4 }}
  containers:
    - name: {{ .component }}
      image: {{ .image | default (include "erlmcp.image" $root) }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      command: ["/opt/erlmcp/bin/erlmcp-ctl"]
      args:
        {{- toYaml .args | nindent 8 }}
      env:
        - name: ERLMCP_MANAGEMENT_URL
          value: {{ printf "http://%s-management.%s.svc.cluster.local:%v" (include "erlmcp.fullname" $root) $root.Release.Namespace $root.Values.service.management.port | quote }}
        # From the ConfigMap, so the pod template (and a release Job's name, its hash) is the same in
        # every environment and the overlays patch only the ConfigMap.
        - name: ERLMCP_ENV
          valueFrom:
            configMapKeyRef:
              name: {{ include "erlmcp.fullname" $root }}-config
              key: ERLMCP_ENV
        - name: OTEL_EXPORTER_OTLP_ENDPOINT
          value: {{ printf "http://%s-otel.%s.svc.cluster.local:%v" (include "erlmcp.fullname" $root) $root.Release.Namespace $root.Values.otel.httpPort | quote }}
      resources:
        {{- toYaml $root.Values.jobs.resources | nindent 8 }}
      {{- if .probes }}
      {{- include "erlmcp.opsProbes" $root | nindent 6 }}
      {{- end }}
      securityContext:
        {{- include "erlmcp.containerSecurityContext" $root | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if .backupVolume }}
        - name: backups
          mountPath: /var/lib/erlmcp/backups
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
    {{- if .backupVolume }}
    - name: backups
      persistentVolumeClaim:
        claimName: {{ .claim | default (printf "%s-backups" (include "erlmcp.fullname" $root)) }}
    {{- end }}
{{- end }}

{{/* Egress rules every pod of the release needs: DNS, OTEL collector, mesh control plane. */}}
{{- define "erlmcp.egressCommon" -}}
{{- $np := .Values.networkPolicy -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ $np.otelCollector.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml $np.otelCollector.podLabels | nindent 10 }}
  ports:
    - port: {{ .Values.otel.grpcPort }}
      protocol: TCP
    - port: {{ .Values.otel.httpPort }}
      protocol: TCP
{{- if .Values.serviceMesh.enabled }}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ $np.istio.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml $np.istio.podLabels | nindent 10 }}
  ports:
    - port: 15012
      protocol: TCP
{{- end }}
{{- end }}

{{/* Full labels of a node group's objects and pods; call with (dict "root" $ "group" $g). */}}
{{- define "erlmcp.groupLabels" -}}
{{- $version := dict }}
{{- with .group.version }}{{ $_ := set $version "erlmcp.io/version" . }}{{ end }}
{{- toYaml (merge (include "erlmcp.groupSelectorLabels" . | fromYaml) $version (include "erlmcp.labels" .root | fromYaml)) }}
{{- end }}

{{/* Full labels of an operations pod; call with (dict "root" $ "component" "backup"). */}}
{{- define "erlmcp.opsLabels" -}}
{{- toYaml (merge (dict "app.kubernetes.io/component" .component) (include "erlmcp.opsSelectorLabels" .root | fromYaml) (include "erlmcp.labels" .root | fromYaml)) }}
{{- end }}
