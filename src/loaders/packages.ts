/**
 * The Helm charts and kustomizations met while walking the inputs, and the files each claims: a file
 * Helm or kustomize reads is audited through the render or listed as not audited, never read again as a
 * plain manifest; every other file in their folders is left to the walk, so a stray manifest is audited.
 */
import type { NotAuditedFile, Notice } from "../types.js";
import { isChart, planChart, type PlannedChart } from "./helm-chart.js";
import { readKustomization } from "./kustomization.js";
import { planKustomizations, type EntrypointOptions, type KustomizePlan } from "./kustomize-entrypoints.js";

/** How charts and kustomizations are planned. */
export interface PackageOptions {
  cwd: string;
  /** Values files given by the user (`--values`). */
  values?: string[];
  entrypoints?: EntrypointOptions;
  /** Files larger than this are not searched for Argo CD and Flux objects. */
  maxFileBytes: number;
}

/** The charts and kustomizations of one discovery. */
export interface PackageIndex {
  /** Records the chart and the kustomization rooted at `dir`, if any; returns the chart's unit (none for a subchart). */
  enter(dir: string): PlannedChart | undefined;
  /** Whether Helm or kustomize reads `path` (a file, or a chart's templates/ or crds/): the walk neither enters nor audits it. */
  claims(path: string): boolean;
  /** How many charts and kustomizations were found so far. */
  count(): number;
  /** After the walk: the kustomizations to render, and every file, notice and error of the charts and kustomizations. */
  finish(plainFiles: readonly string[]): KustomizePlan;
}

/** An empty index for one discovery. */
export function packageIndex(options: PackageOptions): PackageIndex {
  const claimed = new Set<string>();
  /** Subchart folder → the top chart that renders it. */
  const subchartOf = new Map<string, string>();
  const kustomizations: string[] = [];
  let charts = 0;
  const notAudited: NotAuditedFile[] = [];
  const notices: Notice[] = [];

  return {
    enter(dir) {
      const k = readKustomization(dir);
      if (k) {
        kustomizations.push(dir);
        for (const path of [k.file, ...k.resources, ...k.others.keys()]) claimed.add(path);
      }
      if (!isChart(dir)) return undefined;
      charts++;
      const parent = subchartOf.get(dir);
      const plan = planChart(dir, { cwd: options.cwd, values: options.values, parent });
      for (const path of plan.claimed) claimed.add(path);
      for (const sub of plan.subcharts) subchartOf.set(sub, parent ?? dir);
      notAudited.push(...plan.notAudited);
      notices.push(...plan.notices);
      return plan.unit;
    },
    claims: (path) => claimed.has(path),
    count: () => charts + kustomizations.length,
    finish(plainFiles) {
      const plan = planKustomizations(kustomizations, {
        cwd: options.cwd,
        entrypoints: options.entrypoints,
        plainFiles,
        maxFileBytes: options.maxFileBytes,
      });
      return {
        units: plan.units,
        notAudited: [...notAudited, ...plan.notAudited],
        notices: [...notices, ...plan.notices],
        errors: plan.errors,
      };
    },
  };
}
