/**
 * Times the placing of findings (`locateFindings`, src/locate/) on the benchmark corpus: the audit's
 * own findings, placed again with the fast path of plain block YAML and with `yaml`'s document model
 * only, alternately, and checked to give the same locations.
 *
 * `--per-resource N` adds N findings per resource at fields it has (its name, its labels, its deepest
 * first field), as a run with many failing controls would place.
 *
 *   npx tsx scripts/bench/locate.ts [--resources 10000] [--per-resource 3] [--rounds 1] [--dir <corpus dir>]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { audit } from "../../src/audit.js";
import { DEFAULT_PROFILE } from "../../src/config/profiles.js";
import { loadInputs } from "../../src/loaders/load.js";
import { locateFindings } from "../../src/locate/index.js";
import { formatPath } from "../../src/k8s/field-path.js";
import type { AuditUnit, Finding } from "../../src/types.js";
import { toAuditUnits } from "../../src/units/profile.js";
import { renderReference, writeCorpus } from "./corpus.js";

const { values } = parseArgs({
  options: {
    resources: { type: "string", default: "10000" },
    "per-resource": { type: "string", default: "0" },
    rounds: { type: "string", default: "1" },
    dir: { type: "string" },
  },
});
const cwd = process.cwd();
const dir = values.dir ?? mkdtempSync(join(tmpdir(), "erlmcp-locate-bench-"));
const rounds = Number(values.rounds);

/** The first field at each level, down to a leaf: a deep path every object has. */
function deepestFirst(value: unknown, path: Array<string | number> = []): Array<string | number> {
  if (Array.isArray(value)) return value.length ? deepestFirst(value[0], [...path, 0]) : path;
  if (value && typeof value === "object") {
    const [key, child] = Object.entries(value)[0] ?? [];
    return key === undefined ? path : deepestFirst(child, [...path, key]);
  }
  return path;
}

/** `count` findings per resource, at its name, its labels and its deepest first field, modelled on `template`. */
function syntheticFindings(template: Finding | undefined, units: readonly AuditUnit[], count: number): Finding[] {
  if (!template || count <= 0) return [];
  return units.flatMap((unit) =>
    unit.resources.flatMap((resource) =>
      [["metadata", "name"], ["metadata", "labels"], deepestFirst(resource.object.spec, ["spec"])]
        .slice(0, count)
        .map((path, k): Finding => ({
          ...template,
          unit: unit.id,
          resource: resource.ref,
          source: resource.source,
          messageId: `bench-${k}`,
          path: formatPath(path),
          location: undefined,
        })),
    ),
  );
}

try {
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const corpus = writeCorpus(await renderReference(cwd), dir, Number(values.resources));
  const loaded = await loadInputs([dir], { cwd, workers: 1 });
  const report = await audit([dir], { cwd, config: false, loaded });
  const units = toAuditUnits(loaded.units, { config: {}, configDir: cwd, cwd, fallback: DEFAULT_PROFILE });
  const findings = [
    ...report.findings.filter((f) => f.status !== "error"),
    ...syntheticFindings(report.findings[0], units, Number(values["per-resource"])),
  ];
  const files = new Set(findings.map((f) => f.source.file)).size;
  console.log(`${corpus.resources} resources in ${corpus.copies} files; ${findings.length} findings to place in ${files} files`);

  const place = async (fastPath: boolean): Promise<{ ms: number; placed: Finding[] }> => {
    const placed = findings.map(({ location: _location, ...rest }) => ({ ...rest }) as Finding);
    const start = performance.now();
    await locateFindings(placed, units, { cwd, texts: loaded.texts, helm: loaded.helm, inputs: loaded.inputs, fastPath });
    return { ms: performance.now() - start, placed };
  };
  for (let round = 1; round <= rounds; round++) {
    const slow = await place(false);
    const fast = await place(true);
    const same = JSON.stringify(fast.placed.map((f) => f.location)) === JSON.stringify(slow.placed.map((f) => f.location));
    console.log(
      `round ${round}: yaml document model ${(slow.ms / 1000).toFixed(2)} s, fast path ${(fast.ms / 1000).toFixed(2)} s ` +
        `(${(slow.ms / fast.ms).toFixed(1)}×); same locations: ${same ? "yes" : "NO"}`,
    );
    if (!same) process.exitCode = 1;
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  if (!values.dir) rmSync(dir, { recursive: true, force: true });
}
