/**
 * One RBAC rule matcher, two implementations: TypeScript (src/k8s/rbac.ts) and Rego (policies/lib/rbac.rego,
 * run with the real opa in one batch), both checked against a reference written here from the Kubernetes
 * documentation ("Using RBAC Authorization": Referring to resources, Role examples; PolicyRule API reference):
 * - a rule allows a request only if one of its `verbs` is the request's verb or `*`;
 * - a resource request also needs one of its `apiGroups` to be the request's group or `*`; one of its
 *   `resources` to be `*`, the resource (`pods`), the resource and subresource joined by `/` (`pods/log`), or
 *   `*\/<subresource>` for a request on that subresource of any resource (`pods/*` is no pattern: it names a
 *   subresource called `*`); and `resourceNames` to be empty (every name, and requests without one) or to
 *   list the request's name;
 * - a non-resource request (a URL path) needs one of its `nonResourceURLs` to be `*`, the path, or to end
 *   in `*` with the path starting with what comes before the trailing `*`s (`/healthz/*`, `/api*`);
 * - impersonation ("User impersonation"): `impersonate` on users, groups or serviceaccounts (core group) or
 *   on uids and userextras/<key> (authentication.k8s.io); the controls count it in whichever group the
 *   rule names, so the reference asks for a request on those resources in one of the rule's own groups.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantsImpersonation, ruleAllows, type NonResourceRequest, type PolicyRule, type ResourceRequest } from "../../src/k8s/rbac.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { findTool } from "../../src/tools/find.js";

const RUNS = 4000;

const VERBS = ["get", "list", "create", "patch", "impersonate"];
const GROUPS = ["", "apps", "authentication.k8s.io"];
const RESOURCES = ["pods", "secrets", "serviceaccounts", "users", "uids", "userextras"];
const SUBRESOURCES = ["exec", "token", "ephemeralcontainers", "scopes", "*"];
const NAMES = ["a", "b"];
const PATHS = ["/", "/api", "/apis", "/apis/apps", "/healthz", "/healthz/", "/healthz/ready", "/metrics", "/metricsx"];
const URL_PATTERNS = ["*", "/api*", "/apis/*", "/healthz", "/healthz/*", "/healthz**", "/metrics", "/*", "/healthz/ready"];

const resourcePattern = fc.oneof(
  fc.constantFrom("*", ...RESOURCES),
  fc.tuple(fc.constantFrom("*", ...RESOURCES), fc.constantFrom(...SUBRESOURCES)).map(([r, s]) => `${r}/${s}`),
);
const rule: fc.Arbitrary<PolicyRule> = fc.record(
  {
    verbs: fc.uniqueArray(fc.constantFrom("*", ...VERBS), { maxLength: 3 }),
    apiGroups: fc.uniqueArray(fc.constantFrom("*", ...GROUPS), { maxLength: 2 }),
    resources: fc.uniqueArray(resourcePattern, { maxLength: 3 }),
    resourceNames: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 2 }),
    nonResourceURLs: fc.uniqueArray(fc.constantFrom(...URL_PATTERNS), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const resourceRequest: fc.Arbitrary<ResourceRequest> = fc.record({
  verb: fc.constantFrom(...VERBS),
  apiGroup: fc.constantFrom(...GROUPS),
  resource: fc.constantFrom(...RESOURCES),
  subresource: fc.constantFrom("", ...SUBRESOURCES),
  name: fc.constantFrom("", ...NAMES),
});
const nonResourceRequest: fc.Arbitrary<NonResourceRequest> = fc.record({
  verb: fc.constantFrom(...VERBS),
  path: fc.constantFrom(...PATHS),
});
/** A request built from the rule's own entries (wildcards filled in at random), so that many are allowed. */
function nearRequest(r: PolicyRule): fc.Arbitrary<ResourceRequest | NonResourceRequest> {
  const pick = (xs: string[] | undefined, fallback: readonly string[]) => fc.constantFrom(...(xs && xs.length > 0 ? xs : fallback));
  const fill = (x: string, pool: readonly string[]) => (x === "*" ? fc.constantFrom(...pool) : fc.constant(x));
  const resource = pick(r.resources, RESOURCES).chain((x) => {
    const [res = "*", sub = ""] = x.split("/");
    return fc.tuple(fill(res, RESOURCES), sub === "" ? fc.constant("") : fill(sub, SUBRESOURCES));
  });
  const resourceRequest = fc
    .record({
      verb: pick(r.verbs, VERBS).chain((v) => fill(v, VERBS)),
      apiGroup: pick(r.apiGroups, GROUPS).chain((g) => fill(g, GROUPS)),
      resource,
      name: pick(r.resourceNames, ["", ...NAMES]),
    })
    .map(({ resource: [res, sub], ...rest }) => ({ ...rest, resource: res, subresource: sub }));
  const nonResource = fc.record({
    verb: pick(r.verbs, VERBS).chain((v) => fill(v, VERBS)),
    path: fc.oneof(
      fc.constantFrom(...PATHS),
      pick(r.nonResourceURLs, PATHS).map((u) => u.replace(/\*+$/, "")),
    ),
  });
  return fc.oneof(resourceRequest, nonResource);
}
const testCase = rule.chain((r) =>
  fc.record({ rule: fc.constant(r), request: fc.oneof(resourceRequest, nonResourceRequest, nearRequest(r), nearRequest(r)) }),
);
type Case = { rule: PolicyRule; request: ResourceRequest | NonResourceRequest };

