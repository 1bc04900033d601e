/**
 * Scaffolds a control from the templates of scripts/templates/control/:
 *
 *   npm run new:control -- <id> [--scope object|set] [--kinds A,B] [--kyverno] [--validator]
 *                              [--message <messageId>] [--root <dir>]
 *
 * Writes policies/<id>/{control.yaml,policy.rego,policy_test.rego[,kyverno.yaml]},
 * fixtures/<id>/{pass.compliant,pass.edge-case,fail.<message>}.yaml and, with --validator,
 * src/validators/<id>.ts plus its entry in src/validators/index.ts. Every value the author must
 * decide is a TODO, which the catalog loader rejects. `--root` is the repository to write into
 * (default: this package). Exit code 2: a bad ID or option, or an existing control; nothing is written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as prettier from "prettier";
import { expandKinds, parseKindCatalog, type KindCatalog } from "../src/catalog/kinds.js";
import { PACKAGE_ROOT } from "../src/paths.js";

const TEMPLATES = fileURLToPath(new URL("./templates/control/", import.meta.url));
const MESSAGE_ID = /^[a-z][A-Za-z0-9]*$/;
/** Where the fixtures stand when the kinds are still to be decided. */
const UNDECIDED_KIND = "TODO";

/** A mistake of the caller: reported without a stack trace, exit code 2. */
class UsageError extends Error {}

interface Options {
  id: string;
  scope: "object" | "set";
  /** `--kinds` entries (Kind names or aliases); undefined leaves `kinds: [TODO]`. */
  kinds: string[] | undefined;
  kyverno: boolean;
  validator: boolean;
  messageId: string;
  root: string;
}

/** One file to write: its path relative to the root and its template. */
interface PlannedFile {
  path: string;
  template: string;
}

const camelCase = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const kebabCase = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        scope: { type: "string", default: "object" },
        kinds: { type: "string" },
        kyverno: { type: "boolean", default: false },
        validator: { type: "boolean", default: false },
        message: { type: "string" },
        root: { type: "string", default: PACKAGE_ROOT },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError("expected exactly one control ID, e.g. `npm run new:control -- pod-no-host-ipc`");
  const id = positionals[0]!;
  if (values.scope !== "object" && values.scope !== "set") throw new UsageError(`--scope must be object or set, not '${values.scope}'`);
  if (values.kyverno && values.scope === "set")
    throw new UsageError("--kyverno needs --scope object: a ValidatingPolicy judges one object at a time");
  if (values.message !== undefined && !MESSAGE_ID.test(values.message))
    throw new UsageError(`--message '${values.message}' must be camelCase (${MESSAGE_ID.source})`);
  const kinds = values.kinds
    ?.split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  // Derived from a valid ID it is camelCase unless the name starts with a digit: main checks it after the ID.
  const messageId = values.message ?? `${camelCase(id.slice(id.indexOf("-") + 1))}Violated`;
  return { id, scope: values.scope, kinds, kyverno: values.kyverno, validator: values.validator, messageId, root: values.root };
}

/** Refuses an ID that breaks the schema's pattern or domain list, or that a control already uses. */
function checkId(options: Options): void {
  const { id, root } = options;
  const schema = JSON.parse(readFileSync(join(root, "policies", "control.schema.json"), "utf8"));
  const pattern = new RegExp(schema.properties.id.pattern as string);
  const domains = schema.definitions.domain.enum as string[];
  if (!pattern.test(id)) throw new UsageError(`'${id}' is not a control ID: use kebab-case <domain>-<name>, e.g. pod-no-host-ipc`);
  const domain = id.slice(0, id.indexOf("-"));
  if (!domains.includes(domain)) throw new UsageError(`'${id}' does not start with a domain: ${domains.join(", ")}`);
  const taken = [join("policies", id), join("fixtures", id), join("src", "validators", `${id}.ts`)].filter((p) =>
    existsSync(join(root, p)),
  );
  if (taken.length) throw new UsageError(`control '${id}' already exists (${taken.join(", ")})`);
}

/** Refuses kinds that are neither a kind nor an alias of policies/_kinds.yaml. */
function checkKinds(kinds: readonly string[], catalog: KindCatalog): void {
  if (!kinds.length) throw new UsageError("--kinds is empty");
  const unknown = kinds.filter((k) => !catalog.groups.has(k) && !catalog.aliases.has(k));
  if (unknown.length)
    throw new UsageError(
      `unknown kind ${unknown.join(", ")}: add it to policies/_kinds.yaml first, or use an alias (${[...catalog.aliases.keys()].join(", ")})`,
    );
}

