{{/* Pod template of an Erlang node; call with (dict "root" $ "group" $g). */}}
{{- define "erlmcp.nodePodTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $sel := include "erlmcp.groupSelectorLabels" . -}}
metadata:
  labels:
    {{- include "erlmcp.groupLabels" . | nindent 4 }}
  annotations:
    prometheus.io/scrape: "false"
    # The Cluster Autoscaler may move a node pod (its emptyDir /tmp holds nothing to keep); the
    # PDB (one at a time) still decides when.
    cluster-autoscaler.kubernetes.io/safe-to-evict: "true"
spec:
  serviceAccountName: {{ include "erlmcp.fullname" $root }}
  automountServiceAccountToken: true
  priorityClassName: {{ $root.Release.Namespace }}-critical
  terminationGracePeriodSeconds: {{ $v.cluster.terminationGracePeriodSeconds }}
  securityContext:
    {{- include "erlmcp.podSecurityContext" $root | nindent 4 }}
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- $sel | nindent 14 }}
  topologySpreadConstraints:
    - topologyKey: topology.kubernetes.io/zone
      maxSkew: 1
      whenUnsatisfiable: DoNotSchedule
      labelSelector:
        matchLabels:
          {{- $sel | nindent 10 }}
  containers:
    - name: erlmcp
      image: {{ include "erlmcp.groupImage" . }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ $v.ports.http }}
          protocol: TCP
        - name: management
          containerPort: {{ $v.ports.management }}
          protocol: TCP
        - name: metrics
          containerPort: {{ $v.ports.metrics }}
          protocol: TCP
        - name: epmd
          containerPort: {{ $v.cluster.epmdPort }}
          protocol: TCP
        {{- range $i, $p := untilStep (int $v.cluster.distPortMin) (int (add1 $v.cluster.distPortMax)) 1 }}
        - name: {{ if eq $i 0 }}dist{{ else }}dist-{{ $i }}{{ end }}
          containerPort: {{ $p }}
          protocol: TCP
        {{- end }}
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        - name: RELEASE_DISTRIBUTION
          value: name
        {{- if eq $v.strategy "canary" }}
        - name: RELEASE_NODE
          value: erlmcp@$(POD_IP)
        {{- else }}
        - name: RELEASE_NODE
          value: {{ printf "erlmcp@$(POD_NAME).%s.$(POD_NAMESPACE).svc.cluster.local" (include "erlmcp.headlessName" .group) | quote }}
        {{- end }}
        - name: ERLMCP_DISCOVERY_SERVICE
          value: {{ include "erlmcp.headlessName" .group | quote }}
        {{- if eq $v.strategy "canary" }}
        # Peers are only the pods of the same ReplicaSet: the canary forms its own Erlang cluster
        # and never joins (or mixes versions into) the stable one.
        - name: ERLMCP_DISCOVERY_POD_TEMPLATE_HASH
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['rollouts-pod-template-hash']
        {{- end }}
        - name: RELEASE_COOKIE
          valueFrom:
            secretKeyRef:
              name: {{ $v.cluster.cookieSecretName }}
              key: {{ $v.cluster.cookieSecretKey }}
        - name: ERL_FLAGS
          value: {{ printf "%s-kernel inet_dist_listen_min %v inet_dist_listen_max %v" (ternary "-proto_dist inet_tls -ssl_dist_optfile /etc/erlmcp/config/ssl_dist.conf " "" $v.cluster.distTls) $v.cluster.distPortMin $v.cluster.distPortMax | quote }}
        - name: RELEASE_TMP
          value: /tmp
      envFrom:
        - configMapRef:
            name: {{ include "erlmcp.fullname" $root }}-config
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      startupProbe:
        httpGet:
          path: /health/startup
          port: management
        periodSeconds: 5
        timeoutSeconds: 3
        failureThreshold: 60
      readinessProbe:
        httpGet:
          path: /health/ready
          port: management
        periodSeconds: 10
        timeoutSeconds: 3
        failureThreshold: 3
      livenessProbe:
        httpGet:
          path: /health/live
          port: management
        periodSeconds: 20
        timeoutSeconds: 5
        failureThreshold: 3
      lifecycle:
        preStop:
          exec:
            command: ["/opt/erlmcp/bin/erlmcp-ctl", "drain", "--timeout", "45"]
      securityContext:
        {{- include "erlmcp.containerSecurityContext" $root | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: /var/lib/erlmcp
        - name: tmp
          mountPath: /tmp
        - name: config
          mountPath: /etc/erlmcp/config
          readOnly: true
        {{- if $v.cluster.distTls }}
        - name: dist-tls
          mountPath: /etc/erlmcp/dist-tls
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 1Gi
    {{- if eq $v.strategy "canary" }}
    - name: data
      emptyDir:
        sizeLimit: {{ $v.persistence.size }}
    {{- end }}
    - name: config
      configMap:
        name: {{ include "erlmcp.fullname" $root }}-config
        defaultMode: 292
        items:
          - key: ssl_dist.conf
            path: ssl_dist.conf
    {{- if $v.cluster.distTls }}
    - name: dist-tls
      secret:
        secretName: {{ include "erlmcp.fullname" $root }}-dist-tls
        defaultMode: 288
    {{- end }}
{{- end }}
