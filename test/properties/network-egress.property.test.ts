/**
 * net-egress-allowlist against a reference written from the Kubernetes documentation and CONTROLS.md:
 * `to` missing/`[]`/`{}` is every destination, `ports` missing/`[]` or an entry without `port` is every
 * port, a `/0` with no `except` of its family is every address, and DNS (a ports entry covering 53) may
 * only go to peers whose selectors can only match kube-system's kube-dns pods. Whether a selector can
 * only match labels carrying key=value is decided by enumerating every label set of a universe that
 * holds a value no generated selector names. TypeScript is checked against the reference, Rego against
 * TypeScript (one opa eval).
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/types.js";
import { netEgressAllowlist } from "../../src/validators/net-egress-allowlist.js";

let cases = 0;
/** Rules the reference accepts as DNS to kube-dns only: the generator must reach the passing side too. */
let kubeDnsAccepted = 0;
const RUNS = 3000;

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
type Rec = Record<string, any>;

const NS_KEY = "kubernetes.io/metadata.name";
const APP_KEY = "k8s-app";
const KEYS = [NS_KEY, APP_KEY];
const VALUES = ["kube-system", "kube-dns", "other"];
/** Every label set over KEYS with each key absent, a generated value, or a value no selector names. */
const UNIVERSE: Labels[] = KEYS.reduce<Labels[]>(
  (maps, key) => maps.flatMap((m) => [m, ...[...VALUES, "fresh"].map((v) => ({ ...m, [key]: v }))]),
  [{}],
);

function refSelects(sel: Selector, labels: Labels): boolean {
  const reqs = [
    ...Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })),
    ...(sel.matchExpressions ?? []),
  ];
  return reqs.every((r) => {
    const has = r.key in labels;
    if (r.operator === "Exists") return has;
    if (r.operator === "DoesNotExist") return !has;
    const member = has && (r.values ?? []).includes(labels[r.key]!);
    return r.operator === "In" ? member : !member;
  });
}
const refImplies = (sel: Selector | undefined, key: string, value: string) =>
  sel !== undefined && UNIVERSE.every((l) => !refSelects(sel, l) || l[key] === value);

const selector: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant<Selector>({}),
  fc.constant<Selector>({ matchLabels: { [NS_KEY]: "kube-system" } }),
  fc.constant<Selector>({ matchLabels: { [APP_KEY]: "kube-dns" } }),
  fc.constant<Selector>({ matchExpressions: [{ key: APP_KEY, operator: "In", values: ["kube-dns"] }] }),
  fc.constant<Selector>({ matchExpressions: [{ key: NS_KEY, operator: "In", values: ["kube-system"] }] }),
  fc.record(
    {
      matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
      matchExpressions: fc.array(
        fc.oneof(
          fc.record({
            key: fc.constantFrom(...KEYS),
            operator: fc.constantFrom("In", "NotIn"),
            values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
          }),
          fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("Exists", "DoesNotExist") }),
        ),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  ),
);
const CIDRS = ["0.0.0.0/0", "1.2.3.4/0", "::/0", "2001:db8::/0", "10.0.0.0/8", "2001:db8::/32"];
const peer = fc.oneof(
  // kube-dns written with matchLabels and with In expressions, so the passing side is reached often.
  fc.constant({ namespaceSelector: { matchLabels: { [NS_KEY]: "kube-system" } }, podSelector: { matchLabels: { [APP_KEY]: "kube-dns" } } }),
  fc.constant({
    namespaceSelector: { matchExpressions: [{ key: NS_KEY, operator: "In", values: ["kube-system"] }] },
    podSelector: { matchExpressions: [{ key: APP_KEY, operator: "In", values: ["kube-dns"] }] },
  }),
  fc.constant({}),
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ namespaceSelector: selector, podSelector: selector }),
  fc.record({
    ipBlock: fc.record({ cidr: fc.constantFrom(...CIDRS), except: fc.subarray(["10.0.0.0/8", "fd00::/8"]) }, { requiredKeys: ["cidr"] }),
  }),
);
const portEntry = fc.oneof(
  fc.record({ protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: [] }),
  fc.record({ port: fc.constantFrom(53, 80, 443), protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: ["port"] }),
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 })).map(([port, width]) => ({ port, endPort: port + width })),
  fc.record({ port: fc.constantFrom("dns", "dns-tcp", "http") }),
);
const rule = fc.record({ to: fc.array(peer, { maxLength: 3 }), ports: fc.array(portEntry, { maxLength: 3 }) }, { requiredKeys: [] });
type Rule = { to?: Rec[]; ports?: Rec[] };

const family = (cidr: string) => (cidr.includes(":") ? 6 : 4);