/** Reference: the documented matching, one field at a time. */
function referenceAllows(r: PolicyRule, request: ResourceRequest | NonResourceRequest): boolean {
  const list = (xs: string[] | undefined) => xs ?? [];
  if (!list(r.verbs).some((v) => v === "*" || v === request.verb)) return false;
  if ("path" in request) {
    return list(r.nonResourceURLs).some((u) => {
      if (u === "*" || u === request.path) return true;
      if (!u.endsWith("*")) return false;
      let stem = u;
      while (stem.endsWith("*")) stem = stem.slice(0, -1);
      return request.path.slice(0, stem.length) === stem;
    });
  }
  if (!list(r.apiGroups).some((g) => g === "*" || g === request.apiGroup)) return false;
  const full = request.subresource === "" ? request.resource : `${request.resource}/${request.subresource}`;
  const resourceOk = list(r.resources).some(
    (x) => x === "*" || x === full || (request.subresource !== "" && x === `*/${request.subresource}`),
  );
  if (!resourceOk) return false;
  return list(r.resourceNames).length === 0 || list(r.resourceNames).includes(request.name);
}

/** Reference: some impersonation request, in one of the rule's groups, is allowed. */
function referenceImpersonates(r: PolicyRule): boolean {
  const groups = (r.apiGroups ?? []).map((g) => (g === "*" ? "" : g));
  const keys = ["scopes", ...(r.resources ?? []).flatMap((x) => (x.includes("/") ? [x.slice(x.indexOf("/") + 1)] : []))];
  const targets: Array<[string, string]> = [
    ["users", ""],
    ["groups", ""],
    ["serviceaccounts", ""],
    ["uids", ""],
    ...keys.map((k): [string, string] => ["userextras", k]),
  ];
  const name = r.resourceNames?.[0] ?? "";
  return groups.some((apiGroup) =>
    targets.some(([resource, subresource]) => referenceAllows(r, { verb: "impersonate", apiGroup, resource, subresource, name })),
  );
}

interface Verdicts {
  allows: boolean;
  impersonates: boolean;
}

