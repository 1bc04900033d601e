/** Label selector semantics of Kubernetes (metav1.LabelSelector and Service-style maps). */

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/** metav1.LabelSelector: an empty selector `{}` matches everything. */
export function labelSelectorMatches(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((expr) => expressionMatches(expr, labels));
}

function expressionMatches(expr: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
  const values = expr.values ?? [];
  switch (expr.operator) {
    case "In":
      return has && values.includes(labels[expr.key] as string);
    case "NotIn":
      return !has || !values.includes(labels[expr.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}

/** Service/PDB-style plain map selector: an empty or missing map selects nothing. */
export function mapSelectorMatches(selector: Labels | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}
