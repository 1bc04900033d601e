/**
 * NetworkPolicy peers and ports read as the API server reads them: empty means all
 * (docs/network-model.md, "Empty means all"). JSON null is unset throughout.
 */
import { list, rec } from "./manifest-fields.js";
import { selectorRequirements } from "./selectors.js";

const present = (value: unknown): boolean => value !== undefined && value !== null;

/** The peers of a rule (`from` for ingress, `to` for egress); a missing or null list is empty. */
export function rulePeers(rule: unknown, field: "from" | "to"): unknown[] {
  return list(rec(rule)[field]);
}

/** A rule whose `from`/`to` is missing, null or `[]` admits every source or destination. */
export function ruleAdmitsAllPeers(rule: unknown, field: "from" | "to"): boolean {
  return rulePeers(rule, field).length === 0;
}

/** A peer without ipBlock, namespaceSelector and podSelector (`{}`) is every source or destination. */
export function isEmptyPeer(peer: unknown): boolean {
  const p = rec(peer);
  return !present(p.ipBlock) && !present(p.namespaceSelector) && !present(p.podSelector);
}

/** A label selector with no matchLabels entries and no matchExpressions (`{}`, `{matchLabels: {}}`) selects everything. */
export function selectsEverything(selector: unknown): boolean {
  return selectorRequirements(selector)?.length === 0;
}

const NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * A namespace selector that any new namespace matches, whatever its name: one carrying only the
 * `kubernetes.io/metadata.name` label the API server sets. `{}`, and also requirements that only exclude:
 * `NotIn` (of any key), `Exists` on that label, `DoesNotExist` on any other key.
 */
export function selectsEveryNamespace(selector: unknown): boolean {
  return (
    selectorRequirements(selector)?.every(
      (r) =>
        r.operator === "NotIn" ||
        (r.operator === "Exists" && r.key === NAME_LABEL) ||
        (r.operator === "DoesNotExist" && r.key !== NAME_LABEL),
    ) ?? false
  );
}

/** A pod selector that any new pod matches, a pod without labels: `{}`, or requirements that are all `NotIn` or `DoesNotExist`. */
export function selectsEveryPod(selector: unknown): boolean {
  return selectorRequirements(selector)?.every((r) => r.operator === "NotIn" || r.operator === "DoesNotExist") ?? false;
}

/** A peer selecting every pod of every namespace: a namespaceSelector every namespace matches, with no podSelector or one every pod matches. */
export function isAnyNamespacePeer(peer: unknown): boolean {
  const p = rec(peer);
  return !present(p.ipBlock) && selectsEveryNamespace(p.namespaceSelector) && (!present(p.podSelector) || selectsEveryPod(p.podSelector));
}

/** A `ports` entry without `port`, or a range from port 1 to 65535 (`endPort`), covers every port of its protocol. */
export function portEntryCoversAllPorts(entry: unknown): boolean {
  const p = rec(entry);
  return !present(p.port) || (typeof p.port === "number" && p.port <= 1 && typeof p.endPort === "number" && p.endPort >= 65535);
}

/** A rule whose `ports` is missing, null or `[]` allows every port of every protocol. */
export function ruleCoversAllPorts(rule: unknown): boolean {
  return list(rec(rule).ports).length === 0;
}