/** Reference: the message IDs net-egress-allowlist must raise for one egress rule. */
function refMessages(r: Rule): string[] {
  const to = r.to ?? [];
  const ports = r.ports ?? [];
  const empty = (p: Rec) => !p.ipBlock && !p.namespaceSelector && !p.podSelector;
  const out: string[] = [];
  if (to.length === 0 || to.some(empty)) out.push("egressWithoutTo");
  if (ports.length === 0 || ports.some((e) => e.port === undefined)) out.push("egressWithoutPorts");
  if (
    to.some(
      (p) =>
        p.ipBlock && p.ipBlock.cidr.endsWith("/0") && !(p.ipBlock.except ?? []).some((e: string) => family(e) === family(p.ipBlock.cidr)),
    )
  )
    out.push("egressOpenIpBlock");
  const dns = ports.some(
    (e) =>
      e.port === undefined ||
      (typeof e.port === "string" ? ["dns", "dns-tcp"].includes(e.port) : e.port <= 53 && (e.endPort ?? e.port) >= 53),
  );
  const kubeDns = (p: Rec) =>
    !p.ipBlock && refImplies(p.namespaceSelector, NS_KEY, "kube-system") && refImplies(p.podSelector, APP_KEY, "kube-dns");
  if (dns && !(to.length > 0 && to.every(kubeDns))) out.push("dnsNotKubeDns");
  else if (dns) kubeDnsAccepted++;
  return out.sort();
}

/**
 * Reference for the whole policy: the ipBlocks of all its rules, each minus its excepts, together cover a
 * family without a single open /0 of it. With the peers drawn here that happens only one way: IPv4 /0s
 * that all carve out 10.0.0.0/8, which a 10.0.0.0/8 block fills unless it carves out itself (fd00::/8, the IPv6 hole, no block fills).
 * The finding belongs to the rule of the first IPv4 block.
 */
function refUnionMessages(rules: Rule[]): string[] {
  const blocks = rules.flatMap((r, i) =>
    (r.to ?? []).filter((p) => p.ipBlock && family(p.ipBlock.cidr) === 4).map((p) => ({ rule: i, ...p.ipBlock })),
  );
  const slashZero = blocks.filter((b) => b.cidr.endsWith("/0"));
  const holed = (b: Rec) => (b.except ?? []).some((e: string) => family(e) === 4);
  const union = slashZero.length > 0 && slashZero.every(holed) && blocks.some((b) => b.cidr === "10.0.0.0/8" && !holed(b));
  return union ? [`${blocks[0]!.rule} egressOpenIpBlockUnion`] : [];
}

const policyOf = (rules: Rule[]): K8sObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "p", namespace: "a" },
  spec: JSON.parse(JSON.stringify({ podSelector: {}, policyTypes: ["Egress"], egress: rules })),
});
const tsMessages = (np: K8sObject) => [...new Set(netEgressAllowlist.validate(np, {}).map((v) => `${v.data.rule} ${v.messageId}`))].sort();

describe("net-egress-allowlist (property, reference from the Kubernetes docs)", () => {
  it("TypeScript raises exactly the reference's message IDs for every rule", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), (rules) => {
        cases++;
        const expected = [...rules.flatMap((r, i) => refMessages(r).map((m) => `${i} ${m}`)), ...refUnionMessages(rules)].sort();
        expect(tsMessages(policyOf(rules)), JSON.stringify(rules)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("Rego raises the same message IDs as TypeScript, at the same paths (one opa eval)", () => {
    const policies = fc.sample(fc.array(rule, { minLength: 1, maxLength: 3 }), { numRuns: 800, seed: 13 }).map(policyOf);
    cases += policies.length;
    const rego = opaProbe<string[][]>(
      [
        "package probe",
        "import data.erlmcp.controls.net_egress_allowlist as control",
        "results := [ids | some np in input.policies; ids := found(np)]",
        'found(np) := sort({sprintf("%d %s %s", [v.details.data.rule, v.details.messageId, json.marshal(v.details.path)]) | some v in control.violation with input as {"review": {"object": np}}}) if true',
      ],
      { policies },
      ["net-egress-allowlist/policy.rego"],
    );
    const tsLocated = (np: K8sObject) =>
      [...new Set(netEgressAllowlist.validate(np, {}).map((v) => `${v.data.rule} ${v.messageId} ${JSON.stringify(v.path)}`))].sort();
    expect(rego).toEqual(policies.map(tsLocated));
    expect(rego.filter((ids) => ids.length === 0).length).toBeGreaterThan(10);
  });

  it("reports how many cases ran", () => {
    console.log(`net-egress-allowlist properties: ${cases} cases, ${kubeDnsAccepted} rules with DNS to kube-dns only`);
    expect(kubeDnsAccepted).toBeGreaterThan(20);
    expect(cases).toBeGreaterThanOrEqual(RUNS + 800);
  });
});
