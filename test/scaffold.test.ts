/**
 * `npm run new:control` (scripts/new-control.ts) scaffolds a control into a temporary copy of the
 * repository: every file from the templates, Rego that opa accepts, a control.yaml the catalog loader
 * refuses until its TODOs are filled, and exit code 2 (nothing written) for a bad or taken ID.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { aliasKinds, WORKLOADS_ALIAS } from "../src/catalog/kinds.js";
import { CatalogError, loadControl } from "../src/catalog/load.js";
import { parseManifestStream } from "../src/loaders/yaml.js";
import { PACKAGE_ROOT } from "../src/paths.js";
import { findTool } from "../src/tools/find.js";

const SCRIPT = join(PACKAGE_ROOT, "scripts", "new-control.ts");
const GENERATED = ["dist", "gatekeeper", "kyverno"].map((d) => join(PACKAGE_ROOT, "policies", d));

/** A throw-away repository: policies/ (without generated output), src/, an empty fixtures/ and node_modules. */
function tempRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "erlmcp-audit-scaffold-"));
  cpSync(join(PACKAGE_ROOT, "policies"), join(root, "policies"), { recursive: true, filter: (src) => !GENERATED.includes(src) });
  cpSync(join(PACKAGE_ROOT, "src"), join(root, "src"), { recursive: true });
  mkdirSync(join(root, "fixtures"));
  symlinkSync(join(PACKAGE_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

function scaffold(root: string, args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, ...args, "--root", root], { cwd: PACKAGE_ROOT, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const opa = (args: string[]) => spawnSync(findTool("opa"), args, { cwd: PACKAGE_ROOT, encoding: "utf8" });

/** Every file of the parts of the repository the scaffold writes to, relative to root. */
const repoFiles = (root: string) => ["policies", "fixtures", "src"].flatMap((d) => listing(join(root, d)).map((f) => join(d, f)));

/** Every file under dir, relative to it. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The value an author would write where the scaffold left a TODO, by the field's path. */
function filled(path: string[]): unknown {
  const [first, second] = path;
  if (first === "title") return "Pods do not share the host IPC namespace";
  if (first === "severity") return "high";
  if (first === "kinds") return "Pod";
  if (first === "description") return "No pod may set `hostIPC: true`: it exposes the node's shared memory.";
  if (first === "remediation") return "Remove `hostIPC` from the pod spec or set it to false.";
  if (first === "messages") return "{kind} {name} shares the host IPC namespace.";
  if (first === "frameworks" && path.at(-1) === "id") return second === "soc2" ? "CC6.1" : "A.8.9";
  if (first === "frameworks" && path.at(-1) === "rationale") return "Isolation between workloads and the node.";
  throw new Error(`no filling for the TODO at /${path.join("/")}`);
}

/** control.yaml with every TODO value replaced, as an author filling the template would. */
function fillTodos(value: unknown, path: string[] = []): unknown {
  if (typeof value === "string") return /\bTODO\b/.test(value) ? filled(path) : value;
  if (Array.isArray(value)) return value.map((v, i) => fillTodos(v, [...path, String(i)]));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTodos(v, [...path, k])]));
  return value;
}

let root: string;
const originalIndex = readFileSync(join(PACKAGE_ROOT, "src", "validators", "index.ts"), "utf8");

