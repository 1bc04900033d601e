/**
 * One label selector semantics, two implementations: TypeScript (src/k8s/selectors.ts) and Rego
 * (policies/lib/k8s.rego, run with the real opa in one batch), both checked against a reference written
 * here from the Kubernetes documentation ("Labels and Selectors", LabelSelector API reference):
 * - a selector is the AND of its requirements; `matchLabels: {k: v}` is `k In (v)`;
 * - `In`: the key is present and its value listed; `NotIn`: absent, or its value not listed;
 *   `Exists`: present; `DoesNotExist`: absent; `{}` and `{matchLabels: {}}` match everything;
 * - validation: `In`/`NotIn` need a non-empty `values`, `Exists`/`DoesNotExist` an empty one; any other
 *   operator, a non-string value or a field of the wrong type is rejected by the API server. We treat a
 *   missing or invalid selector as selecting nothing, since the object holding it is never admitted;
 * - the pods of a workload carry its template labels plus keys its controller sets to values the
 *   manifest cannot know ("pod-template-hash", "controller-revision-hash", ...). The reference
 *   enumerates those values over every value the selector mentions plus one fresh value, which is
 *   complete because a requirement only ever compares a value for equality with its listed values.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTROLLER_POD_LABEL_KEYS,
  labelSelectorMatches,
  mapSelectorMatches,
  maySelectPods,
  selectorImpliesLabel,
  selectsAllPods,
  type Labels,
} from "../../src/k8s/selectors.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { findTool } from "../../src/tools/find.js";

const KEYS = ["app", "tier", "pod-template-hash", "controller-revision-hash"];
const VALUES = ["x", "y", "z"];
const FRESH = "fresh-value";
const KINDS = ["Deployment", "StatefulSet", "ReplicaSet", "Job"];
const RUNS = 3000;

const labels: fc.Arbitrary<Labels> = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 4 });
const validRequirement = fc.oneof(
  fc.record({
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom("In", "NotIn"),
    values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("Exists", "DoesNotExist") }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("Exists", "DoesNotExist"), values: fc.constant([]) }),
);
/** Requirements the API server rejects. */
const invalidRequirement = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("In", "NotIn"), values: fc.constant([]) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("In", "NotIn") }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("Exists", "DoesNotExist"), values: fc.constant(["x"]) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("in", "Equals", ""), values: fc.constant(["x"]) }),
  fc.record({ key: fc.constant(7), operator: fc.constant("Exists") }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constant("In"), values: fc.constant([1]) }),
);
const requirement = fc.oneof({ weight: 12, arbitrary: validRequirement }, { weight: 1, arbitrary: invalidRequirement });
const selector: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 4 }) }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constantFrom({}, { matchLabels: {} }, { matchExpressions: [] }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, "app=x", [], { matchLabels: { app: 1 } }, { matchLabels: [] }, { matchExpressions: {} }),
  },
);

type Req = { key: string; operator: string; values: string[] };

/** Reference requirements of a selector, or null when the API server would reject it (selects nothing). */
function referenceRequirements(sel: unknown): Req[] | null {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(sel)) return null;
  const ml = sel.matchLabels ?? {};
  const me = sel.matchExpressions ?? [];
  if (!isMap(ml) || !Array.isArray(me)) return null;
  const reqs: Req[] = [];
  for (const [key, v] of Object.entries(ml)) {
    if (typeof v !== "string") return null;
    reqs.push({ key, operator: "In", values: [v] });
  }
  for (const e of me as Array<Record<string, unknown>>) {
    const values = (e.values ?? []) as unknown[];
    if (typeof e.key !== "string" || !Array.isArray(values) || values.some((v) => typeof v !== "string")) return null;
    const needsValues = e.operator === "In" || e.operator === "NotIn";
    const noValues = e.operator === "Exists" || e.operator === "DoesNotExist";
    if (!(needsValues && values.length > 0) && !(noValues && values.length === 0)) return null;
    reqs.push({ key: e.key, operator: e.operator as string, values: values as string[] });
  }
  return reqs;
}