function regoVerdicts(cases: readonly Case[]): Verdicts[] {
  const verdict = (name: string, call: string) => `"${name}": count([1 | data.lib.rbac.${call}]) > 0`;
  const query = [
    "x := [v | some c in input; v := {",
    [verdict("allows", "rule_allows(c.rule, c.request)"), verdict("impersonates", "grants_impersonation(c.rule)")].join(", "),
    "}]",
  ].join(" ");
  const data = ["rbac.rego", "k8s.rego", "kinds.rego"].flatMap((f) => ["--data", `policies/lib/${f}`]);
  const run = spawnSync(findTool("opa"), ["eval", "--format", "json", "--stdin-input", ...data, query], {
    cwd: PACKAGE_ROOT,
    input: JSON.stringify(cases),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`opa eval failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { result: Array<{ bindings: { x: Verdicts[] } }> };
  return out.result[0]!.bindings.x.map((v) => ({ allows: v.allows, impersonates: v.impersonates }));
}

describe(`RBAC rule matcher (property, ${RUNS} generated cases): TypeScript and Rego against the Kubernetes reference`, () => {
  const cases = fc.sample(testCase, { numRuns: RUNS, seed: 13 });
  const reference = cases.map((c): Verdicts => ({
    allows: referenceAllows(c.rule, c.request),
    impersonates: referenceImpersonates(c.rule),
  }));
  const rego = regoVerdicts(cases);

  it("TypeScript allows and finds impersonation exactly as the reference", () => {
    const ts = cases.map((c): Verdicts => ({ allows: ruleAllows(c.rule, c.request), impersonates: grantsImpersonation(c.rule) }));
    const differ = cases.flatMap((c, i) =>
      JSON.stringify(ts[i]) === JSON.stringify(reference[i]) ? [] : [{ c, ts: ts[i], ref: reference[i] }],
    );
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("Rego allows and finds impersonation exactly as the reference", () => {
    expect(rego).toHaveLength(cases.length);
    const differ = cases.flatMap((c, i) =>
      JSON.stringify(rego[i]) === JSON.stringify(reference[i]) ? [] : [{ c, rego: rego[i], ref: reference[i] }],
    );
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("generate allowed and denied requests of every shape", () => {
    const resourceCases = cases.filter((c) => !("path" in c.request));
    const urlCases = cases.filter((c) => "path" in c.request);
    const allowed = (cs: Case[]) => cs.filter((c) => referenceAllows(c.rule, c.request)).length;
    expect(allowed(resourceCases)).toBeGreaterThan(50);
    expect(allowed(urlCases)).toBeGreaterThan(50);
    expect(resourceCases.length - allowed(resourceCases)).toBeGreaterThan(50);
    // The patterns that read differently from their spelling all occur in allowed requests.
    const allowedBy = (pattern: (c: Case) => boolean) => cases.some((c) => pattern(c) && referenceAllows(c.rule, c.request));
    expect(allowedBy((c) => !!c.rule.resources?.some((x) => x.startsWith("*/")) && !c.rule.resources?.includes("*"))).toBe(true);
    expect(
      allowedBy((c) => {
        const request = c.request;
        return "path" in request && !!c.rule.nonResourceURLs?.some((u) => u !== "*" && u.endsWith("*") && u !== request.path);
      }),
    ).toBe(true);
    expect(allowedBy((c) => (c.rule.resourceNames?.length ?? 0) > 0)).toBe(true);
    expect(reference.filter((v) => v.impersonates).length).toBeGreaterThan(20);
  });

  it("`pods/*` grants no subresource that exists, `*/exec` grants exec on every resource", () => {
    const exec = { verb: "create", apiGroup: "", resource: "pods", subresource: "exec", name: "" };
    expect(ruleAllows({ verbs: ["*"], apiGroups: [""], resources: ["pods/*"] }, exec)).toBe(false);
    expect(ruleAllows({ verbs: ["*"], apiGroups: [""], resources: ["*/exec"] }, exec)).toBe(true);
    expect(ruleAllows({ verbs: ["get"], nonResourceURLs: ["/healthz/*"] }, { verb: "get", path: "/healthz/etcd" })).toBe(true);
    expect(ruleAllows({ verbs: ["get"], nonResourceURLs: ["/healthz/*"] }, { verb: "get", path: "/healthz" })).toBe(false);
  });
});
