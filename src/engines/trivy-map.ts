/**
 * Trivy's Kubernetes checks (KSV, as embedded in trivy v0.74.0) and the control each overlaps with.
 * `same`: the check tests one clause of the control; `partial`: it overlaps the control but is
 * broader or narrower; `none`: no control of ours (the rationale says why). docs/trivy-mapping.md
 * is generated from this table by scripts/generate-trivy-mapping.ts.
 */
export type TrivyRelation = "same" | "partial" | "none";

export interface TrivyMapping {
  title: string;
  control?: string;
  relation: TrivyRelation;
  rationale: string;
}

export const TRIVY_MAP: Readonly<Record<string, TrivyMapping>> = {
  KSV001: {
    title: "Can elevate its own privileges",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "`allowPrivilegeEscalation: false` clause.",
  },
  KSV003: {
    title: "Default capabilities: some containers do not drop all",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "`capabilities.drop` ⊇ ALL clause.",
  },
  KSV004: {
    title: "Default capabilities: some containers do not drop any",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "Implied by the drop-ALL clause.",
  },
  KSV005: {
    title: "SYS_ADMIN capability added",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "`capabilities.add` ⊆ {NET_BIND_SERVICE} clause.",
  },
  KSV006: {
    title: "hostPath volume mounted with docker.sock",
    control: "pod-no-host-access",
    relation: "same",
    rationale: "A special case of the hostPath clause.",
  },
  KSV008: { title: "Access to host IPC namespace", control: "pod-no-host-access", relation: "same", rationale: "`hostIPC` clause." },
  KSV009: { title: "Access to host network", control: "pod-no-host-access", relation: "same", rationale: "`hostNetwork` clause." },
  KSV010: { title: "Access to host PID", control: "pod-no-host-access", relation: "same", rationale: "`hostPID` clause." },
  KSV011: {
    title: "CPU not limited",
    relation: "none",
    rationale:
      "Deliberately not required: CPU limits throttle the BEAM schedulers; res-requests-limits asks for CPU requests and memory limits.",
  },
  KSV012: { title: "Runs as root user", control: "pod-restricted-context", relation: "same", rationale: "`runAsNonRoot: true` clause." },
  KSV013: {
    title: 'Image tag ":latest" used',
    control: "chg-image-digest",
    relation: "partial",
    rationale: "We require a digest, which also rejects `latest` and untagged images.",
  },
  KSV014: { title: "Root file system is not read-only", control: "pod-readonly-rootfs", relation: "same", rationale: "The whole control." },
  KSV015: { title: "CPU requests not specified", control: "res-requests-limits", relation: "same", rationale: "`requests.cpu` clause." },
  KSV016: {
    title: "Memory requests not specified",
    control: "res-requests-limits",
    relation: "same",
    rationale: "`requests.memory` clause.",
  },
  KSV017: { title: "Privileged", control: "pod-no-host-access", relation: "same", rationale: "`privileged: true` clause." },
  KSV018: { title: "Memory not limited", control: "res-requests-limits", relation: "same", rationale: "`limits.memory` clause." },
  KSV020: {
    title: "Runs with UID <= 10000",
    relation: "none",
    rationale: "Stricter than Pod Security restricted, which we follow (non-zero UID).",
  },
  KSV021: {
    title: "Runs with GID <= 10000",
    relation: "none",
    rationale: "Stricter than Pod Security restricted; we do not constrain the GID.",
  },
  KSV022: {
    title: "Specific capabilities added",
    control: "pod-restricted-context",
    relation: "partial",
    rationale: "Trivy flags any added capability; we allow NET_BIND_SERVICE.",
  },
  KSV023: { title: "hostPath volumes mounted", control: "pod-no-host-access", relation: "same", rationale: "`hostPath` clause." },
  KSV024: { title: "Access to host ports", control: "pod-no-host-access", relation: "same", rationale: "`hostPort` clause." },
  KSV026: {
    title: "Unsafe sysctl options set",
    control: "pod-no-host-access",
    relation: "same",
    rationale: "Sysctl outside the PSS safe set.",
  },
  KSV027: {
    title: "Non-default /proc masks set",
    control: "pod-no-host-access",
    relation: "same",
    rationale: "`procMount: Unmasked` clause.",
  },
  KSV028: {
    title: "Non-core volume types used.",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "Volume types outside the PSS restricted list.",
  },
  KSV030: {
    title: "Runtime/Default Seccomp profile not set",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "`seccompProfile.type` RuntimeDefault/Localhost clause.",
  },
  KSV037: {
    title: "User resources should not be placed in kube-system namespace",
    control: "pod-namespace-placement",
    relation: "same",
    rationale: "`kube-system` clause.",
  },
  KSV039: {
    title: "limit range usage",
    relation: "none",
    rationale:
      "A namespace baseline outside the catalog. Trivy judges each object alone, so it fires on every object that is not itself a complete LimitRange, even where the namespace has one.",
  },
  KSV040: {
    title: "resource quota usage",
    relation: "none",
    rationale:
      "A namespace baseline outside the catalog. Trivy judges each object alone, so it fires on every object that is not itself a complete ResourceQuota, even where the namespace has one.",
  },
  KSV041: {
    title: "Manage secrets",
    control: "iam-secret-access-scoped",
    relation: "partial",
    rationale: "Trivy flags cluster-wide secret access; we flag list/watch and unscoped get.",
  },
  KSV042: { title: "Delete pod logs", relation: "none", rationale: "Log integrity is outside the catalog (logs are shipped off-cluster)." },
  KSV044: {
    title: "No wildcard verb and resource roles",
    control: "iam-no-wildcards",
    relation: "same",
    rationale: "`*` in verbs and resources.",
  },
  KSV045: { title: "No wildcard verb roles", control: "iam-no-wildcards", relation: "same", rationale: "`*` in verbs." },
  KSV046: { title: "Manage all resources", control: "iam-no-wildcards", relation: "same", rationale: "`*` in resources." },
  KSV047: {
    title: "Do not allow privilege escalation from node proxy",
    control: "iam-no-escalation-verbs",
    relation: "same",
    rationale: "`nodes/proxy` clause.",
  },
  KSV048: {
    title: "Manage Kubernetes workloads and pods",
    control: "iam-no-escalation-verbs",
    relation: "partial",
    rationale: "We flag `create` on pods and workload kinds; Trivy also flags update/delete.",
  },
  KSV049: {
    title: "Manage configmaps",
    relation: "none",
    rationale: "ConfigMaps hold no credentials here (sec-no-literal-credentials), so write access is not escalation.",
  },
  KSV050: {
    title: "Manage Kubernetes RBAC resources",
    control: "iam-no-escalation-verbs",
    relation: "partial",
    rationale: "We flag `escalate`/`bind`; Trivy flags any write to RBAC objects.",
  },
  KSV053: { title: "Exec into Pods", control: "iam-no-escalation-verbs", relation: "same", rationale: "`pods/exec` clause." },
  KSV01010: {
    title: "ConfigMap with sensitive content",
    control: "sec-no-literal-credentials",
    relation: "partial",
    rationale: "ConfigMap keys holding credentials; Trivy's key patterns are broader (they flag `*_PORT` keys).",
  },
  KSV103: {
    title: "Access to host process",
    control: "pod-no-host-access",
    relation: "same",
    rationale: "`windowsOptions.hostProcess` clause.",
  },
  KSV104: {
    title: "Seccomp policies disabled",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "`seccompProfile` clause.",
  },
  KSV105: {
    title: "Containers must not set runAsUser to 0",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "Non-zero `runAsUser` clause.",
  },
  KSV106: {
    title: "Container capabilities must only include NET_BIND_SERVICE",
    control: "pod-restricted-context",
    relation: "same",
    rationale: "Drop ALL, add ⊆ {NET_BIND_SERVICE}.",
  },
  KSV108: {
    title: "Service with External IP",
    control: "net-external-exposure",
    relation: "partial",
    rationale: "`externalIPs` clause; Trivy also flags `ExternalName` Services, which expose nothing (outbound aliases).",
  },
  KSV109: { title: "ConfigMap with secrets", control: "sec-no-literal-credentials", relation: "same", rationale: "ConfigMap clause." },
  KSV110: {
    title: "Workloads in the default namespace",
    control: "pod-namespace-placement",
    relation: "same",
    rationale: "`default` namespace clause.",
  },
  KSV111: {
    title: "User with admin access",
    control: "iam-no-privileged-bindings",
    relation: "same",
    rationale: "Bindings to `cluster-admin`/`admin`.",
  },
  KSV112: {
    title: "Manage all resources at the namespace",
    control: "iam-no-wildcards",
    relation: "same",
    rationale: "`*` resources in a Role.",
  },
  KSV113: {
    title: "Manage namespace secrets",
    control: "iam-secret-access-scoped",
    relation: "partial",
    rationale: "Trivy flags any secret read in a Role; we allow `get` with `resourceNames`.",
  },
  KSV114: {
    title: "Manage webhookconfigurations",
    control: "iam-no-escalation-verbs",
    relation: "same",
    rationale: "Write verbs on `*webhookconfigurations`.",
  },
  KSV117: {
    title: "Prevent binding to privileged ports",
    relation: "none",
    rationale: "Covered indirectly: non-root containers cannot bind them; we allow NET_BIND_SERVICE.",
  },
  KSV118: {
    title: "Default security context configured",
    control: "pod-restricted-context",
    relation: "partial",
    rationale: "Trivy wants a pod-level security context; we accept container-level settings.",
  },
  KSV122: {
    title: "Anonymous user access binding",
    control: "iam-no-privileged-bindings",
    relation: "same",
    rationale: "`system:anonymous`/`system:unauthenticated` subjects.",
  },
  KSV125: {
    title: "Restrict container images to trusted registries",
    control: "chg-image-digest",
    relation: "partial",
    rationale: "Trivy's built-in registry list; ours is the `allowedRegistries` parameter (default: any).",
  },
};

/** `KSV-0001`, `KSV001`, `AVD-KSV-0001`, `ksv-0001` → `KSV001` (`KSV-01010` → `KSV01010`). */
export function normalizeCheckId(id: string): string {
  const m = /^(?:AVD-)?([A-Z]+)-?(\d+)$/i.exec(id.trim());
  if (!m) return id.trim().toUpperCase();
  const digits = m[2] as string;
  return `${(m[1] as string).toUpperCase()}${digits.length === 4 && digits.startsWith("0") ? digits.slice(1) : digits}`;
}