beforeAll(() => {
  root = tempRepo();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("new:control, object scope with --kyverno and --validator", () => {
  const id = "pod-no-host-ipc";
  let run: ReturnType<typeof scaffold>;
  beforeAll(() => {
    run = scaffold(root, [id, "--kinds", "workloads", "--kyverno", "--validator", "--message", "hostIpcShared"]);
  });

  it("creates the control folder, fixtures and validator, and prints the next steps", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(listing(join(root, "policies", id))).toEqual(["control.yaml", "kyverno.yaml", "policy.rego", "policy_test.rego"]);
    expect(listing(join(root, "fixtures", id))).toEqual(["fail.host-ipc-shared.yaml", "pass.compliant.yaml", "pass.edge-case.yaml"]);
    expect(existsSync(join(root, "src", "validators", `${id}.ts`))).toBe(true);
    for (const dir of [join(root, "policies", id), join(root, "fixtures", id)])
      for (const file of listing(dir)) expect(readFileSync(join(dir, file), "utf8"), file).not.toMatch(/\{\{\w+\}\}/);
    expect(run.stdout).toContain("npm run generate");
    expect(run.stdout).toContain(`policies/${id}/control.yaml`);
  });

  it("writes control.yaml with the options filled in and the author's decisions left as TODO", () => {
    const spec = parse(readFileSync(join(root, "policies", id, "control.yaml"), "utf8"));
    expect(spec).toMatchObject({ id, domain: "pod", scope: "object", engines: ["rego", "kyverno", "typescript"], kinds: ["workloads"] });
    expect(Object.keys(spec.messages)).toEqual(["hostIpcShared"]);
    expect(spec.title).toMatch(/^TODO/);
  });

  it("writes fixtures the fixture test reads: valid manifests, the fail one with its `# expect:` header", () => {
    const dir = join(root, "fixtures", id);
    for (const file of listing(dir)) {
      expect(parseManifestStream(readFileSync(join(dir, file), "utf8"), { file }).errors, file).toEqual([]);
      expect(file).toMatch(/^(pass|fail)\.[a-z0-9-]+\.ya?ml$/);
    }
    expect(readFileSync(join(dir, "fail.host-ipc-shared.yaml"), "utf8")).toMatch(/^# expect: Pod\/erlmcp\/noncompliant hostIpcShared$/m);
    expect(readFileSync(join(dir, "pass.compliant.yaml"), "utf8")).not.toMatch(/^#\s*expect:/m);
  });

  it("writes Rego that opa checks and formats; the fail-case test stays red until the clause is written", () => {
    const dir = join(root, "policies", id);
    const check = opa(["check", "--capabilities", "policies/capabilities.json", "policies/lib", dir]);
    expect(check.stderr + check.stdout).toBe("");
    expect(check.status).toBe(0);
    expect(opa(["fmt", "--list", "--fail", dir]).status).toBe(0);
    const test = opa(["test", "--format", "json", "policies/lib", dir]);
    const results = (JSON.parse(test.stdout) as Array<{ package: string; name: string; fail?: boolean }>).filter((r) =>
      r.package.endsWith("pod_no_host_ipc_test"),
    );
    // opa test reports in no fixed order.
    expect(results.map((r) => [r.name, r.fail === true]).sort()).toEqual([
      ["test_compliant_passes", false],
      ["test_noncompliant_fails", true],
    ]);
    expect(readFileSync(join(dir, "policy.rego"), "utf8")).toContain(`violation.make(control_id, "hostIpcShared", obj,`);
  });

  it("writes a kyverno.yaml ValidatingPolicy matching the kinds, with `[messageId]` messages", () => {
    const policy = parse(readFileSync(join(root, "policies", id, "kyverno.yaml"), "utf8"));
    expect(policy).toMatchObject({ apiVersion: "policies.kyverno.io/v1", kind: "ValidatingPolicy", metadata: { name: id } });
    const rules = policy.spec.matchConstraints.resourceRules as Array<{ apiGroups: string[]; resources: string[] }>;
    // Every kind of the `workloads` alias of policies/_kinds.yaml, as the API server's plural resource name.
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(
      aliasKinds(WORKLOADS_ALIAS)
        .map((k) => `${k.toLowerCase()}s`)
        .sort(),
    );
    expect(JSON.stringify(policy.spec.variables)).toContain("[hostIpcShared]");
  });

  it("registers the validator in src/validators/index.ts, and the registry loads it", async () => {
    const index = readFileSync(join(root, "src", "validators", "index.ts"), "utf8");
    expect(index).toContain(`import { podNoHostIpc } from "./${id}.js";`);
    expect(index).toContain("  [podNoHostIpc.id]: podNoHostIpc,");
    const { VALIDATORS } = await import(pathToFileURL(join(root, "src", "validators", "index.ts")).href);
    expect(VALIDATORS[id]).toMatchObject({ id, scope: "object" });
    expect(VALIDATORS[id].validate({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }, {})).toEqual([]);
  });

  it("is rejected by the catalog loader while control.yaml holds a TODO, naming each one", () => {
    const load = () => loadControl(join(root, "policies", id));
    expect(load).toThrow(CatalogError);
    expect(load).toThrow(/control\.yaml: unfilled scaffold TODO at \/title, \/severity, \/description, \/messages\/hostIpcShared, /);
    expect(load).toThrow(/\/frameworks\/soc2\/0\/id, \/frameworks\/soc2\/0\/rationale, .*replace each TODO/);
  });

  it("loads once the TODOs are filled", () => {
    const file = join(root, "policies", id, "control.yaml");
    writeFileSync(file, stringify(fillTodos(parse(readFileSync(file, "utf8")))));
    const control = loadControl(join(root, "policies", id));
    expect(control).toMatchObject({ id, severity: "high", scope: "object", engines: ["rego", "kyverno", "typescript"] });
    expect(control.kinds).toContain("StatefulSet");
  });
});

describe("new:control, set scope", () => {
  const id = "net-peers-declared";
  let run: ReturnType<typeof scaffold>;
  beforeAll(() => {
    run = scaffold(root, [id, "--scope", "set", "--validator"]);
  });

  it("creates a set-scope control without kyverno.yaml, kinds left as TODO", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(listing(join(root, "policies", id))).toEqual(["control.yaml", "policy.rego", "policy_test.rego"]);
    const spec = parse(readFileSync(join(root, "policies", id, "control.yaml"), "utf8"));
    expect(spec).toMatchObject({ scope: "set", engines: ["rego", "typescript"], kinds: ["TODO"] });
    expect(readFileSync(join(root, "policies", id, "policy.rego"), "utf8")).toContain("some obj in input.resources");
  });

  it("writes Rego that opa checks and formats", () => {
    const dir = join(root, "policies", id);
    expect(opa(["check", "--capabilities", "policies/capabilities.json", "policies/lib", dir]).status).toBe(0);
    expect(opa(["fmt", "--list", "--fail", dir]).status).toBe(0);
  });

  it("inserts the validator after the last one of its domain", () => {
    const lines = readFileSync(join(root, "src", "validators", "index.ts"), "utf8").split("\n");
    const original = originalIndex.split("\n");
    const lastNetImport = original.filter((l) => l.includes('from "./net-')).at(-1)!;
    const lastNetEntry = lastNetImport.replace(/^import \{ (\w+) \}.*$/, "  [$1.id]: $1,");
    expect(lines[lines.indexOf(lastNetImport) + 1]).toBe(`import { netPeersDeclared } from "./${id}.js";`);
    expect(lines[lines.indexOf(lastNetEntry) + 1]).toBe("  [netPeersDeclared.id]: netPeersDeclared,");
  });

  it("is rejected with its kinds named, and loads once filled", () => {
    const dir = join(root, "policies", id);
    expect(() => loadControl(dir)).toThrow(/unfilled scaffold TODO at .*\/kinds\/0/);
    writeFileSync(join(dir, "control.yaml"), stringify(fillTodos(parse(readFileSync(join(dir, "control.yaml"), "utf8")))));
    expect(loadControl(dir)).toMatchObject({ id, scope: "set", kinds: ["Pod"] });
  });
});

describe("new:control refuses", () => {
  it.each([
    ["an ID that is not kebab-case", ["Pod-NoHostIpc"], /not a control ID/],
    ["an ID without a name", ["pod"], /not a control ID/],
    ["an ID outside the schema's domains", ["xyz-no-host-ipc"], /does not start with a domain: net, iam, /],
    ["an existing control", ["pod-readonly-rootfs"], /control 'pod-readonly-rootfs' already exists \(policies\/pod-readonly-rootfs\)/],
    ["an unknown scope", ["pod-new-thing", "--scope", "cluster"], /--scope must be object or set/],
    ["an unknown kind", ["pod-new-thing", "--kinds", "Pod,Gizmo"], /unknown kind Gizmo: add it to policies\/_kinds\.yaml/],
    ["kyverno for a set-scope control", ["net-new-thing", "--scope", "set", "--kyverno"], /--kyverno needs --scope object/],
    ["a message ID that is not camelCase", ["pod-new-thing", "--message", "Bad-Id"], /--message 'Bad-Id' must be camelCase/],
  ])("%s with exit code 2, writing nothing", (_case, args, message) => {
    const before = repoFiles(root);
    const run = scaffold(root, args);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(repoFiles(root)).toEqual(before);
  });

  it("a control scaffolded before (fixtures or validator left behind count too)", () => {
    mkdirSync(join(root, "fixtures", "pod-orphan-fixtures"));
    const run = scaffold(root, ["pod-orphan-fixtures"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already exists \(fixtures\/pod-orphan-fixtures\)/);
  });
});
