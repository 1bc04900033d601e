/**
 * `npm run bench`: audits generated corpora of the production reference deployment (see corpus.ts)
 * and times erlmcp-audit, the `yaml` parse floor and the peers on the same files. Each command runs
 * several times (median, min, max, peak RSS by /usr/bin/time). Writes a markdown report between the
 * markers of docs/performance.md (or `--output FILE`).
 *
 *   npm run bench                                   1,000 / 10,000 / 50,000 resources, all peers
 *   npm run bench -- --sizes 10000 --runs 5 --peers conftest,trivy
 *   npm run bench -- --runs 3 --peer-runs 1 --timeout 300   peers once; a peer that times out skips larger sizes
 *   npm run bench -- --smoke                        1,000 resources, 1 run, ours + floor; asserts a table
 *   npm run bench -- --incremental                  also: --cache cold, warm and with one file changed
 *   npm run bench -- --threads 1,2                  also: ours with --workers 1, 2 and the speed-up per count
 *   npm run bench -- --engines rego,typescript      also: ours with each engine alone, against the default and the peers
 *   npm run bench -- --manifests --sizes none       `erlmcp-audit manifests/` (the README's main job): uncached, with only
 *                                                   its renders cached, and wholly cached
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, freemem, totalmem, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { format, resolveConfig } from "prettier";
import { loadCatalog } from "../../src/catalog/load.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { packageVersion } from "../../src/version.js";
import { renderReference, writeCorpus, type Corpus } from "./corpus.js";
import { preparePeers, type Command, type Peer } from "./peers.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const smoke = flag("--smoke");
const sizesOption = option("--sizes") ?? (smoke ? "1000" : "1000,10000,50000");
const sizes = sizesOption === "none" ? [] : sizesOption.split(",").map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error(`--sizes takes resource counts, e.g. 1000,10000, or none: ${sizesOption}`);
const manifests = flag("--manifests");
const runs = Number(option("--runs") ?? (smoke ? 1 : 3));
const peerNames = smoke ? [] : option("--peers")?.split(",");
const incremental = flag("--incremental");
const threads = option("--threads")?.split(",").map(Number);
if (threads?.some((t) => !Number.isInteger(t) || t < 1))
  throw new Error(`--threads takes thread counts of at least 1, e.g. 1,2: ${option("--threads")}`);
const engines = option("--engines")?.split(",");
if (engines?.some((e) => !/^[a-z]+$/.test(e)))
  throw new Error(`--engines takes engine names, e.g. rego,typescript: ${option("--engines")}`);
const peerRuns = Number(option("--peer-runs") ?? runs);
const timeoutSeconds = Number(option("--timeout") ?? 900);
const output = resolve(
  option("--output") ?? (smoke ? join(tmpdir(), "erlmcp-audit-bench-smoke.md") : join(PACKAGE_ROOT, "docs/performance.md")),
);
const TIME = "/usr/bin/time";
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

interface Measurement {
  command: Command;
  seconds: number[];
  rssKiB: number[];
  /** Per run, what `--timings` printed as the wait on Helm and Kustomize renders (when the command asks for it). */
  renderSeconds: number[];
  error?: string;
}

