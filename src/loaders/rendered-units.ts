/** Loads the units that Helm and Kustomize render: awaits the render, parses its output and attributes each object to its source. */
import { resolve } from "node:path";
import type { RenderOrigin } from "../types.js";
import type { PlannedUnit } from "./discover.js";
import { kustomizationSources } from "./kustomization.js";
import type { LoadedUnit, UnitLoadContext } from "./load-types.js";
import { helmLabel, type RenderQueue } from "./render-queue.js";
import { attributeHelmSources, attributeKustomizeSources } from "./source-attribution.js";
import { parseThroughCache } from "./parse-cached.js";
import type { TypeChecked } from "./validate-types.js";

/** The output of the render `label`, or undefined (its error recorded) when the render failed. */
async function renderedStream(label: string, renders: RenderQueue, ctx: UnitLoadContext): Promise<string | undefined> {
  const started = performance.now();
  const out = await renders.get(label)!;
  ctx.options.onRender?.(label, performance.now() - started);
  if (out.error) {
    ctx.errors.push(out.error);
    return undefined;
  }
  return out.stdout ?? "";
}

/** The objects of a rendered stream that pass the type check (the others are input errors at their rendered line). */
async function parseRendered(stream: string, file: string, renderedFrom: RenderOrigin, ctx: UnitLoadContext): Promise<TypeChecked> {
  const parsed = await parseThroughCache(stream, { file, renderedFrom, maxAliasCount: ctx.options.maxAliasCount }, ctx.options.cache);
  ctx.errors.push(...parsed.errors);
  return parsed;
}

/** A unit per values file of the chart `unit`; the chart's files and each values file are recorded as inputs. */
export async function loadHelmUnits(
  unit: Extract<PlannedUnit, { kind: "helm" }>,
  renders: RenderQueue,
  ctx: UnitLoadContext,
): Promise<LoadedUnit[]> {
  ctx.inputs.addTree(resolve(ctx.cwd, unit.path));
  const units: LoadedUnit[] = [];
  for (const values of unit.valuesFiles) {
    const label = helmLabel(unit.path, values);
    ctx.startUnit(label);
    ctx.inputs.addFile(resolve(ctx.cwd, values));
    const stream = await renderedStream(label, renders, ctx);
    if (stream === undefined) continue;
    const { resources, unvalidatedKinds } = await parseRendered(stream, label, { tool: "helm", path: unit.path, values }, ctx);
    attributeHelmSources(resources, stream, unit.path, ctx.cwd, ctx.sources);
    units.push({ id: label, kind: "helm", path: unit.path, values, resources, unvalidatedKinds });
  }
  return units;
}

/** The unit of the kustomization `unit` (undefined when its build failed); every file its build reads is recorded as an input. */
export async function loadKustomizeUnit(
  unit: Extract<PlannedUnit, { kind: "kustomize" }>,
  renders: RenderQueue,
  ctx: UnitLoadContext,
): Promise<LoadedUnit | undefined> {
  ctx.startUnit(unit.path);
  const sources = kustomizationSources(resolve(ctx.cwd, unit.path));
  for (const file of [...sources.declaring, ...sources.others]) ctx.inputs.addFile(file);
  const stream = await renderedStream(unit.path, renders, ctx);
  if (stream === undefined) return undefined;
  const { resources, unvalidatedKinds } = await parseRendered(stream, unit.path, { tool: "kustomize", path: unit.path }, ctx);
  attributeKustomizeSources(resources, sources.declaring, ctx.cwd, ctx.sources);
  return { id: unit.path, kind: "kustomize", path: unit.path, resources, unvalidatedKinds };
}
