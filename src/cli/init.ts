/**
 * `erlmcp-audit init [dir] [--form ...]`: copies the reference deployment shipped in the package
 * (manifests/) into a user's repository, with a starter config and waiver file, never over an
 * existing file.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { parseDocument, isMap, isSeq, isScalar } from "yaml";
import { UsageError } from "../errors.js";
import { PACKAGE_ROOT } from "../paths.js";

/** The reference deployment as shipped in the package. */
export const REFERENCE_DIR = resolve(PACKAGE_ROOT, "manifests");
/** The starter config and waiver file, written beside the copied forms. */
export const CONFIG_FILE = "erlmcp-audit.config.yaml";
export const WAIVERS_FILE = "erlmcp-audit.waivers.yaml";

/** Each form of the reference deployment: which of its files (relative, `/`-separated) belong to it. */
export const INIT_FORMS: Readonly<Record<string, (file: string) => boolean>> = {
  helm: (f) => f.startsWith("helm/"),
  kustomize: (f) => f.startsWith("kustomize/"),
  standalone: (f) => /^standalone\/[^/]+$/.test(f),
  "blue-green": (f) => f.startsWith("standalone/blue-green/"),
  canary: (f) => f.startsWith("standalone/canary/"),
  gitops: (f) => f.startsWith("gitops/"),
  admission: (f) => f.startsWith("admission/"),
};
const ALL = "all";
const SHARED = new Set(["README.md", CONFIG_FILE, WAIVERS_FILE]);

function listFiles(root: string, under = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, under), { withFileTypes: true })) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(root, path));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/** The reference files of the chosen forms (every file for `all`), shared files excluded. */
export function filesOfForms(forms: readonly string[], reference = REFERENCE_DIR): string[] {
  const all = listFiles(reference).filter((f) => !SHARED.has(f));
  if (forms.includes(ALL)) return all;
  return all.filter((f) => forms.some((form) => INIT_FORMS[form]!(f)));
}

/**
 * The reference config restricted to the copied files: an `inputs` path that was not copied is
 * dropped, and an input left without paths goes with it. Comments are kept.
 */
export function starterConfig(referenceConfig: string, copied: readonly string[]): string {
  const covered = (path: string) => {
    const p = path.replace(/\/+$/, "");
    return copied.some((f) => f === p || f.startsWith(`${p}/`));
  };
  const doc = parseDocument(referenceConfig);
  const inputs = doc.get("inputs");
  if (isSeq(inputs)) {
    inputs.items = inputs.items.filter((input) => {
      if (!isMap(input)) return true;
      const paths = input.get("paths");
      if (!isSeq(paths)) return true;
      paths.items = paths.items.filter((p) => !isScalar(p) || typeof p.value !== "string" || covered(p.value));
      return paths.items.length > 0;
    });
    if (inputs.items.length === 0) doc.delete("inputs");
  }
  return doc.toString();
}

/** What `init` wrote. */
export interface InitResult {
  /** Absolute target folder. */
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
}

/**
 * Copies the chosen forms of the reference deployment, plus a starter config and waiver file, into
 * `dir`. Throws UsageError, writing nothing, when any target file already exists.
 */
/**
 * Whether anything is where `file` (relative, `/`-separated) would be written under `root`: an entry at its
 * name, whatever it is (a dangling link too: writing to it would create the link's target), or a link or a
 * non-folder at one of its parent folders (copying through `helm -> /elsewhere` writes outside the folder).
 */
function inTheWay(root: string, file: string): boolean {
  const parts = file.split("/");
  for (let i = 1; i <= parts.length; i++) {
    let stats;
    try {
      stats = lstatSync(join(root, ...parts.slice(0, i)));
    } catch {
      return false; // nothing there, nor below
    }
    if (i === parts.length || !stats.isDirectory()) return true;
  }
  return false;
}

export function initDeployment(dir: string, forms: readonly string[], reference = REFERENCE_DIR): InitResult {
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new UsageError(`init: ${dir} exists and is not a folder`);
  const copied = filesOfForms(forms, reference);
  const files = [...copied, "README.md", CONFIG_FILE, WAIVERS_FILE].sort();
  const existing = files.filter((f) => inTheWay(target, f));
  if (existing.length)
    throw new UsageError(
      `init: refusing to overwrite ${existing.length} existing file${existing.length === 1 ? "" : "s"} in ${dir}: ` +
        `${existing.slice(0, 5).join(", ")}${existing.length > 5 ? ", ..." : ""}. Choose a new or empty folder, ` +
        `e.g. erlmcp-audit init deploy${forms.includes(ALL) ? "" : ` --form ${forms.join(" --form ")}`}`,
    );
  for (const file of [...copied, "README.md", WAIVERS_FILE]) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(reference, file), join(target, file));
  }
  const config = readFileSync(join(reference, CONFIG_FILE), "utf8");
  writeFileSync(join(target, CONFIG_FILE), forms.includes(ALL) ? config : starterConfig(config, copied));
  return { dir: target, files };
}

const FORM_NAMES = [ALL, ...Object.keys(INIT_FORMS)];
const collectForm = (value: string, previous: string[] = []) => {
  if (!FORM_NAMES.includes(value)) throw new InvalidArgumentError(`expected one of ${FORM_NAMES.join(", ")}`);
  return [...previous, value];
};

/** Registers `init` on the program. */
export function addInitCommand(program: Command, io: { stdout: (s: string) => void }): void {
  program
    .command("init")
    .description("copy the reference deployment (or chosen forms) with a starter config and waiver file into a folder")
    .argument("[dir]", "target folder, created if needed; no existing file is overwritten", "deploy")
    .addOption(new Option("--form <form>", `form to copy: ${FORM_NAMES.join(" | ")} (repeatable; default: all)`).argParser(collectForm))
    .action((dir: string, opts: { form?: string[] }) => {
      const result = initDeployment(dir, opts.form ?? [ALL]);
      const shown = relative(process.cwd(), result.dir) || ".";
      io.stdout(
        `wrote ${result.files.length} files to ${shown} (config: ${join(shown, CONFIG_FILE)}, waivers: ${join(shown, WAIVERS_FILE)})\n` +
          `audit it: erlmcp-audit ${shown}\n`,
      );
    });
}
