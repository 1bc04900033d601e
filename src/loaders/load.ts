/** Reads every input into audit units of resources that remember their source. */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { openSync, readFileSync, readSync, closeSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { InputError, InputFile, Resource } from "../types.js";
import { discover, kustomizationSourceFiles, type PlannedUnit } from "./discover.js";
import { inputError } from "./errors.js";
import { DEFAULT_KUBE_VERSION, renderHelm, renderKustomize, type HelmOptions, type RenderOutput } from "./render.js";
import { parseManifestStream } from "./yaml.js";

export interface LoadOptions {
  cwd?: string;
  /** Helm values files to render instead of values.yaml + values-*.yaml. */
  values?: string[];
  helm?: Partial<HelmOptions>;
  /** Largest file read, in bytes (default 16 MiB). */
  maxFileBytes?: number;
  maxAliasCount?: number;
  /** Text of stdin when a path is `-`. */
  stdin?: () => Promise<string>;
  /** Called once per planned unit, for progress reporting. */
  onUnit?: (label: string, index: number, total: number) => void;
  /** Called once per plain file read, for progress reporting of large directories. */
  onFile?: (file: string, index: number, total: number) => void;
  /** Called after each Helm or Kustomize render with its wall time (for `--timings`). */
  onRender?: (label: string, ms: number) => void;
}

/** A unit before a profile is assigned. */
export interface LoadedUnit {
  id: string;
  kind: "files" | "helm" | "kustomize" | "stdin";
  path: string;
  /** Values file of a Helm render. */
  values?: string;
  resources: Resource[];
}

export interface LoadResult {
  units: LoadedUnit[];
  inputs: InputFile[];
  errors: InputError[];
}

/**
 * Parsing YAML with source positions costs about 45 bytes of memory per byte of input (an 8 MiB
 * file peaks near 400 MB RSS), so larger files are refused unread unless --max-file-size allows them.
 */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

export async function loadInputs(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const rel = (p: string) => relative(cwd, p) || ".";
  const units: LoadedUnit[] = [];
  const sourceCache: SourceCache = { kindLines: new Map(), declared: new Map() };
  const inputs = new Map<string, InputFile>();
  const errors: InputError[] = [];
  const helm: HelmOptions = { kubeVersion: DEFAULT_KUBE_VERSION, ...options.helm };

  const hashFile = (path: string, data?: Buffer) => {
    const key = rel(path);
    if (inputs.has(key)) return;
    try {
      const bytes = data ?? readFileSync(path);
      inputs.set(key, { path: key, sha256: sha256(bytes), bytes: bytes.length });
    } catch {
      /* reported where the file is read */
    }
  };

  const fileArgs = paths.filter((p) => p !== "-");
  const { units: planned, errors: discoveryErrors } = fileArgs.length
    ? discover(fileArgs, { cwd, values: options.values })
    : { units: [] as PlannedUnit[], errors: [] as InputError[] };
  errors.push(...discoveryErrors);

  if (paths.includes("-")) {
    const text = options.stdin ? await options.stdin() : "";
    inputs.set("<stdin>", { path: "<stdin>", sha256: sha256(text), bytes: Buffer.byteLength(text) });
    const parsed = parseManifestStream(text, { file: "<stdin>", maxAliasCount: options.maxAliasCount });
    errors.push(...parsed.errors);
    units.push({ id: "<stdin>", kind: "stdin", path: "<stdin>", resources: parsed.resources });
  }

  // helm and kustomize run as parallel processes; their output is consumed in plan order.
  const renders = new Map<string, Promise<RenderOutput>>();
  const limit = limiter(Math.max(2, availableParallelism()));
  for (const unit of planned) {
    if (unit.kind === "helm") {
      for (const values of unit.valuesFiles) {
        const label = helmLabel(unit.path, values);
        renders.set(
          label,
          limit(() => renderHelm(unit.path, values, helm, cwd, label)),
        );
      }
    } else if (unit.kind === "kustomize")
      renders.set(
        unit.path,
        limit(() => renderKustomize(unit.path, cwd, unit.path)),
      );
  }

  let index = 0;
  const total = planned.reduce((n, u) => n + (u.kind === "helm" ? u.valuesFiles.length : 1), 0);
  for (const unit of planned) {
    if (unit.kind === "files") {
      options.onUnit?.(unit.path, index++, total);
      const resources: Resource[] = [];
      for (const [fileIndex, file] of unit.files.entries()) {
        const name = rel(file);
        options.onFile?.(name, fileIndex, unit.files.length);
        let size: number;
        try {
          size = statSync(file).size;
        } catch (error) {
          const loop = (error as NodeJS.ErrnoException).code === "ELOOP";
          errors.push(
            loop
              ? inputError("SYMLINK_LOOP", name, "symbolic link loop", { hint: "fix or remove the link" })
              : inputError("UNREADABLE", name, `cannot read: ${(error as Error).message}`, {
                  hint: "check the file exists and is readable",
                }),
          );
          continue;
        }
        if (size > maxFileBytes) {
          errors.push(
            inputError("FILE_TOO_LARGE", name, `is ${size} bytes, over the ${maxFileBytes}-byte limit`, {
              hint: "split it, or raise --max-file-size",
            }),
          );
          continue;
        }
        let data: Buffer;
        try {
          if (readHead(file, 8192).includes(0)) {
            errors.push(
              inputError("BINARY_FILE", name, "is a binary file, not YAML or JSON", { hint: "remove it from the audited paths" }),
            );
            continue;
          }
          data = readFileSync(file);
        } catch (error) {
          errors.push(inputError("UNREADABLE", name, `cannot read: ${(error as Error).message}`, { hint: "check its permissions" }));
          continue;
        }
        hashFile(file, data);
        if (!isUtf8(data)) {
          errors.push(inputError("BINARY_FILE", name, "is not valid UTF-8 text", { hint: "save it as UTF-8" }));
          continue;
        }
        const parsed = parseManifestStream(data.toString("utf8"), { file: name, maxAliasCount: options.maxAliasCount });
        errors.push(...parsed.errors);
        resources.push(...parsed.resources);
      }
      units.push({ id: unit.path, kind: "files", path: unit.path, resources });
    } else if (unit.kind === "helm") {
      for (const file of filesUnder(resolve(cwd, unit.path))) hashFile(file);
      for (const values of unit.valuesFiles) {
        const label = helmLabel(unit.path, values);
        options.onUnit?.(label, index++, total);
        hashFile(resolve(cwd, values));
        const started = performance.now();
        const out = await renders.get(label)!;
        options.onRender?.(label, performance.now() - started);
        if (out.error) {
          errors.push(out.error);
          continue;
        }
        const parsed = parseManifestStream(out.stdout ?? "", {
          file: label,
          renderedFrom: { tool: "helm", path: unit.path, values },
          maxAliasCount: options.maxAliasCount,
        });
        errors.push(...parsed.errors);
        attributeHelmSources(parsed.resources, out.stdout ?? "", unit.path, cwd, sourceCache);
        units.push({ id: label, kind: "helm", path: unit.path, values, resources: parsed.resources });
      }
    } else {
      options.onUnit?.(unit.path, index++, total);
      const sources = kustomizationSourceFiles(resolve(cwd, unit.path));
      for (const file of sources) hashFile(file);
      const started = performance.now();
      const out = await renders.get(unit.path)!;
      options.onRender?.(unit.path, performance.now() - started);
      if (out.error) {
        errors.push(out.error);
        continue;
      }
      const parsed = parseManifestStream(out.stdout ?? "", {
        file: unit.path,
        renderedFrom: { tool: "kustomize", path: unit.path },
        maxAliasCount: options.maxAliasCount,
      });
      errors.push(...parsed.errors);
      attributeKustomizeSources(parsed.resources, sources, cwd, sourceCache);
      units.push({ id: unit.path, kind: "kustomize", path: unit.path, resources: parsed.resources });
    }
  }
  return { units, inputs: [...inputs.values()].sort((a, b) => a.path.localeCompare(b.path)), errors };
}

const helmLabel = (chart: string, values: string) => `${chart}@${values.split("/").pop()}`;

/** Runs at most `n` tasks at a time. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return (task) =>
    new Promise((resolve, reject) => {
      queue.push(() =>
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          }),
      );
      next();
    });
}

const SOURCE_COMMENT = /^# Source: (.+)$/gm;

/** Points each Helm-rendered object at its template file and the line of its `kind:` there. */
function attributeHelmSources(resources: Resource[], stream: string, chartPath: string, cwd: string, cache: SourceCache): void {
  const templates: string[] = [];
  for (const part of stream.split(/^---\s*$/m)) {
    if (!/^\s*(kind|apiVersion):/m.test(part)) continue;
    SOURCE_COMMENT.lastIndex = 0;
    templates.push(SOURCE_COMMENT.exec(part)?.[1]?.trim() ?? "");
  }
  const occurrences = new Map<string, number>();
  resources.forEach((resource) => {
    const template = templates[resource.source.documentIndex] ?? templates[resources.indexOf(resource)];
    if (!template) return;
    // `# Source: <chart name>/templates/x.yaml`: the chart name is the first segment.
    const file = join(chartPath, template.split("/").slice(1).join("/"));
    const key = `${file}\u0000${resource.ref.kind}`;
    const nth = occurrences.get(key) ?? 0;
    occurrences.set(key, nth + 1);
    resource.source = {
      ...resource.source,
      file,
      line: lineOfKind(cache, resolve(cwd, file), resource.ref.kind, nth) ?? 1,
      renderedFrom: { ...resource.source.renderedFrom!, template: file },
    };
  });
}

const KIND_LINE = /^kind:\s*["']?([A-Za-z0-9]+)["']?\s*$/;

/** Per load: the `kind:` lines of each template file and the objects each Kustomize source declares. */
interface SourceCache {
  kindLines: Map<string, Map<string, number[]>>;
  declared: Map<string, Array<{ key: string; file: string; line: number }>>;
}

function lineOfKind(cache: SourceCache, file: string, kind: string, nth: number): number | undefined {
  let byKind = cache.kindLines.get(file);
  if (!byKind) {
    byKind = new Map();
    cache.kindLines.set(file, byKind);
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      /* no line to point at */
    }
    text.split("\n").forEach((line, i) => {
      const k = KIND_LINE.exec(line)?.[1];
      if (k) byKind!.set(k, [...(byKind!.get(k) ?? []), i + 1]);
    });
  }
  return byKind.get(kind)?.[nth];
}

/** Finds the file (and line) among the kustomization's sources that declares each built object. */
function attributeKustomizeSources(resources: Resource[], files: string[], cwd: string, cache: SourceCache): void {
  const index = new Map<string, { file: string; line: number }>();
  for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
    let declared = cache.declared.get(file);
    if (!declared) {
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        /* reported by the render */
      }
      declared = parseManifestStream(text, { file: relative(cwd, file) }).resources.map((r) => ({
        key: `${r.ref.kind}/${r.ref.name}`,
        file: r.source.file,
        line: r.source.line,
      }));
      cache.declared.set(file, declared);
    }
    for (const d of declared) if (!index.has(d.key)) index.set(d.key, { file: d.file, line: d.line });
  }
  for (const resource of resources) {
    const found = index.get(`${resource.ref.kind}/${resource.ref.name}`) ?? findByPrefixSuffix(index, resource.ref.kind, resource.ref.name);
    if (found) resource.source = { ...resource.source, file: found.file, line: found.line };
  }
}

function findByPrefixSuffix(
  index: Map<string, { file: string; line: number }>,
  kind: string,
  name: string,
): { file: string; line: number } | undefined {
  let best: { file: string; line: number } | undefined;
  let bestLength = 0;
  for (const [key, value] of index) {
    const [k, n] = key.split("/") as [string, string];
    if (k === kind && n.length > bestLength && name.includes(n)) {
      best = value;
      bestLength = n.length;
    }
  }
  return best;
}
