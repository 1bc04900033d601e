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

/** A peer selecting every pod of every namespace: a match-all namespaceSelector with no or a match-all podSelector. */
export function isAnyNamespacePeer(peer: unknown): boolean {
  const p = rec(peer);
  return !present(p.ipBlock) && selectsEverything(p.namespaceSelector) && (!present(p.podSelector) || selectsEverything(p.podSelector));
}

/** A `ports` entry without `port` covers every port of its protocol. */
export function portEntryCoversAllPorts(entry: unknown): boolean {
  return !present(rec(entry).port);
}

/** A rule whose `ports` is missing, null or `[]` allows every port of every protocol. */
export function ruleCoversAllPorts(rule: unknown): boolean {
  return list(rec(rule).ports).length === 0;
}
