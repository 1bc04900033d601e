/** Kubernetes resource quantities (`500m`, `2Gi`, `1e3`) as numbers: the API server rewrites them in canonical form. */

const SUFFIXES: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity (a number, or a string with a decimal SI, binary SI or exponent suffix); undefined if it is none. */
export function quantityValue(quantity: unknown): number | undefined {
  if (typeof quantity === "number") return quantity;
  if (typeof quantity !== "string") return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/.exec(quantity.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  return match[2] ? number * 10 ** Number(match[2].slice(1)) : number * SUFFIXES[match[3] ?? ""]!;
}

/** `resources` with every limit and request replaced by its value (unparseable ones kept), for comparison. */
export function normalizedResources(resources: unknown): unknown {
  if (resources === null || typeof resources !== "object" || Array.isArray(resources)) return resources;
  const out: Record<string, unknown> = { ...(resources as Record<string, unknown>) };
  for (const key of ["limits", "requests"]) {
    const values = out[key];
    if (values && typeof values === "object" && !Array.isArray(values))
      out[key] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, quantityValue(v) ?? v]));
  }
  return out;
}
