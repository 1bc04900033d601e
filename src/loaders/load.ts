/** Reads every input into audit units of resources that remember their source. */
import type { InputError, NotAuditedFile, Notice } from "../types.js";
import { crdApiVersions, crdSourceFiles } from "./crd-versions.js";
import { discover, type PlannedUnit } from "./discover.js";
import { inputError } from "./errors.js";
import { sortNotAudited } from "./exclude.js";
import { loadFilesUnit } from "./files-unit.js";
import { inputRegister } from "./input-register.js";
import type { LoadedUnit, LoadOptions, LoadResult, UnitLoadContext } from "./load-types.js";
import { createParsePool } from "./parse-pool.js";
import { DEFAULT_KUBE_VERSION, type HelmOptions } from "./render.js";
import { startRenders } from "./render-queue.js";
import { loadHelmUnits, loadKustomizeUnit } from "./rendered-units.js";
import { sourceCache } from "./source-attribution.js";
import { typeCheckParsed } from "./validate-types.js";
import { parseManifestStream } from "./yaml.js";

/**
 * Fewest `workers` with which plain files are parsed in threads. With two, parsing in both never paid on
 * 2 vCPUs (each thread loads the schema modules, warms its own code and type-check shapes, and its results
 * are copied back: 1,000 resources 0.95 s against 0.84 s, 50,000 11.8 s against 11.4 s); the second
 * thread does better evaluating the Rego policies (src/evaluation/rego-thread.ts).
 */
export const PARSE_THREADS_MIN_WORKERS = 3;

export type { LoadedUnit, LoadOptions, LoadResult } from "./load-types.js";

/**
 * Parsing YAML with source positions costs about 45 bytes of memory per byte of input (an 8 MiB
 * file peaks near 400 MB RSS), so larger files are refused unread unless --max-file-size allows them.
 */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Plans the units of `paths` (`-` is stdin), renders Helm charts and Kustomize overlays in parallel
 * and loads every unit in plan order, recording each input file read and each input error.
 */
export async function loadInputs(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const units: LoadedUnit[] = [];
  const inputs = inputRegister(cwd);
  const errors: InputError[] = [];
  const texts = new Map<string, string>();
  const notAudited: NotAuditedFile[] = [];
  const helm: HelmOptions = { kubeVersion: DEFAULT_KUBE_VERSION, ...options.helm };
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  const fileArgs = paths.filter((p) => p !== "-");
  const discovery = fileArgs.length
    ? discover(fileArgs, {
        cwd,
        values: options.values,
        exclude: options.exclude,
        runConfigFiles: options.runConfigFiles,
        entrypoints: options.entrypoints,
        maxFileBytes,
      })
    : { units: [] as PlannedUnit[], errors: [] as InputError[], notAudited: [] as NotAuditedFile[], notices: [] as Notice[] };
  const planned = discovery.units;
  errors.push(...discovery.errors);
  notAudited.push(...discovery.notAudited);

  if (paths.includes("-")) {
    const text = options.stdin ? await options.stdin(maxFileBytes) : "";
    if (Buffer.byteLength(text, "utf8") > maxFileBytes) {
      const message = `standard input (-) is over the ${maxFileBytes}-byte limit`;
      errors.push(inputError("FILE_TOO_LARGE", "<stdin>", message, { hint: "split it, or raise --max-file-size" }));
      notAudited.push({ path: "<stdin>", reason: "unreadable", detail: message });
    } else {
      inputs.addText("<stdin>", text);
      texts.set("<stdin>", text);
      const parsed = parseManifestStream(text, { file: "<stdin>", maxAliasCount: options.maxAliasCount, locateFields: true });
      errors.push(...parsed.errors);
      const { resources, unvalidatedKinds } = await typeCheckParsed(parsed, errors);
      units.push({ id: "<stdin>", kind: "stdin", path: "<stdin>", resources, unvalidatedKinds });
    }
  }

  // CRDs anywhere in the inputs make `.Capabilities.APIVersions.Has` true for their group/versions, as in a cluster that has them.
  if (planned.some((u) => u.kind === "helm"))
    helm.apiVersions = [...new Set([...(helm.apiVersions ?? []), ...crdApiVersions(crdSourceFiles(planned, cwd), maxFileBytes)])].sort();
  const renders = startRenders(planned, helm, cwd, options.cache);
  let index = 0;
  const total = planned.reduce((n, u) => n + (u.kind === "helm" ? u.valuesFiles.length : 1), 0);
  const workers = options.workers ?? 1;
  const ctx: UnitLoadContext = {
    // `workers` threads in all: this one and workers - 1 more, from PARSE_THREADS_MIN_WORKERS on.
    ...(workers >= PARSE_THREADS_MIN_WORKERS ? { parsePool: createParsePool(workers - 1) } : {}),
    cwd,
    options,
    maxFileBytes,
    inputs,
    errors,
    notAudited,
    sources: sourceCache(),
    startUnit: (label) => options.onUnit?.(label, index++, total),
  };
  try {
    for (const unit of planned) {
      if (unit.kind === "files") units.push(await loadFilesUnit(unit, ctx));
      else if (unit.kind === "helm") units.push(...(await loadHelmUnits(unit, renders, ctx)));
      else {
        const loaded = await loadKustomizeUnit(unit, renders, ctx);
        if (loaded) units.push(loaded);
      }
    }
  } finally {
    await ctx.parsePool?.close();
  }
  return { units, inputs: inputs.list(), errors, notAudited: sortNotAudited(notAudited), notices: discovery.notices, texts, helm };
}
