/**
 * sec-no-literal-credentials beyond its fixtures: the Rego guards every pattern with a cheap necessary
 * condition (a credential word in lower(s), a literal the pattern must contain) so that the pattern is
 * compiled only for the few strings that may match, and reads its patterns as the TypeScript twin's
 * JavaScript regexes do (ASCII-only case folding, JavaScript's \s). Every credential word in every
 * ASCII case, with separators, with the letters that RE2's (?i) folds and JavaScript's /i does not
 * (ſ, K) or that lower-case to ASCII (İ, K), with JavaScript-only white space, and PEM headers at
 * any offset: Rego (the compiled bundle) and the TypeScript validator report the same findings and
 * paths, without an evaluation error.
 */
import { describe, expect, it } from "vitest";
import { formatPath } from "../../src/k8s/field-path.js";
import { engineFindings, type EngineFindings } from "../helpers/engine-findings.js";

const streamFindings = engineFindings(
  ["sec-no-literal-credentials"],
  (v) => `${v.resource.kind}/${v.resource.name} ${v.messageId} @ ${formatPath(v.path ?? [])}`,
);

/** Each engine's findings on the objects as `Kind/name messageId @ path`, sorted; fails on an evaluation error. */
function findings(objects: object[]): Promise<EngineFindings> {
  return streamFindings(objects.map((o) => JSON.stringify(o)).join("\n---\n"));
}

const WORDS = ["cookie", "pass", "passwd", "password", "secret", "token", "api-key", "api_key", "apikey", "api.key"];
const MORE = ["private-key", "private_key", "privatekey", "credential", "key", "api", "private", "cred"];
// RE2's (?i) folds ſ into s and K (Kelvin) into k; lower() may turn K and İ into ASCII; ı upper-cases to I.
const FOLDS: Array<[RegExp, string]> = [
  [/s/g, "ſ"],
  [/k/g, "\u212a"],
  [/i/g, "İ"],
  [/i/g, "ı"],
];
const CASES = [
  (w: string) => w,
  (w: string) => w.toUpperCase(),
  (w: string) => [...w].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(""),
];

/** Every word in every case, and each with one fold applied to its first foldable letter. */
function spellings(): string[] {
  const out = new Set<string>();
  for (const word of [...WORDS, ...MORE])
    for (const cased of CASES.map((f) => f(word))) {
      out.add(cased);
      for (const [letter, fold] of FOLDS) out.add(cased.replace(new RegExp(letter.source, "i"), fold));
    }
  return [...out];
}

// JavaScript's \s beyond RE2's [\t\n\f\r ]: vertical tab, no-break space, line separator, ideographic space, BOM.
const SPACES = [" ", "\t", "\v", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u200b"];

function values(): string[] {
  const out: string[] = [];
  for (const name of spellings()) for (const sp of [" ", "\u00a0", "\v"]) out.push(`${name}${sp}=${sp}hunter2`, `x.${name}: '${sp}v'`);
  for (const sp of SPACES)
    out.push(`-setcookie${sp}abc`, `a${sp}-setcookie${sp}'abc'`, `-setcookie${sp}$COOKIE`, `x-setcookie${sp}abc`, `password${sp}=${sp}$X`);
  for (const header of ["RSA ", "EC ", "ENCRYPTED ", "", "rsa ", "RSA  ", "ŖSA "])
    out.push(
      `-----BEGIN ${header}PRIVATE KEY-----`,
      `text before -----BEGIN ${header}PRIVATE KEY-----\nabc`,
      `-----BEGIN ${header}PRIVATE KEY----`,
    );
  return out;
}

describe("sec-no-literal-credentials: Rego reads its patterns as the TypeScript twin", () => {
  it("credential env names and ConfigMap keys", async () => {
    const names = spellings();
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "names", namespace: "erlmcp" },
      spec: { containers: [{ name: "app", image: "app:1", env: names.map((name) => ({ name, value: "hunter2" })) }] },
    };
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keys", namespace: "erlmcp" },
      data: Object.fromEntries(names.map((name, i) => [`${name}.${i}`, "x"])),
    };
    const out = await findings([pod, configMap]);
    expect(out.rego).toEqual(out.typescript);
    // Neither all nor none: the folded spellings are not credentials, the ASCII ones are.
    for (const id of ["literalCredentialEnv", "configMapCredentialKey"]) {
      const n = out.rego!.filter((f) => f.includes(` ${id} `)).length;
      expect(n, id).toBeGreaterThan(0);
      expect(n, id).toBeLessThan(names.length);
    }
  });

  it("credential assignments, -setcookie flags and private keys in values", async () => {
    const texts = values();
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "values", namespace: "erlmcp" },
      data: Object.fromEntries(texts.map((text, i) => [`v${i}`, text])),
    };
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "flags", namespace: "erlmcp" },
      spec: { containers: texts.map((text, i) => ({ name: `c${i}`, image: "app:1", env: [{ name: "ERL_FLAGS", value: text }] })) },
    };
    const out = await findings([configMap, pod]);
    expect(out.rego).toEqual(out.typescript);
    for (const id of ["configMapCredentialAssignment", "configMapSetcookie", "configMapPrivateKey", "setcookieLiteral"]) {
      const n = out.rego!.filter((f) => f.includes(` ${id} `)).length;
      expect(n, id).toBeGreaterThan(0);
      expect(n, id).toBeLessThan(texts.length);
    }
  });
});