function referenceMatches(sel: unknown, l: Labels): boolean {
  const reqs = referenceRequirements(sel);
  return (
    reqs !== null &&
    reqs.every((r) => {
      const present = Object.prototype.hasOwnProperty.call(l, r.key);
      if (r.operator === "Exists") return present;
      if (r.operator === "DoesNotExist") return !present;
      const member = present && r.values.includes(l[r.key]!);
      return r.operator === "In" ? member : !member;
    })
  );
}

/** Every label set the controller can give the pods: template labels with each managed key set to any value. */
function podLabelSets(sel: unknown, kind: string, template: Labels): Labels[] {
  const domain = [...new Set([...(referenceRequirements(sel) ?? []).flatMap((r) => r.values), FRESH])];
  let sets: Labels[] = [{ ...template }];
  for (const key of CONTROLLER_POD_LABEL_KEYS[kind] ?? []) sets = sets.flatMap((s) => domain.map((v) => ({ ...s, [key]: v })));
  return sets;
}

/** Every label set over the selector's keys and `key`, each absent or one of the mentioned values or a fresh one. */
function allLabelSets(sel: unknown, key: string, value: string): Labels[] {
  const reqs = referenceRequirements(sel) ?? [];
  const keys = [...new Set([...reqs.map((r) => r.key), key])];
  const domain = [...new Set([...reqs.flatMap((r) => r.values), value, FRESH])];
  let sets: Labels[] = [{}];
  for (const k of keys) sets = sets.flatMap((s) => [s, ...domain.map((v) => ({ ...s, [k]: v }))]);
  return sets;
}

const referenceSelectsAll = (sel: unknown, kind: string, t: Labels) =>
  referenceRequirements(sel) !== null && podLabelSets(sel, kind, t).every((l) => referenceMatches(sel, l));
const referenceMaySelect = (sel: unknown, kind: string, t: Labels) => podLabelSets(sel, kind, t).some((l) => referenceMatches(sel, l));
const referenceImplies = (sel: unknown, key: string, value: string) =>
  allLabelSets(sel, key, value).every((l) => !referenceMatches(sel, l) || l[key] === value);

interface Case {
  selector: unknown;
  labels: Labels;
  map: Labels;
  workload: { kind: string; metadata: { name: string }; spec: unknown };
  key: string;
  value: string;
}
const testCase: fc.Arbitrary<Case> = fc
  .record({
    selector,
    labels,
    map: labels,
    kind: fc.constantFrom(...KINDS),
    key: fc.constantFrom(...KEYS),
    value: fc.constantFrom(...VALUES),
  })
  .map(({ selector: s, labels: l, map, kind, key, value }) => ({
    selector: s,
    labels: l,
    map,
    key,
    value,
    workload: { kind, metadata: { name: "w" }, spec: { template: { metadata: { labels: l }, spec: { containers: [{ name: "a" }] } } } },
  }));

interface Verdicts {
  matches: boolean;
  map: boolean;
  all: boolean;
  may: boolean;
  implies: boolean;
}