function template(name: string): string {
  return readFileSync(join(TEMPLATES, name), "utf8");
}

/**
 * Fills each `{{name}}` of a template. A line that holds only a placeholder whose value is empty is
 * dropped; a placeholder without a value is an error, so a template typo cannot reach a control.
 */
function render(text: string, values: Readonly<Record<string, string>>): string {
  const value = (name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    return v;
  };
  return text
    .split("\n")
    .filter((line) => !/^\{\{(\w+)\}\}$/.test(line) || value(line.slice(2, -2)) !== "")
    .map((line) => line.replace(/\{\{(\w+)\}\}/g, (_, name: string) => value(name)))
    .join("\n");
}

const snippet = (name: string, values: Readonly<Record<string, string>>) => render(template(`snippets/${name}`), values).trimEnd();

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The `resourceRules` of the ValidatingPolicy: one rule per API group of the control's kinds. */
function resourceRules(kinds: readonly string[], catalog: KindCatalog): string {
  if (!kinds.length) return snippet("resource-rule.yaml.tmpl", { apiGroup: '"TODO"', resources: "TODO" });
  const byGroup = new Map<string, string[]>();
  for (const kind of kinds) {
    for (const group of catalog.groups.get(kind) ?? []) byGroup.set(group, [...(byGroup.get(group) ?? []), pluralOf(kind)]);
  }
  return [...byGroup]
    .map(([group, resources]) => snippet("resource-rule.yaml.tmpl", { apiGroup: JSON.stringify(group), resources: resources.join(", ") }))
    .join("\n");
}

/** The values of every template placeholder. */
function placeholderValues(options: Options, catalog: KindCatalog): Record<string, string> {
  const { id, messageId } = options;
  const kinds = options.kinds ? expandKinds(options.kinds, catalog) : [];
  const kind = kinds[0] ?? UNDECIDED_KIND;
  const group = catalog.groups.get(kind)?.[0];
  const namespaced = !catalog.clusterScoped.has(kind);
  const engines = ["rego", ...(options.kyverno ? ["kyverno"] : []), ...(options.validator ? ["typescript"] : [])];
  return {
    id,
    package: id.replaceAll("-", "_"),
    domain: id.slice(0, id.indexOf("-")),
    scope: options.scope,
    partition: options.scope === "set" ? snippet("partition.yaml.tmpl", {}) : "",
    engines: `[${engines.join(", ")}]`,
    kinds: `[${(options.kinds ?? [UNDECIDED_KIND]).join(", ")}]`,
    messageId,
    exportName: camelCase(id),
    kyvernoUnsupported: options.kyverno ? snippet("kyverno-unsupported.yaml.tmpl", { messageId }) : "",
    resourceRules: resourceRules(kinds, catalog),
    kind,
    apiVersion: group === undefined ? UNDECIDED_KIND : group === "" ? "v1" : `${group}/v1`,
    fixtureNamespace: namespaced ? "erlmcp" : "",
    namespaceField: namespaced ? ", namespace: erlmcp" : "",
    regoNamespaceField: namespaced ? ', "namespace": "erlmcp"' : "",
  };
}

function plannedFiles(options: Options): PlannedFile[] {
  const { id, scope, messageId } = options;
  const control = (name: string) => join("policies", id, name);
  const fixture = (name: string) => join("fixtures", id, name);
  return [
    { path: control("control.yaml"), template: "control.yaml.tmpl" },
    { path: control("policy.rego"), template: `policy.${scope}.rego.tmpl` },
    { path: control("policy_test.rego"), template: `policy_test.${scope}.rego.tmpl` },
    ...(options.kyverno ? [{ path: control("kyverno.yaml"), template: "kyverno.yaml.tmpl" }] : []),
    { path: fixture("pass.compliant.yaml"), template: "pass.compliant.yaml.tmpl" },
    { path: fixture("pass.edge-case.yaml"), template: "pass.edge-case.yaml.tmpl" },
    { path: fixture(`fail.${kebabCase(messageId)}.yaml`), template: "fail.yaml.tmpl" },
    ...(options.validator ? [{ path: join("src", "validators", `${id}.ts`), template: `validator.${scope}.ts.tmpl` }] : []),
  ];
}

