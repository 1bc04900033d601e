/**
 * Runs Gatekeeper's own evaluator: `gator test -o json` on the unit's objects with the generated
 * ConstraintTemplates and one constraint per control carrying the unit's parameters.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { controlMatches } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import { constraint, constraintTemplate, isGatekeeperControl } from "../gatekeeper/build.js";
import type { AuditUnit, K8sObject, ResourceRef, Violation } from "../types.js";
import { runTool } from "../tools/run.js";
import { findTool, TOOL_PINS } from "../tools/find.js";
import { type ControlVerdict, type Engine, type EngineContext, type EngineDescription } from "./types.js";

interface GatorResult {
  msg?: string;
  metadata?: { details?: { messageId?: string; data?: Violation["data"]; resource?: ResourceRef; path?: Violation["path"] } };
  constraint?: { metadata?: { name?: string } };
  violatingObject?: K8sObject;
}

const toYamlStream = (objects: unknown[]) => objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");

export class GatorEngine implements Engine {
  readonly name = "gator" as const;
  readonly detail = "violations" as const;
  private gator: string | undefined;
  private readonly templates = new Map<string, unknown>();

  implements(control: Control): boolean {
    return isGatekeeperControl(control);
  }

  async prepare(controls: readonly Control[]): Promise<void> {
    this.gator ??= findTool("gator");
    for (const control of controls) if (!this.templates.has(control.id)) this.templates.set(control.id, constraintTemplate(control));
  }

  describe(): EngineDescription {
    return { name: this.name, version: TOOL_PINS.gator };
  }

  async evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]> {
    if (!this.gator) throw new Error("GatorEngine.evaluate called before prepare()");
    const active = controls.filter((c) => this.implements(c) && this.templates.has(c.id));
    const verdicts = new Map(active.map((c) => [c.id, { controlId: c.id, violations: [], errors: [] } as ControlVerdict]));
    const objects = unit.resources.filter((r) => active.some((c) => controlMatches(c, r.object))).map((r) => r.object);
    if (!active.length || !objects.length) return [...verdicts.values()];

    const dir = mkdtempSync(join(tmpdir(), "erlmcp-audit-gator-"));
    try {
      writeFileSync(join(dir, "templates.yaml"), toYamlStream(active.map((c) => this.templates.get(c.id))));
      writeFileSync(join(dir, "constraints.yaml"), toYamlStream(active.map((c) => constraint(c, context.paramsFor(c, unit)))));
      writeFileSync(join(dir, "objects.yaml"), toYamlStream(objects));
      const args = [
        "test",
        "-o",
        "json",
        "-f",
        join(dir, "templates.yaml"),
        "-f",
        join(dir, "constraints.yaml"),
        "-f",
        join(dir, "objects.yaml"),
      ];
      const { code, stdout, stderr } = await runTool(this.gator, args);
      if (code !== 0) throw new Error(stderr.trim() || `exit code ${code}`);
      for (const result of (JSON.parse(stdout || "null") as GatorResult[] | null) ?? []) {
        const verdict = verdicts.get(result.constraint?.metadata?.name ?? "");
        if (!verdict) continue;
        const details = result.metadata?.details;
        const resource = details?.resource ?? refOf(result.violatingObject);
        if (!details?.messageId || !resource) {
          verdict.errors.push({ message: `gator result without details.messageId/resource: ${result.msg ?? JSON.stringify(result)}` });
          continue;
        }
        const path = details.path;
        verdict.violations.push({ messageId: details.messageId, data: details.data ?? {}, resource, ...(path?.length ? { path } : {}) });
      }
    } catch (error) {
      const message = `gator test failed: ${error instanceof Error ? error.message : String(error)}`;
      for (const verdict of verdicts.values()) verdict.errors.push({ message });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return [...verdicts.values()];
  }
}

function refOf(object: K8sObject | undefined): ResourceRef | undefined {
  if (!object?.kind) return undefined;
  return {
    apiVersion: object.apiVersion ?? "",
    kind: object.kind,
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
  };
}
