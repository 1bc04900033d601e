/**
 * Size and complexity limits of an admission request, checked before evaluation: an object past
 * them is denied with the limit it broke, never evaluated (evaluation time grows faster than
 * linearly with the number of containers, and a deep object would overflow a recursive walk).
 */

/** The limits of one request; every one is configurable with the `serve` flag of the same name. */
export interface RequestLimits {
  /** Bytes of the AdmissionReview body (`--max-body-bytes`). */
  maxBodyBytes: number;
  /** containers + initContainers + ephemeralContainers, over every pod template of the object (`--max-containers`). */
  maxContainers: number;
  /** Entries of every `volumes` list of the object (`--max-volumes`). */
  maxVolumes: number;
  /** Nesting of objects and arrays; the object itself is depth 1 (`--max-depth`). */
  maxDepth: number;
  /** Object keys plus array items, at every depth (`--max-nodes`). */
  maxNodes: number;
}

/**
 * The defaults. The API server takes request bodies up to 3 MiB, and the review of an UPDATE holds
 * the object and its old version, hence 6 MiB. The largest objects of the reference deployment have
 * 1 container, 4 volumes, depth 11 and 287 keys and items (live objects add `status` and
 * `managedFields`: a few levels and about twice the keys). A pod built to be slow within every limit
 * (100 privileged containers with credential env vars, 256 secret volumes: 7,000 findings) evaluates
 * in about 1 s on one core, well within the 8 s timeout; a reference object takes 1 to 10 ms.
 */
export const DEFAULT_LIMITS: Readonly<RequestLimits> = {
  maxBodyBytes: 6 * 1024 * 1024,
  maxContainers: 100,
  maxVolumes: 256,
  maxDepth: 64,
  maxNodes: 20_000,
};

/** The `serve` flag that sets each limit, named in every denial. */
export const LIMIT_FLAGS: Readonly<Record<keyof RequestLimits, string>> = {
  maxBodyBytes: "--max-body-bytes",
  maxContainers: "--max-containers",
  maxVolumes: "--max-volumes",
  maxDepth: "--max-depth",
  maxNodes: "--max-nodes",
};

const CONTAINER_FIELDS = new Set(["containers", "initContainers", "ephemeralContainers"]);

/** What an object holds, counted up to the first limit it exceeds (the walk stops there). */
export interface ObjectSize {
  containers: number;
  volumes: number;
  depth: number;
  nodes: number;
}

/** The first limit the object exceeds, as a sentence naming the count, the limit and its flag; undefined within every limit. */
export function exceededLimit(object: unknown, limits: RequestLimits): string | undefined {
  return walkLimits(object, limits).exceeded;
}

/** What one walk of an object tells: the first limit it exceeds, and (within every limit) whether a mapping at any depth holds a null-valued key. */
export interface LimitWalk {
  exceeded?: string;
  /** Only meaningful when no limit is exceeded: the walk stops at the first. */
  nullKey: boolean;
}

/**
 * exceededLimit, and whether the object holds a null-valued key (what stripNullKeys drops), in the same
 * walk: a review near the size limit is not walked a second time for its nulls.
 */
export function walkLimits(object: unknown, limits: RequestLimits): LimitWalk {
  const size: ObjectSize = { containers: 0, volumes: 0, depth: 0, nodes: 0 };
  let nullKey = false;
  const exceeded = (what: string, limit: keyof RequestLimits): LimitWalk => ({ exceeded: over(what, limits, limit), nullKey });
  const stack: Array<{ value: unknown; depth: number }> = [{ value: object, depth: 1 }];
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    size.depth = Math.max(size.depth, depth);
    if (size.depth > limits.maxDepth) return exceeded(`is nested at least ${size.depth} levels deep`, "maxDepth");
    // Keys and items counted before any is read, without a [key, value] pair per entry (a 20,000-key ConfigMap).
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    size.nodes += keys ? keys.length : (value as unknown[]).length;
    if (size.nodes > limits.maxNodes) return exceeded(`has at least ${size.nodes} keys and array items`, "maxNodes");
    if (!keys) {
      for (const child of value as unknown[])
        if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1 });
    } else
      for (const key of keys) {
        const child = (value as Record<string, unknown>)[key];
        if (child === null) nullKey = true;
        if (typeof child !== "object" || child === null) continue;
        if (Array.isArray(child)) {
          if (CONTAINER_FIELDS.has(key)) size.containers += child.length;
          else if (key === "volumes") size.volumes += child.length;
        }
        stack.push({ value: child, depth: depth + 1 });
      }
    if (size.containers > limits.maxContainers)
      return exceeded(`has ${size.containers} containers (containers, initContainers and ephemeralContainers)`, "maxContainers");
    if (size.volumes > limits.maxVolumes) return exceeded(`has ${size.volumes} volumes`, "maxVolumes");
  }
  return { nullKey };
}

/** The sentence for a body over `maxBodyBytes`. */
export function bodyTooLarge(limits: Pick<RequestLimits, "maxBodyBytes">): string {
  return `the request body exceeds the limit of ${limits.maxBodyBytes} bytes (${LIMIT_FLAGS.maxBodyBytes})`;
}

function over(what: string, limits: RequestLimits, limit: keyof RequestLimits): string {
  return `the object ${what}, over the limit of ${limits[limit]} (${LIMIT_FLAGS[limit]})`;
}
