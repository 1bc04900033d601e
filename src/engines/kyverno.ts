/**
 * Runs the controls' Kyverno ValidatingPolicies (policies/<id>/kyverno.yaml) with the real kyverno CLI:
 * `kyverno apply <policies> --resource <stream> --policy-report --output-format json`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { kyvernoUnsupportedClauses } from "../catalog/kyverno-unsupported.js";
import { controlMatches } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import type { AuditUnit, K8sObject, Resource, Violation } from "../types.js";
import { findTool, TOOL_PINS } from "../tools/find.js";
import { runTool } from "../tools/run.js";
import { type ControlVerdict, type Engine, type EngineContext, type EngineDescription } from "./types.js";

/** One result of the policy report, mapped back to the input object it is about. */
export interface KyvernoResult {
  controlId: string;
  /** Index of the object in the `objects` passed to runKyverno. */
  index: number;
  status: "pass" | "fail" | "warn" | "error" | "skip";
  /** `[messageId]` prefixes of the message, in order (a failed validation lists every failed clause). */
  messageIds: string[];
  message: string;
}

interface ReportResult {
  policy?: string;
  result?: KyvernoResult["status"];
  message?: string;
  resources?: Array<{ kind?: string; namespace?: string; name?: string }>;
}

const MESSAGE_ID = /(?:^|; )\[([a-z][A-Za-z0-9]*)\]/g;

export function kyvernoPolicyFile(control: Control): string {
  return join(control.dir, "kyverno.yaml");
}

/** Message IDs a ValidatingPolicy message carries: `[a] text; [b] text` → [a, b]. */
export function messageIdsOf(message: string): string[] {
  return [...new Set([...message.matchAll(MESSAGE_ID)].map((m) => m[1] as string))];
}

/**
 * The CLI loads every object into a fake API server and panics on two objects of one kind and name;
 * give duplicates a unique name (policies never read an object's own name except in messages).
 */
function uniqueNames(objects: readonly K8sObject[]): { stream: K8sObject[]; keys: string[] } {
  const seen = new Set<string>();
  const keys: string[] = [];
  const stream = objects.map((object, index) => {
    let name = object.metadata?.name ?? "";
    if (seen.has(`${object.kind}/${name}`)) name = `${name}-erlmcp-audit-${index}`;
    const key = `${object.kind}/${name}`;
    seen.add(key);
    keys.push(key);
    return name === object.metadata?.name ? object : { ...object, metadata: { ...object.metadata, name } };
  });
  return { stream, keys };
}

/** The JSON reports of `--output-format json` (a `---`-separated stream, even in JSON). */
export function parseReports(stdout: string): ReportResult[] {
  return stdout
    .split(/^---\s*$/m)
    .map((doc) => doc.trim())
    .filter(Boolean)
    .flatMap((doc) => (JSON.parse(doc) as { results?: ReportResult[] }).results ?? []);
}

/** Applies the given policy files to the objects in one kyverno invocation. */
export async function runKyverno(
  policyFiles: readonly string[],
  objects: readonly K8sObject[],
  binary = findTool("kyverno"),
): Promise<KyvernoResult[]> {
  if (!policyFiles.length || !objects.length) return [];
  const { stream, keys } = uniqueNames(objects);
  const dir = mkdtempSync(join(tmpdir(), "erlmcp-audit-kyverno-"));
  try {
    const file = join(dir, "resources.yaml");
    writeFileSync(file, stream.map((o) => JSON.stringify(o)).join("\n---\n"));
    const args = ["apply", ...policyFiles, "--resource", file, "--policy-report", "--output-format", "json", "--remove-color"];
    const { code, stdout, stderr } = await runTool(binary, args);
    // Exit 1 means "some result failed"; anything else, or no report, is a failure of the run itself.
    if (code > 1 || !stdout.trim().startsWith("{")) {
      throw new Error(`kyverno apply exited with ${code}: ${(stderr || stdout).trim().split("\n").slice(0, 5).join(" ")}`);
    }
    const indexByKey = new Map(keys.map((k, i) => [k, i]));
    return parseReports(stdout).flatMap((r) =>
      (r.resources ?? []).map((res) => {
        const index = indexByKey.get(`${res.kind}/${res.name}`);
        if (index === undefined) throw new Error(`kyverno reported an unknown resource ${res.kind}/${res.name}`);
        const message = r.message ?? "";
        return { controlId: r.policy ?? "", index, status: r.result ?? "error", messageIds: messageIdsOf(message), message };
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class KyvernoEngine implements Engine {
  readonly name = "kyverno" as const;
  readonly detail = "messageIds" as const;
  private binary: string | undefined;

  implements(control: Control): boolean {
    return control.engines.includes("kyverno") && control.scope === "object";
  }

  async prepare(controls: readonly Control[]): Promise<void> {
    const missing = controls.filter((c) => this.implements(c) && !existsSync(kyvernoPolicyFile(c))).map((c) => kyvernoPolicyFile(c));
    if (missing.length) throw new Error(`Kyverno policies are missing: ${missing.join(", ")}.`);
    this.binary ??= findTool("kyverno");
  }

  describe(): EngineDescription {
    return { name: this.name, version: TOOL_PINS.kyverno };
  }

  /**
   * The policies carry the production parameters; a control whose parameters differ in this unit
   * (another profile, a config override) is left to the other engines: no verdict, no comparison.
   */
  async evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]> {
    if (!this.binary) throw new Error("KyvernoEngine.evaluate called before prepare()");
    const selected = controls.filter((c) => this.implements(c) && isDeepStrictEqual(context.paramsFor(c, unit), { ...c.params?.defaults }));
    const resources = unit.resources.filter((r) => selected.some((c) => controlMatches(c, r.object)));
    const verdicts = new Map<string, ControlVerdict>(selected.map((c) => [c.id, { controlId: c.id, violations: [], errors: [] }]));
    let results: KyvernoResult[];
    try {
      results = await runKyverno(
        selected.map(kyvernoPolicyFile),
        resources.map((r) => r.object),
        this.binary,
      );
    } catch (error) {
      for (const v of verdicts.values()) v.errors.push({ message: error instanceof Error ? error.message : String(error) });
      return [...verdicts.values()];
    }
    const judged = new Set(results.map((r) => `${r.controlId}\u0000${r.index}`));
    for (const control of selected) {
      // No result at all: the policy's matchConstraints never sent the object (a kind admission does not route to it).
      const unseen = resources.filter((r, i) => controlMatches(control, r.object) && !judged.has(`${control.id}\u0000${i}`));
      if (unseen.length) verdicts.get(control.id)!.notJudged = unseen.map((r) => r.ref);
    }
    for (const result of results) {
      const verdict = verdicts.get(result.controlId);
      const control = selected.find((c) => c.id === result.controlId);
      const resource = resources[result.index] as Resource;
      // The policy's matchConstraints may be wider than the objects the control evaluates (e.g. every namespaced kind).
      if (!verdict || !control || !controlMatches(control, resource.object)) continue;
      if (kyvernoUnsupportedClauses(control).some((u) => u.appliesTo(resource.object))) continue;
      if (result.status === "error" || ((result.status === "fail" || result.status === "warn") && !result.messageIds.length)) {
        verdict.errors.push({ message: `kyverno: ${result.message}`, resource: resource.ref });
      } else if (result.status === "fail" || result.status === "warn") {
        verdict.violations.push(...result.messageIds.map((messageId): Violation => ({ messageId, data: {}, resource: resource.ref })));
      }
    }
    return [...verdicts.values()];
  }
}
