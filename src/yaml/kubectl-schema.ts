/**
 * Scalars as kubectl reads them. kubectl, helm install and the API server decode YAML with
 * sigs.k8s.io/yaml, over go-yaml v2 (go.yaml.in/yaml/v2), into untyped JSON: YAML 1.1 booleans and
 * nulls, but numbers by Go's own rules and no timestamps. `yaml`'s YAML 1.1 schema differs from it:
 * `2024-01-01` is a Date there and the string "2024-01-01" to kubectl, `1:20` (sexagesimal) 80 and
 * "1:20", `0o17` a string and 15, `.` NaN and ".", `!!binary aGk=` bytes and "hi", `!!omap`/`!!set` a Map
 * or Set where kubectl keeps a list or a map with null values. An audit that reads another value than the
 * cluster receives judges another object, so every reader of manifests (the loader, its fast path, the
 * finding locator) takes its tags from here.
 */
import { Document, type Tags } from "yaml";

type ScalarTag = {
  tag: string;
  default?: boolean | "key";
  test?: RegExp;
  collection?: string;
  resolve: (value: string, onError: (message: string) => void) => unknown;
  identify?: (value: unknown) => boolean;
};

const BASE = new Document(null, { version: "1.1" }).schema.tags as unknown as ScalarTag[];
const byTag = (tag: string, collection?: string) => BASE.find((t) => t.tag === tag && t.collection === collection)!;
const MAP = byTag("tag:yaml.org,2002:map", "map");
const SEQ = byTag("tag:yaml.org,2002:seq", "seq");
const STR = byTag("tag:yaml.org,2002:str");
const KEPT = BASE.filter((t) => ["tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:merge"].includes(t.tag));

/** Go's `time.Parse` layouts go-yaml v2 tries (`parseTimestamp`); a match stays the text itself in untyped decoding. */
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]| )[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})?)?$/;
/** go-yaml v2's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: Record<string, number> = {
  ".nan": NaN,
  ".NaN": NaN,
  ".NAN": NaN,
  ".inf": Infinity,
  ".Inf": Infinity,
  ".INF": Infinity,
  "+.inf": Infinity,
  "+.Inf": Infinity,
  "+.INF": Infinity,
  "-.inf": -Infinity,
  "-.Inf": -Infinity,
  "-.INF": -Infinity,
};

/** Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: a sign, then 0x, 0o, 0b, a leading 0 (octal) or decimal digits. */
function goParseInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  const digits = /^0[xXoObB]/.test(body) ? body : body.length > 1 && body[0] === "0" ? `0o${body.slice(1)}` : body;
  const value = BigInt(digits.replace(/^0X/, "0x").replace(/^0O/, "0o").replace(/^0B/, "0b"));
  const signed = m[1] === "-" ? -value : value;
  if (signed < -(2n ** 63n) || signed > 2n ** 64n - 1n || (m[1] === "-" && value > 2n ** 63n)) return undefined;
  return Number(signed);
}

/** What go-yaml v2 resolves an untagged plain scalar starting with a digit, a sign or a dot to (its `resolve`). */
function goNumber(source: string): unknown {
  if (source in SPECIAL_FLOATS) return SPECIAL_FLOATS[source];
  if (source.startsWith(".")) return /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/.test(source) ? Number(source) : source;
  if (TIMESTAMP.test(source)) return source;
  const plain = source.replaceAll("_", "");
  const int = goParseInt(plain);
  if (int !== undefined) return int;
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  return source;
}

/** Untagged plain scalars that start as a number may: resolved as go-yaml v2 does, a string when it finds no number. */
const NUMBER: ScalarTag = {
  tag: "tag:yaml.org,2002:int",
  default: true,
  test: /^[-+.0-9]/,
  resolve: (value) => goNumber(value),
  identify: () => false,
};

/** `!!int` and `!!float` written out: the number go-yaml v2 reads, else the error it gives. */
const explicitNumber = (tag: string): ScalarTag => ({
  tag,
  default: false,
  resolve: (value, onError) => {
    const number = goNumber(value);
    if (typeof number !== "number") onError(`cannot decode ${value} as a ${tag.split(":").pop()}`);
    return number;
  },
  identify: () => false,
});

/** `!!binary`: the base64 decoded to text (line breaks ignored, as Go's decoder does), as sigs.k8s.io/yaml gives it. */
const BINARY: ScalarTag = {
  tag: "tag:yaml.org,2002:binary",
  default: false,
  resolve: (value, onError) => {
    const clean = value.replace(/[\r\n]/g, "");
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean))
      onError("!!binary value contains invalid base64 data");
    return Buffer.from(clean, "base64").toString("utf8");
  },
  identify: () => false,
};

/** `!!omap`, `!!pairs` (a list) and `!!set` (a mapping) keep their plain shape: go-yaml v2 ignores these tags. */
const renamed = (base: ScalarTag, tag: string): ScalarTag => ({ ...base, tag, default: false, identify: () => false });

/** The tags every manifest reader passes to `yaml` (`customTags`, with `version: "1.1"`). */
export const KUBECTL_TAGS = [
  MAP,
  SEQ,
  STR,
  ...KEPT,
  explicitNumber("tag:yaml.org,2002:int"),
  explicitNumber("tag:yaml.org,2002:float"),
  NUMBER,
  BINARY,
  renamed(SEQ, "tag:yaml.org,2002:omap"),
  renamed(SEQ, "tag:yaml.org,2002:pairs"),
  renamed(MAP, "tag:yaml.org,2002:set"),
] as unknown as Tags;

/** The `yaml` options that make it read scalars as kubectl does. */
export const KUBECTL_YAML = { version: "1.1", customTags: () => KUBECTL_TAGS } as const;
