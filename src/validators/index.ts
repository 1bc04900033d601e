/** The explicit registry of TypeScript validators, by control ID. */
import { netNoOpenIngress } from "./net-no-open-ingress.js";
import { netDefaultDeny } from "./net-default-deny.js";
import { netWorkloadIsolated } from "./net-workload-isolated.js";
import { netErlangDistLockdown } from "./net-erlang-dist-lockdown.js";
import { netEgressAllowlist } from "./net-egress-allowlist.js";
import { netMeshEdgeCoherent } from "./net-mesh-edge-coherent.js";
import { secNoLiteralCredentials } from "./sec-no-literal-credentials.js";
import { secErlangCookieFromSecret } from "./sec-erlang-cookie-from-secret.js";
import { secNoPlaintextSecrets } from "./sec-no-plaintext-secrets.js";
import { secReferencesResolve } from "./sec-references-resolve.js";
import { secSecretMountsHardened } from "./sec-secret-mounts-hardened.js";
import { tlsErlangDist } from "./tls-erlang-dist.js";
import { tlsDistCertNames } from "./tls-dist-cert-names.js";
import { iamNoWildcards } from "./iam-no-wildcards.js";
import { iamNoPrivilegedBindings } from "./iam-no-privileged-bindings.js";
import { iamSecretAccessScoped } from "./iam-secret-access-scoped.js";
import { iamNoEscalationVerbs } from "./iam-no-escalation-verbs.js";
import { iamWorkloadIdentity } from "./iam-workload-identity.js";
import { iamBindingIntegrity } from "./iam-binding-integrity.js";
import { resHpaConsistent } from "./res-hpa-consistent.js";
import { avlPdbConsistent } from "./avl-pdb-consistent.js";
import { avlAntiAffinity } from "./avl-anti-affinity.js";
import { avlZoneSpread } from "./avl-zone-spread.js";
import { avlJobSidecarCompletes } from "./avl-job-sidecar-completes.js";
import { obsMetricsScraped } from "./obs-metrics-scraped.js";
import { bakBackupSchedule } from "./bak-backup-schedule.js";
import { chgJobUpgradeSafe } from "./chg-job-upgrade-safe.js";
import type { Validator } from "./types.js";

export const VALIDATORS: Readonly<Record<string, Validator>> = {
  [netNoOpenIngress.id]: netNoOpenIngress,
  [netDefaultDeny.id]: netDefaultDeny,
  [netWorkloadIsolated.id]: netWorkloadIsolated,
  [netErlangDistLockdown.id]: netErlangDistLockdown,
  [netEgressAllowlist.id]: netEgressAllowlist,
  [netMeshEdgeCoherent.id]: netMeshEdgeCoherent,
  [secNoLiteralCredentials.id]: secNoLiteralCredentials,
  [secErlangCookieFromSecret.id]: secErlangCookieFromSecret,
  [secNoPlaintextSecrets.id]: secNoPlaintextSecrets,
  [secReferencesResolve.id]: secReferencesResolve,
  [secSecretMountsHardened.id]: secSecretMountsHardened,
  [tlsErlangDist.id]: tlsErlangDist,
  [tlsDistCertNames.id]: tlsDistCertNames,
  [iamNoWildcards.id]: iamNoWildcards,
  [iamNoPrivilegedBindings.id]: iamNoPrivilegedBindings,
  [iamSecretAccessScoped.id]: iamSecretAccessScoped,
  [iamNoEscalationVerbs.id]: iamNoEscalationVerbs,
  [iamWorkloadIdentity.id]: iamWorkloadIdentity,
  [iamBindingIntegrity.id]: iamBindingIntegrity,
  [resHpaConsistent.id]: resHpaConsistent,
  [avlPdbConsistent.id]: avlPdbConsistent,
  [avlAntiAffinity.id]: avlAntiAffinity,
  [avlZoneSpread.id]: avlZoneSpread,
  [avlJobSidecarCompletes.id]: avlJobSidecarCompletes,
  [obsMetricsScraped.id]: obsMetricsScraped,
  [bakBackupSchedule.id]: bakBackupSchedule,
  [chgJobUpgradeSafe.id]: chgJobUpgradeSafe,
};