function run(command: Command, work: string): { seconds: number; rssKiB: number; stderr: string; error?: string } {
  const timeFile = join(work, "time.txt");
  const useTime = existsSync(TIME);
  const [bin, ...args] = useTime
    ? [TIME, "-f", "%M", "-o", timeFile, "timeout", String(timeoutSeconds), ...command.argv]
    : ["timeout", String(timeoutSeconds), ...command.argv];
  const start = process.hrtime.bigint();
  const result = spawnSync(bin as string, args, { cwd: PACKAGE_ROOT, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rssKiB = useTime && existsSync(timeFile) ? Number(/(\d+)\s*$/.exec(readFileSync(timeFile, "utf8"))?.[1] ?? NaN) : NaN;
  const code = result.status ?? -1;
  const stderr = String(result.stderr);
  if (code === 124) return { seconds, rssKiB, stderr, error: `timed out after ${timeoutSeconds} s` };
  if (!command.okCodes.includes(code)) {
    return { seconds, rssKiB, stderr, error: `exit ${code}: ${stderr.trim().split("\n").slice(-3).join(" ").slice(0, 300)}` };
  }
  return { seconds, rssKiB, stderr };
}

function measure(command: Command, work: string, times: number, before?: () => void): Measurement {
  const m: Measurement = { command, seconds: [], rssKiB: [], renderSeconds: [] };
  for (let i = 0; i < times; i++) {
    before?.();
    const r = run(command, work);
    process.stderr.write(
      `  ${command.name}: ${r.seconds.toFixed(2)} s, ${(r.rssKiB / 1024).toFixed(0)} MiB${r.error ? ` (${r.error})` : ""}\n`,
    );
    if (r.error) {
      m.error = r.error;
      break;
    }
    m.seconds.push(r.seconds);
    m.rssKiB.push(r.rssKiB);
    const render = /render (\d+) ms \(helm\/kustomize\)/.exec(r.stderr)?.[1];
    if (render !== undefined) m.renderSeconds.push(Number(render) / 1000);
  }
  return m;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (s: number) => (s < 10 ? s.toFixed(2) : s.toFixed(1));
const mib = (kib: number[]) => (kib.some(Number.isNaN) ? "n/a" : (Math.max(...kib) / 1024).toFixed(0));

function ours(corpus: string, work: string): Command {
  return {
    name: "erlmcp-audit",
    version: packageVersion(),
    argv: [
      process.execPath,
      join(PACKAGE_ROOT, "bin/erlmcp-audit.js"),
      corpus,
      "--format",
      "json",
      "--output",
      join(work, "report.json"),
      "--quiet",
      "--no-config",
    ],
    display: "node bin/erlmcp-audit.js <corpus> --format json --output <file> --quiet --no-config",
    okCodes: [0, 1],
    note: `all ${loadCatalog().length} controls, rego + typescript engines`,
  };
}

function floor(corpus: string): Command {
  const yamlVersion = JSON.parse(readFileSync(join(PACKAGE_ROOT, "node_modules/yaml/package.json"), "utf8")).version;
  return {
    name: "parse floor",
    version: `yaml ${yamlVersion}`,
    argv: [process.execPath, join(PACKAGE_ROOT, "scripts/bench/parse-floor.js"), corpus],
    display: "node scripts/bench/parse-floor.js <corpus>",
    okCodes: [0],
    note: "`parseAllDocuments` + `toJS` of every file, nothing else",
  };
}

/**
 * `--cache` on the corpus: a first run into an empty cache folder, `runs` runs over the unchanged
 * corpus, then one run after one file changed (a comment appended: new bytes, same objects).
 */
function incrementalTable(corpus: Corpus, work: string): string {
  const cacheDir = join(work, `cache-${corpus.resources}`);
  rmSync(cacheDir, { recursive: true, force: true });
  const base = ours(corpus.dir, work);
  const cached: Command = {
    ...base,
    name: "erlmcp-audit --cache",
    argv: [...base.argv, "--cache-dir", cacheDir],
    display: `${base.display} --cache-dir <dir>`,
  };
  const cold = measure({ ...cached, name: "--cache, empty cache" }, work, 1);
  const warm = measure({ ...cached, name: "--cache, unchanged input" }, work, runs);
  appendFileSync(corpus.files[Math.floor(corpus.files.length / 2)]!, "# changed\n");
  const changed = measure({ ...cached, name: `--cache, 1 of ${corpus.copies} files changed` }, work, 1);
  rmSync(cacheDir, { recursive: true, force: true });
  const coldSeconds = cold.seconds.length ? median(cold.seconds) : NaN;
  const rows = [cold, warm, changed].map((m) =>
    m.seconds.length
      ? `| ${m.command.name} | ${fmt(median(m.seconds))} | ${fmt(Math.min(...m.seconds))}–${fmt(Math.max(...m.seconds))} | ${mib(m.rssKiB)} | ${((100 * median(m.seconds)) / coldSeconds).toFixed(0)}% |`
      : `| ${m.command.name} | ${m.error} | | | |`,
  );
  return [
    `Incremental (\`--cache\`), ${corpus.resources.toLocaleString("en-US")} resources; one run into an empty cache, ${runs} over the unchanged corpus, one after one file changed:`,
    "",
    "| Run | Median s | Min–max s | Peak RSS MiB | of the first |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ].join("\n");
}

/**
 * Ours at each thread count of `--threads` (`--workers N`); the count the default uses
 * (`availableParallelism()`) reuses the main table's measurement. Speed-up is against the first count.
 */
function threadTable(corpus: Corpus, work: string, main: Measurement): string {
  const base = ours(corpus.dir, work);
  const rows = threads!.map((count) =>
    count === availableParallelism() && main.seconds.length
      ? { count, m: main }
      : {
          count,
          m: measure(
            {
              ...base,
              name: `erlmcp-audit --workers ${count}`,
              argv: [...base.argv, "--workers", String(count)],
              display: `${base.display} --workers ${count}`,
            },
            work,
            runs,
          ),
        },
  );
  const first = rows[0]!.m.seconds.length ? median(rows[0]!.m.seconds) : NaN;
  const lines = rows.map(({ count, m }) =>
    m.seconds.length
      ? `| ${count} | ${fmt(median(m.seconds))} | ${fmt(Math.min(...m.seconds))}–${fmt(Math.max(...m.seconds))} | ${mib(m.rssKiB)} | ${(first / median(m.seconds)).toFixed(2)}× |`
      : `| ${count} | ${m.error} | | | |`,
  );
  for (const { count, m } of rows)
    process.stderr.write(
      `  threads ${count}: speed-up ${m.seconds.length ? (first / median(m.seconds)).toFixed(2) : "n/a"}× against ${threads![0]}\n`,
    );
  return [
    `Thread scaling, ${corpus.resources.toLocaleString("en-US")} resources (\`--workers N\`; ${runs} run(s) each; the default is ${availableParallelism()}, the available CPUs):`,
    "",
    `| Threads | Median s | Min–max s | Peak RSS MiB | Speed-up against ${threads![0]} |`,
    "| ---: | ---: | ---: | ---: | ---: |",
    ...lines,
    "",
  ].join("\n");
}

/**
 * Ours with each engine of `--engines` alone (`--engine NAME`): what one engine costs against the default (every
 * control judged by each engine) and against each peer of the main table.
 */
function engineTable(corpus: Corpus, work: string, results: Measurement[]): string {
  const base = ours(corpus.dir, work);
  const [main, , ...peers] = results as [Measurement, Measurement, ...Measurement[]];
  const timedPeers = peers.filter((p) => p.seconds.length);
  const rows = [
    { label: "default (every engine)", m: main },
    ...engines!.map((engine) => ({
      label: `\`--engine ${engine}\``,
      m: measure(
        {
          ...base,
          name: `erlmcp-audit --engine ${engine}`,
          argv: [...base.argv, "--engine", engine],
          display: `${base.display} --engine ${engine}`,
        },
        work,
        runs,
      ),
    })),
  ];
  const ratio = (m: Measurement, to: Measurement) =>
    m.seconds.length && to.seconds.length ? (median(m.seconds) / median(to.seconds)).toFixed(2) : "n/a";
  const lines = rows.map(({ label, m }) =>
    m.seconds.length
      ? `| ${label} | ${fmt(median(m.seconds))} | ${fmt(Math.min(...m.seconds))}–${fmt(Math.max(...m.seconds))} | ${mib(m.rssKiB)} | ${ratio(m, main)} | ${timedPeers.map((p) => ratio(m, p)).join(" | ")}${timedPeers.length ? " |" : ""}`
      : `| ${label} | ${m.error} | | | |${timedPeers.map(() => " |").join("")}`,
  );
  return [
    `One engine, ${corpus.resources.toLocaleString("en-US")} resources (\`--engine NAME\`; ${runs} run(s) each; by default every control is judged by each engine and a finding of either fails the run):`,
    "",
    `| erlmcp-audit | Median s | Min–max s | Peak RSS MiB | ÷ default |${timedPeers.map((p) => ` ÷ ${p.command.name} |`).join("")}`,
    `| --- | ---: | ---: | ---: | ---: |${timedPeers.map(() => " ---: |").join("")}`,
    ...lines,
    "",
  ].join("\n");
}

/**
 * `erlmcp-audit manifests/` as the README runs it (its own config, every engine): without a cache; with a cache
 * that holds only the renders (every other cache folder removed before each run), which is the process wall
 * without the Helm and Kustomize renders; and with the whole cache.
 */
function manifestsTable(work: string): string {
  const cacheDir = join(work, "cache-manifests");
  const report = join(work, "manifests.json");
  const base: Command = {
    name: "erlmcp-audit manifests/",
    version: packageVersion(),
    argv: [
      process.execPath,
      join(PACKAGE_ROOT, "bin/erlmcp-audit.js"),
      "manifests/",
      "--format",
      "json",
      "--output",
      report,
      "--quiet",
      "--timings",
    ],
    display: "node bin/erlmcp-audit.js manifests/ --format json --output <file> --quiet --timings",
    okCodes: [0],
  };
  const cached: Command = { ...base, argv: [...base.argv, "--cache-dir", cacheDir], display: `${base.display} --cache-dir <dir>` };
  rmSync(cacheDir, { recursive: true, force: true });
  const uncached = measure({ ...base, name: "manifests/, no cache" }, work, runs);
  measure({ ...cached, name: "manifests/, filling the cache" }, work, 1);
  const keepRenders = () => {
    for (const entry of readdirSync(cacheDir)) if (entry !== "render") rmSync(join(cacheDir, entry), { recursive: true, force: true });
  };
  const rendersCached = measure({ ...cached, name: "manifests/, only the renders cached" }, work, runs, keepRenders);
  measure({ ...cached, name: "manifests/, filling the cache" }, work, 1);
  const allCached = measure({ ...cached, name: "manifests/, everything cached" }, work, runs);
  rmSync(cacheDir, { recursive: true, force: true });
  const range = (xs: number[]) => (xs.length ? `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}` : "n/a");
  const rows = [
    { label: "no cache", m: uncached },
    { label: "only the renders cached (the run without renders)", m: rendersCached },
    { label: "everything cached", m: allCached },
  ].map(({ label, m }) =>
    m.seconds.length
      ? `| ${label} | ${fmt(median(m.seconds))} | ${range(m.seconds)} | ${mib(m.rssKiB)} | ${m.renderSeconds.length ? fmt(median(m.renderSeconds)) : "n/a"} |`
      : `| ${label} | ${m.error} | | | |`,
  );
  return [
    `### \`erlmcp-audit manifests/\``,
    "",
    `Process wall of the README's main job (its config, every engine, \`--workers\` = the available CPUs), ${runs} run(s) each; "render wait" is what \`--timings\` counts as waiting on Helm and Kustomize. With only the renders cached, every other cache folder is removed before each run: parsing, type checks, evaluation, placing and the report all run, the renders do not.`,
    "",
    "| Run | Median s | Min–max s | Peak RSS MiB | Render wait s (median) |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ].join("\n");
}

function table(corpus: Corpus, results: Measurement[], skipped: Peer[], findings: string): string {
  const [us, base] = results as [Measurement, Measurement];
  const usMedian = us.seconds.length ? median(us.seconds) : NaN;
  const floorMedian = base.seconds.length ? median(base.seconds) : NaN;
  const rows = results.map((m) => {
    if (!m.seconds.length) return `| ${m.command.name} | ${m.command.version} | ${m.error} | | | | |`;
    const med = median(m.seconds);
    const vsUs = m === us ? "1.00" : (med / usMedian).toFixed(2);
    return `| ${m.command.name} | ${m.command.version} | ${fmt(med)} | ${fmt(Math.min(...m.seconds))}–${fmt(Math.max(...m.seconds))} | ${mib(m.rssKiB)} | ${(med / floorMedian).toFixed(2)} | ${vsUs} |`;
  });
  return [
    `### ${corpus.resources.toLocaleString("en-US")} resources`,
    "",
    `${corpus.copies} files (copies of the production render, ${corpus.defective} with a planted defect); ${runs} run(s) of erlmcp-audit and the floor, ${peerRuns} of each peer (timeout ${timeoutSeconds} s). erlmcp-audit: ${findings}.`,
    "",
    "| Tool | Version | Median s | Min–max s | Peak RSS MiB | × parse floor | Tool ÷ erlmcp-audit |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    ...skipped.map((p) => `| ${p.name} | | skipped: ${"skipped" in p ? p.skipped : ""} | | | | |`),
    "",
  ].join("\n");
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "?";
  let load = "";
  try {
    load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    load = "?";
  }
  return [
    `- Machine: ${cpus().length} CPUs (\`nproc\`), ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start), load average ${load} at start`,
    `- Node ${process.version}, ${process.platform}/${process.arch}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "erlmcp-audit-bench-"));
  const reference = await renderReference(PACKAGE_ROOT);
  const sections: string[] = [];
  const commands = new Map<string, Command>();
  const skippedAll = new Map<string, string>();
  const timedOut = new Map<string, string>();
  const machineText = machine();
  // Written after each size, so that a long run keeps what it measured.
  const write = async () => {
    const body = [
      START,
      "",
      `Generated by \`npm run bench -- ${argv.join(" ")}\`${smoke ? " (smoke)" : ""} on ${new Date().toISOString().slice(0, 10)}.`,
      "",
      machineText,
      "",
      ...sections,
      "Commands:",
      "",
      ...[...commands.values()].map((c) => `- **${c.name}** (${c.version}): \`${c.display}\`${c.note ? ` — ${c.note}` : ""}`),
      ...[...skippedAll].map(([name, why]) => `- **${name}**: skipped — ${why}`),
      "",
      END,
    ].join("\n");
    const previous = existsSync(output) ? readFileSync(output, "utf8") : "";
    const at = previous.indexOf(START);
    const end = previous.indexOf(END);
    const text = at >= 0 && end > at ? previous.slice(0, at) + body + previous.slice(end + END.length) : `${previous}${body}\n`;
    writeFileSync(output, await format(text, { ...(await resolveConfig(output)), filepath: output }));
    process.stderr.write(`wrote ${output}\n`);
  };
  try {
    if (manifests) {
      sections.push(manifestsTable(work));
      await write();
    }
    for (const size of sizes) {
      const corpusDir = join(work, `corpus-${size}`);
      const corpus = writeCorpus(reference, corpusDir, size);
      process.stderr.write(`${corpus.resources} resources in ${corpus.copies} files\n`);
      const peers = preparePeers(work, corpusDir, corpus.files, peerNames).map((p) =>
        timedOut.has(p.name) ? { name: p.name, skipped: `timed out at ${timedOut.get(p.name)} resources` } : p,
      );
      const runnable = peers.filter((p): p is Command => "argv" in p);
      const skipped = peers.filter((p) => "skipped" in p);
      for (const p of skipped) if (!timedOut.has(p.name)) skippedAll.set(p.name, (p as { skipped: string }).skipped);
      const list = [ours(corpusDir, work), floor(corpusDir), ...runnable];
      const results = list.map((c, i) => measure(c, work, i < 2 ? runs : peerRuns));
      for (const c of list) commands.set(c.name, c);
      for (const m of results) if (m.error?.startsWith("timed out")) timedOut.set(m.command.name, corpus.resources.toLocaleString("en-US"));
      const report = existsSync(join(work, "report.json"))
        ? (JSON.parse(readFileSync(join(work, "report.json"), "utf8")) as {
            summary: { resources: number; failed: number; errors: number };
          })
        : undefined;
      if (!report || report.summary.resources !== corpus.resources) {
        throw new Error(`erlmcp-audit did not report ${corpus.resources} resources (${results[0]?.error ?? "no report"})`);
      }
      const findings = `${report.summary.failed} failing findings, ${report.summary.errors} evaluation errors`;
      sections.push(table(corpus, results, skipped, findings));
      if (threads) sections.push(threadTable(corpus, work, results[0]!));
      if (engines) sections.push(engineTable(corpus, work, results));
      if (incremental) sections.push(incrementalTable(corpus, work));
      await write();
      rmSync(corpusDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  if (smoke) {
    const text = readFileSync(output, "utf8");
    const row = (name: string) => new RegExp(`\\|\\s*${name}\\s*\\|[^|]+\\|\\s*\\d+\\.\\d+\\s*\\|`).test(text);
    const ok = row("erlmcp-audit") && row("parse floor");
    if (!ok) throw new Error(`bench smoke: ${output} lacks a timed row for erlmcp-audit and the parse floor`);
    console.log(text);
  }
}

await main();
