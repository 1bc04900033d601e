/** OSCAL 1.1.3 assessment-results rendered from evidence.json. */
import type { Evidence, EvidenceFinding, EvidenceResource } from "./model.js";
import { resourceKey } from "../findings/identity.js";
import { notAuditedReason } from "../reporters/not-audited.js";
import { disabledByConfig } from "../reporters/config.js";
import { uuidv5 } from "./uuid.js";

const NS = "urn:erlmcp-audit";
/** OSCAL strings may not start or end with whitespace nor span lines. */
const line = (s: string) => s.replace(/\s+/g, " ").trim() || "-";
const prop = (name: string, value: string) => ({ name, ns: NS, value: line(value) });
const resourceLabel = (r: { kind: string; namespace: string; name: string }) =>
  r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;

export function renderOscal(evidence: Evidence): string {
  const id = (kind: string, key: string) => uuidv5(`${evidence.id}:${kind}:${key}`);
  const tool = id("component", "tool");
  const origins = [{ actors: [{ type: "tool", "actor-uuid": tool }] }];
  const itemId = (r: { kind: string; namespace: string; name: string }) => id("resource", resourceKey(r));

  /** One inventory item per distinct resource; the manifest sets it appears in are its `unit` props. */
  const items = new Map<string, { ref: EvidenceResource; units: string[] }>();
  for (const r of evidence.population) {
    const item = items.get(resourceKey(r)) ?? { ref: r, units: [] };
    item.units.push(r.unit);
    items.set(resourceKey(r), item);
  }
  const findingsByKey = new Map<string, EvidenceFinding[]>();
  for (const f of evidence.findings) {
    const key = `${f.controlId}\0${resourceKey(f.resource)}`;
    findingsByKey.set(key, [...(findingsByKey.get(key) ?? []), f]);
  }

  /** One observation per (control, resource), over every manifest set the control ran in. */
  const observations: Array<Record<string, unknown>> = [];
  const observationsOf = new Map<string, string[]>();
  const waivedObservations = new Map<string, string[]>();
  for (const control of evidence.controls) {
    const kinds = new Set(control.kinds);
    const units = new Set(control.units);
    for (const { ref, units: present } of items.values()) {
      const sets = present.filter((u) => units.has(u));
      if (!kinds.has(ref.kind) || sets.length === 0) continue;
      const found = findingsByKey.get(`${control.id}\0${resourceKey(ref)}`) ?? [];
      const result = (["error", "fail", "waived"] as const).find((s) => found.some((f) => f.status === s)) ?? "pass";
      const uuid = id("observation", `${control.id}\0${resourceKey(ref)}`);
      observations.push({
        uuid,
        title: `${control.id}: ${resourceLabel(ref)}`,
        description: found.length
          ? found.map((f) => `[${f.status}] ${f.unit} ${f.location}: ${f.message}`).join("\n")
          : `No violation in ${sets.length} manifest set(s).`,
        props: [prop("control-id", control.id), prop("result", result)],
        methods: ["TEST"],
        subjects: [{ "subject-uuid": itemId(ref), type: "inventory-item" }],
        collected: evidence.generatedAt,
      });
      if (result !== "pass") observationsOf.set(control.id, [...(observationsOf.get(control.id) ?? []), uuid]);
      for (const w of new Set(found.flatMap((f) => (f.waiver ? [f.waiver] : []))))
        waivedObservations.set(w, [...(waivedObservations.get(w) ?? []), uuid]);
    }
  }

  // A control the config switched off is an observation of its own, never a silent "not applicable".
  for (const control of evidence.controls) {
    if (!control.disabled?.length) continue;
    const uuid = id("observation", `${control.id}\0disabled`);
    observations.push({
      uuid,
      title: `${control.id}: disabled by config`,
      description: control.disabled
        .map((d) => `${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}: did not run in ${d.units.join(", ")}`)
        .join("\n"),
      props: [prop("control-id", control.id), prop("result", "disabled")],
      methods: ["EXAMINE"],
      collected: evidence.generatedAt,
    });
    observationsOf.set(control.id, [...(observationsOf.get(control.id) ?? []), uuid]);
  }

  const risks = evidence.waivers.map((w) => ({
    uuid: id("risk", w.id),
    title: `Waiver ${w.id}: ${w.control}`,
    description: w.justification,
    statement: `Owner ${w.owner}; approved by ${w.approver}; ticket ${w.ticket}; expires ${w.expires}; matched ${w.matched} finding(s).`,
    props: [prop("waiver-id", w.id), prop("control-id", w.control), prop("waiver-state", w.state)],
    status: w.state === "expired" ? "open" : "deviation-approved",
    deadline: `${w.expires}T23:59:59Z`,
    ...(waivedObservations.get(w.id)?.length
      ? { "related-observations": waivedObservations.get(w.id)!.map((u) => ({ "observation-uuid": u })) }
      : {}),
  }));

  const findings = evidence.frameworks.flatMap((fw) =>
    fw.criteria
      .filter((c) => c.automated === "satisfied" || c.automated === "not-satisfied")
      .map((c) => {
        const related = [...new Set(c.controls.flatMap((m) => observationsOf.get(m.id) ?? []))];
        return {
          uuid: id("finding", `${fw.id}:${c.id}`),
          title: `${fw.name} ${c.id}: ${c.title}`,
          description: c.controls.map((m) => `${m.id} (${m.status}, basis ${m.basis.join("/")}): ${m.rationale}`).join("\n"),
          props: [
            prop("framework", fw.id),
            prop("evidence-status", c.status),
            prop("mapping-basis", c.basis.join(",")),
            ...c.controls.map((m) => prop("control-id", m.id)),
          ],
          origins,
          target: {
            type: "objective-id",
            "target-id": c.id,
            status: { state: c.automated, reason: c.automated === "satisfied" ? "pass" : "fail" },
            ...(c.external || c.exceptions.length
              ? {
                  remarks: [
                    ...(c.external ? [`Needs evidence from outside the manifests: ${c.external}`] : []),
                    ...(c.exceptions.length
                      ? [
                          `Met with exceptions: ${c.exceptions
                            .map(
                              (x) =>
                                `${x.findings} finding(s) of ${x.controlId} waived by ${x.waiver} (approved by ${x.approver} on ${x.approved}, ticket ${x.ticket}, expires ${x.expires})`,
                            )
                            .join("; ")}.`,
                        ]
                      : []),
                  ].join("\n"),
                }
              : {}),
          },
          ...(related.length ? { "related-observations": related.map((u) => ({ "observation-uuid": u })) } : {}),
        };
      }),
  );

  const plan = id("resource", "assessment-plan");
  const document = {
    "assessment-results": {
      uuid: id("document", "assessment-results"),
      metadata: {
        title: "erlmcp-audit assessment results",
        "last-modified": evidence.generatedAt,
        version: evidence.id,
        "oscal-version": "1.1.3",
        props: [prop("tool-version", evidence.tool.version), prop("policy-bundle-sha256", evidence.tool.policyBundleSha256 || "none")],
      },
      "import-ap": { href: `#${plan}`, remarks: "No separate assessment plan: the plan is the control catalog and configuration below." },
      results: [
        {
          uuid: id("result", "audit"),
          title: `Automated audit of ${evidence.scope.paths.join(", ")}`,
          description: `${evidence.reconciliation.resources} resources in ${evidence.units.length} units evaluated by ${evidence.controls.length} controls.${
            evidence.notAudited.length
              ? ` ${evidence.notAudited.length} paths under the inputs not audited (back-matter, prop not-audited-reason).`
              : ""
          }`,
          start: evidence.generatedAt,
          end: evidence.generatedAt,
          props: runProps(evidence),
          "local-definitions": {
            components: [
              {
                uuid: tool,
                type: "software",
                title: `${evidence.tool.name} ${evidence.tool.version}`,
                description: `Engines ${evidence.tool.engines.join(", ")}; OPA ${evidence.tool.opaVersion || "-"}.`,
                props: [prop("version", evidence.tool.version)],
                status: { state: "operational" },
              },
            ],
            ...(items.size
              ? {
                  "inventory-items": [...items.values()].map(({ ref, units }) => ({
                    uuid: itemId(ref),
                    description: resourceLabel(ref),
                    props: [
                      prop("kind", ref.kind),
                      ...(ref.namespace ? [prop("namespace", ref.namespace)] : []),
                      prop("name", ref.name),
                      ...units.map((u) => prop("unit", u)),
                    ],
                  })),
                }
              : {}),
          },
          "reviewed-controls": {
            "control-selections": evidence.frameworks.map((fw) => ({
              description: `${fw.name} ${fw.version}`,
              props: [prop("framework", fw.id)],
              "include-controls": fw.criteria.map((c) => ({ "control-id": c.id })),
            })),
          },
          ...(observations.length ? { observations } : {}),
          ...(risks.length ? { risks } : {}),
          ...(findings.length ? { findings } : {}),
        },
      ],
      "back-matter": {
        resources: [
          {
            uuid: plan,
            title: "Assessment plan: erlmcp-audit control catalog and configuration",
            description: `Controls: ${evidence.controls.map((c) => c.id).join(", ")}. Config: ${evidence.scope.config ?? "none"}.${evidence.controls
              .filter((c) => c.disabled?.length)
              .map((c) => ` ${c.id} ${c.disabled!.map(disabledByConfig).join("; ")}.`)
              .join("")} ${evidence.statements.population}`,
            remarks: `Limitations: ${evidence.statements.limitations.join(" ")}`,
          },
          ...evidence.controls.flatMap((c) =>
            c.parameters.map((p) => ({
              uuid: id("parameters", `${c.id}\0${p.profile}`),
              title: `${c.id} parameters in profile ${p.profile}`,
              description: line(`Severity ${p.severity}; parameters ${JSON.stringify(p.params)}; units ${p.units.join(", ")}.`),
              props: [prop("control-id", c.id), prop("profile", p.profile), prop("severity", p.severity)],
            })),
          ),
          ...evidence.scope.scopes.map((scope) => ({
            uuid: id("scope", scope.name),
            title: `Scope ${scope.name}`,
            description: line(
              `${scope.description ? `${scope.description}. ` : ""}${scope.files} input files, ${scope.units.length} units (${scope.units.join(", ")}), ${scope.resources} resources rendered, ${scope.distinctResources} distinct.`,
            ),
            props: [prop("scope", scope.name)],
          })),
          ...evidence.scope.configFiles.map((f) => ({
            uuid: id("config", f.path),
            title: f.path,
            props: [prop("config-role", f.role)],
            rlinks: [{ href: encodeURI(f.path), hashes: [{ algorithm: "SHA-256", value: f.sha256 }] }],
          })),
          ...evidence.inputs.map((input) => ({
            uuid: id("input", input.path),
            title: input.path,
            props: [prop("bytes", String(input.bytes))],
            rlinks: [{ href: encodeURI(input.path), hashes: [{ algorithm: "SHA-256", value: input.sha256 }] }],
          })),
          ...evidence.notAudited.map((n) => ({
            uuid: id("not-audited", `${n.path}\0${n.reason}`),
            title: n.path,
            description: line(`Not audited: ${notAuditedReason(n)}`),
            props: [prop("not-audited-reason", n.reason), ...(n.detail ? [prop("not-audited-detail", n.detail)] : [])],
          })),
        ],
      },
    },
  };
  return JSON.stringify(document, null, 2) + "\n";
}

/** Chain of custody as result props: the commit, the command line, the CI run and the signer. */
function runProps(evidence: Evidence): Array<ReturnType<typeof prop>> | undefined {
  const { git } = evidence.scope;
  const { commandLine, ci, signer } = evidence.run;
  const props = [
    ...(git ? [prop("git-commit", git.commit), prop("git-tree", git.dirty ? "dirty" : "clean")] : []),
    ...(commandLine ? [prop("command-line", ["erlmcp-audit", ...commandLine].join(" "))] : []),
    ...(ci
      ? [
          prop("ci-system", ci.system),
          ...(ci.url ? [prop("ci-run-url", ci.url)] : []),
          ...(ci.actor ? [prop("ci-actor", ci.actor)] : []),
          ...(ci.commit ? [prop("ci-commit", ci.commit)] : []),
        ]
      : []),
    prop("signer-public-key-sha256", signer?.publicKeySha256 ?? "unsigned"),
    ...Object.entries(evidence.tool.renderers).map(([name, version]) => prop(`renderer-${name}`, version)),
    prop("opa-version", evidence.tool.opaVersion || "none"),
  ];
  return props.length ? props : undefined;
}
