/**
 * Fixtures holding an object the API server itself rejects (schema validation, before any admission
 * policy runs), with the reason: no cluster ever judges them as written. The cluster tests check the
 * list both ways: a listed fixture must still be rejected, an unlisted one must not be.
 */
export const REJECTED_BY_API_SERVER: Readonly<Record<string, string>> = {
  "chg-job-upgrade-safe fail.non-string-annotations.yaml": "annotations and labels must be maps of strings, ownerReferences a list",
  "net-egress-allowlist fail.ipv6-open-foreign-except.yaml": "an ipBlock `except` must be a strict subset of its `cidr`",
  "net-egress-allowlist fail.to-empty-peer.yaml": "an egress `to` entry must specify a peer",
  "net-no-open-ingress fail.empty-peer.yaml": "an ingress `from` entry must specify a peer",
  "pod-no-host-access fail.host-process.yaml": "a Pod with hostProcess containers must set hostNetwork: true",
  "res-requests-limits pass.job-with-ephemeral-debug.yaml": "ephemeralContainers cannot be set on create",
  "sec-no-literal-credentials pass.non-ascii-case-folding.yaml": "a ConfigMap key must match [-._a-zA-Z0-9]+ (ſecret.json is refused)",
  "sec-no-plaintext-secrets fail.null-sops.yaml": "a Secret has no `sops` field (SOPS decrypts before apply)",
  "sec-no-plaintext-secrets fail.sops-without-mac.yaml": "a Secret has no `sops` field (SOPS decrypts before apply)",
  "sec-no-plaintext-secrets pass.sops-encrypted.yaml": "a Secret has no `sops` field (SOPS decrypts before apply)",
};