const IMPORT_LINE = /^import \{ (\w+) \} from "\.\/([a-z0-9-]+)\.js";$/;
const ENTRY_LINE = /^ {2}\[(\w+)\.id\]: \1,$/;

/**
 * src/validators/index.ts with the validator's import and registry entry added after the last ones
 * of its domain (the file groups validators by domain), or after the last ones when its domain has none.
 */
function registerValidator(text: string, id: string, exportName: string): string {
  const lines = text.split("\n");
  const domainOf = new Map<string, string>();
  const imports: number[] = [];
  const entries: number[] = [];
  lines.forEach((line, i) => {
    const imported = IMPORT_LINE.exec(line);
    if (imported) {
      imports.push(i);
      domainOf.set(imported[1]!, imported[2]!.slice(0, imported[2]!.indexOf("-")));
    }
    const entry = ENTRY_LINE.exec(line);
    if (entry) entries.push(i);
  });
  if (!imports.length || !entries.length)
    throw new Error("src/validators/index.ts: no validator imports or VALIDATORS entries to insert after");
  const domain = id.slice(0, id.indexOf("-"));
  const lastOfDomain = (at: number[], name: (line: string) => string) =>
    at.filter((i) => domainOf.get(name(lines[i]!)) === domain).pop() ?? at[at.length - 1]!;
  const afterImport = lastOfDomain(imports, (line) => IMPORT_LINE.exec(line)![1]!);
  const afterEntry = lastOfDomain(entries, (line) => ENTRY_LINE.exec(line)![1]!);
  lines.splice(afterEntry + 1, 0, `  [${exportName}.id]: ${exportName},`);
  lines.splice(afterImport + 1, 0, `import { ${exportName} } from "./${id}.js";`);
  return lines.join("\n");
}

/** Formats YAML and TypeScript as `prettier --write` would in this repository. */
async function formatted(path: string, text: string): Promise<string> {
  if (!/\.(ya?ml|ts)$/.test(path) || path.startsWith("fixtures")) return text;
  const config = await prettier.resolveConfig(join(PACKAGE_ROOT, "package.json"));
  return prettier.format(text, { ...config, filepath: path });
}

function nextSteps(options: Options, written: readonly string[]): string {
  const { id } = options;
  const engines = ["rego", ...(options.kyverno ? ["kyverno"] : []), ...(options.validator ? ["typescript"] : [])];
  return [
    `Scaffolded ${id} (${options.scope} scope, engines: ${engines.join(", ")}):`,
    ...written.map((p) => `  ${p}`),
    "",
    "Next (docs/writing-controls.md walks through each step):",
    `  1. Replace every TODO: control.yaml first (the catalog loader rejects it until none is left), then the`,
    `     fixtures (the spec: ${join("fixtures", id)}/, rename the files after their cases), policy.rego and`,
    `     policy_test.rego${options.kyverno ? ", kyverno.yaml" : ""}${options.validator ? `, src/validators/${id}.ts` : ""}.`,
    "  2. npm run generate",
    `  3. opa test policies/lib policies/${id} -v`,
    `     npx vitest run test/fixtures.test.ts test/conformance.test.ts -t ${id}`,
  ].join("\n");
}

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  checkId(options);
  if (!MESSAGE_ID.test(options.messageId)) throw new UsageError(`'${options.messageId}' is not a message ID: pass --message <camelCase>`);
  const kindsFile = join(options.root, "policies", "_kinds.yaml");
  const catalog = parseKindCatalog(readFileSync(kindsFile, "utf8"), relative(options.root, kindsFile));
  if (options.kinds) checkKinds(options.kinds, catalog);
  const values = placeholderValues(options, catalog);
  const files = await Promise.all(
    plannedFiles(options).map(async ({ path, template: name }) => ({
      path,
      text: await formatted(path, `${render(template(name), values).trimEnd()}\n`),
    })),
  );
  const index = join(options.root, "src", "validators", "index.ts");
  const registry = options.validator ? registerValidator(readFileSync(index, "utf8"), options.id, values.exportName!) : undefined;
  for (const { path, text } of files) {
    mkdirSync(dirname(join(options.root, path)), { recursive: true });
    writeFileSync(join(options.root, path), text, { flag: "wx" });
  }
  if (registry !== undefined) writeFileSync(index, registry);
  const written = [
    ...files.map((f) => f.path),
    ...(registry !== undefined ? [`${join("src", "validators", "index.ts")} (registered)`] : []),
  ];
  console.log(nextSteps(options, written));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`new:control: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