function regoVerdicts(cases: readonly Case[]): { verdicts: Verdicts[]; controllerKeys: Record<string, string[]> } {
  // `count([1 | f(...)]) > 0` reads an undefined verdict (no match) as false.
  const verdict = (name: string, call: string) => `"${name}": count([1 | data.lib.k8s.${call}]) > 0`;
  const query = [
    "x := {",
    '"verdicts": [v | some c in input; v := {',
    [
      verdict("matches", "selector_matches(c.selector, c.labels)"),
      verdict("map", "map_selector_matches(c.map, c.labels)"),
      verdict("all", "selects_all_pods(c.selector, c.workload)"),
      verdict("may", "may_select_pods(c.selector, c.workload)"),
      verdict("implies", "selector_implies_label(c.selector, c.key, c.value)"),
    ].join(", "),
    "}],",
    '"controllerKeys": {k: sort([x | some x in v]) | some k, v in data.lib.k8s.controller_pod_label_keys}',
    "}",
  ].join(" ");
  const run = spawnSync(findTool("opa"), ["eval", "--format", "json", "--stdin-input", "--data", "policies/lib", query], {
    cwd: PACKAGE_ROOT,
    input: JSON.stringify(cases),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`opa eval failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as {
    result: Array<{ bindings: { x: { verdicts: Verdicts[]; controllerKeys: Record<string, string[]> } } }>;
  };
  const { verdicts, controllerKeys } = out.result[0]!.bindings.x;
  // In the reference's key order, so that verdicts compare as JSON.
  return {
    verdicts: verdicts.map((v) => ({ matches: v.matches, map: v.map, all: v.all, may: v.may, implies: v.implies })),
    controllerKeys,
  };
}

describe(`label selectors (property, ${RUNS} generated cases): TypeScript and Rego against the Kubernetes reference`, () => {
  const cases = fc.sample(testCase, { numRuns: RUNS, seed: 13 });
  const reference = cases.map((c): Verdicts => ({
    matches: referenceMatches(c.selector, c.labels),
    map: Object.keys(c.map).length > 0 && referenceMatches({ matchLabels: c.map }, c.labels),
    all: referenceSelectsAll(c.selector, c.workload.kind, c.labels),
    may: referenceMaySelect(c.selector, c.workload.kind, c.labels),
    implies: referenceImplies(c.selector, c.key, c.value),
  }));
  const rego = regoVerdicts(cases);

  it("TypeScript matches, covers, overlaps and implies exactly as the reference", () => {
    const ts = cases.map((c): Verdicts => ({
      matches: labelSelectorMatches(c.selector, c.labels),
      map: mapSelectorMatches(c.map, c.labels),
      all: selectsAllPods(c.selector, { kind: c.workload.kind, templateLabels: c.labels }),
      may: maySelectPods(c.selector, { kind: c.workload.kind, templateLabels: c.labels }),
      implies: selectorImpliesLabel(c.selector, c.key, c.value),
    }));
    const differ = cases.flatMap((c, i) =>
      JSON.stringify(ts[i]) === JSON.stringify(reference[i]) ? [] : [{ c, ts: ts[i], ref: reference[i] }],
    );
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("Rego matches, covers, overlaps and implies exactly as the reference", () => {
    const differ = cases.flatMap((c, i) =>
      JSON.stringify(rego.verdicts[i]) === JSON.stringify(reference[i]) ? [] : [{ c, rego: rego.verdicts[i], ref: reference[i] }],
    );
    expect(rego.verdicts).toHaveLength(cases.length);
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("both know the same controller-set pod label keys", () => {
    const ts = Object.fromEntries(Object.entries(CONTROLLER_POD_LABEL_KEYS).map(([k, v]) => [k, [...v].sort()]));
    expect(rego.controllerKeys).toEqual(ts);
  });

  it("generate every case: empty, invalid, matching and excluding selectors; covering and partial overlaps", () => {
    expect(cases.some((c) => JSON.stringify(c.selector) === "{}")).toBe(true);
    expect(cases.some((c) => referenceRequirements(c.selector) === null)).toBe(true);
    const count = (f: (v: Verdicts) => boolean) => reference.filter(f).length;
    for (const f of [(v: Verdicts) => v.matches, (v: Verdicts) => !v.matches, (v: Verdicts) => v.all, (v: Verdicts) => v.may && !v.all]) {
      expect(count(f)).toBeGreaterThan(RUNS / 50);
    }
    expect(count((v) => v.implies)).toBeGreaterThan(RUNS / 50);
    expect(count((v) => !v.may)).toBeGreaterThan(RUNS / 50);
  });
});
