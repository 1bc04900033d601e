/**
 * The RE2 the bundled schema validators build their `pattern`s with (scripts/bundle-schemas.ts puts this
 * module in place of @kubernetes-models/validate's runtime/re2): re2-wasm's RE2, with Go's regexp syntax
 * and semantics (`(?i)` and the rest), compiled when a value is first tested. re2-wasm instantiates its
 * WebAssembly when it is loaded (~20 ms) and a validator module builds its patterns when it is loaded,
 * so every process and thread that loaded a kind with a pattern (PrometheusRule, AlertmanagerConfig)
 * paid ~40 ms, though few objects hold a field with one.
 */
import { createRequire } from "node:module";

interface Pattern {
  test(text: string): boolean;
  exec(text: string): unknown;
}

type PatternClass = new (pattern: string, flags?: string) => Pattern;

let re2: PatternClass | undefined;
/** How many patterns this thread has compiled (diagnostics; tests prove with it that loading a kind compiles none). */
let compiledCount = 0;

export function lazyPatternsCompiled(): number {
  return compiledCount;
}

export default class LazyRE2 implements Pattern {
  private compiled: Pattern | undefined;

  constructor(
    readonly source: string,
    readonly flags = "",
  ) {}

  private get pattern(): Pattern {
    if (!this.compiled) {
      re2 ??= (createRequire(import.meta.url)("re2-wasm") as { RE2: PatternClass }).RE2;
      this.compiled = new re2(this.source, this.flags);
      compiledCount++;
    }
    return this.compiled;
  }

  test(text: string): boolean {
    return this.pattern.test(text);
  }

  exec(text: string): unknown {
    return this.pattern.exec(text);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}
