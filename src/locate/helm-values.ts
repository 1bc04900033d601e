/**
 * The values keys a Helm template line reads: `.Values.a.b` (also through `$.Values`, `$root.Values`
 * or a variable bound to `… .Values.x`), and `.` or `.c` inside `with`/`range` over a values key.
 * A reading of the text, not an evaluation: keys built at run time (`index`, `get`, `tpl`) are not seen.
 */

const VALUES_REF = /(?:\$\w*)?\.Values((?:\.[A-Za-z_]\w*)+)/g;
const BINDING = /\$(\w+)\s*:?=\s*(?:\$\w*)?\.Values((?:\.[A-Za-z_]\w*)*)\s*(?:-?\}\}|\))/g;
const VARIABLE_REF = /\$(\w+)((?:\.[A-Za-z_]\w*)+)/g;
const ACTION_TEXT = /\{\{([\s\S]*?)\}\}/g;

/** The bodies of a line's actions, without trim markers and surrounding blanks. */
function actionsOf(text: string): string[] {
  return [...text.matchAll(ACTION_TEXT)].map((m) =>
    m[1]!
      .replace(/^-?\s*/, "")
      .replace(/\s*-?$/, "")
      .trim(),
  );
}

const segments = (dotted: string): string[] => dotted.split(".").filter(Boolean);

/** The values paths (as key lists) line `line` (1-based) of `template` reads, in the order written. */
export function valuesRefs(template: string, line: number): string[][] {
  const lines = template.split("\n");
  const text = lines[line - 1] ?? "";
  const bindings = new Map<string, string[]>();
  for (const m of template.matchAll(BINDING)) bindings.set(m[1]!, segments(m[2]!));
  const refs: string[][] = [];
  const add = (path: string[]) => {
    if (path.length && !refs.some((r) => r.join(".") === path.join("."))) refs.push(path);
  };
  for (const body of actionsOf(text)) {
    for (const m of body.matchAll(VALUES_REF)) add(segments(m[1]!));
    for (const m of body.matchAll(VARIABLE_REF)) {
      const bound = bindings.get(m[1]!);
      if (bound) add([...bound, ...segments(m[2]!)]);
    }
    const scope = valuesScope(lines, line);
    if (!scope) continue;
    const withoutValues = body.replace(VALUES_REF, "").replace(/\$\w*(?:\.\w+)*/g, "");
    for (const m of withoutValues.matchAll(/(^|[\s(|])\.((?:[A-Za-z_]\w*)(?:\.[A-Za-z_]\w*)*)?(?=$|[\s)|])/g))
      add([...scope, ...segments(m[2] ?? "")]);
  }
  return refs;
}

/** The values key that `.` is inside the innermost `with`/`range` around `line`, when it is one. */
function valuesScope(lines: string[], line: number): string[] | undefined {
  const stack: Array<string[] | undefined> = [];
  for (let i = 0; i < line - 1; i++) {
    for (const body of actionsOf(lines[i] ?? "")) {
      const opened = /^(if|with|range|define|block)\b\s*(.*)$/.exec(body);
      if (opened) {
        const ref = /^(?:\$\w*)?\.Values((?:\.[A-Za-z_]\w*)+)\s*$/.exec(opened[2] ?? "");
        stack.push(opened[1] === "with" || opened[1] === "range" ? (ref ? segments(ref[1]!) : undefined) : (stack.at(-1) ?? undefined));
        if (opened[1] === "define" || opened[1] === "block") stack[stack.length - 1] = undefined;
      } else if (/^end\b/.test(body)) stack.pop();
    }
  }
  return stack.at(-1);
}

const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;

/**
 * The values keys read by the `define`s a template line includes (`include "x"`, `template "x"`),
 * found in `templates` (the texts of the chart's template files), followed `depth` includes deep.
 */
export function includedValuesRefs(text: string, templates: readonly string[], depth = 3): string[][] {
  const refs: string[][] = [];
  const seen = new Set<string>();
  const follow = (line: string, left: number) => {
    for (const [, name] of line.matchAll(INCLUDE)) {
      if (seen.has(name!) || left === 0) continue;
      seen.add(name!);
      for (const { template, lines } of defineBodies(templates, name!)) {
        for (const number of lines) {
          for (const ref of valuesRefs(template, number)) if (!refs.some((r) => r.join(".") === ref.join("."))) refs.push(ref);
          follow(template.split("\n")[number - 1] ?? "", left - 1);
        }
      }
    }
  };
  follow(text, depth);
  return refs;
}

/** The line numbers (1-based) of each body of `define "name"` in the templates. */
function defineBodies(templates: readonly string[], name: string): Array<{ template: string; lines: number[] }> {
  const out: Array<{ template: string; lines: number[] }> = [];
  for (const template of templates) {
    const lines = template.split("\n");
    const start = lines.findIndex((l) => new RegExp(`\\{\\{-?\\s*define\\s+"${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`).test(l));
    if (start < 0) continue;
    const body: number[] = [];
    let open = 0;
    for (let i = start; i < lines.length; i++) {
      for (const body of actionsOf(lines[i] ?? "")) {
        if (/^(if|with|range|define|block)\b/.test(body)) open++;
        else if (/^end\b/.test(body)) open--;
      }
      body.push(i + 1);
      if (open <= 0) break;
    }
    out.push({ template, lines: body });
  }
  return out;
}
