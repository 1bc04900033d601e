{{/* Labels of every object. */}}
{{- define "demo.labels" -}}
app.kubernetes.io/name: demo
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The container security context. */}}
{{- define "demo.securityContext" -}}
runAsNonRoot: true
privileged: {{ .Values.debug.privileged }}
{{- end }}
