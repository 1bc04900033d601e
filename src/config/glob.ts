/**
 * Glob patterns matched in time linear in the text (times the pattern's length): the pattern is a small
 * automaton run over the text once, with a set of live states, so no pattern can make matching blow up
 * the way a backtracking regular expression does on `a*a*a*…b`.
 */

/** One step of a compiled pattern. */
type Token =
  | { kind: "char"; char: string }
  /** `?`: one character (not `/` in path mode). */
  | { kind: "one" }
  /** `*`: any run of characters (not crossing `/` in path mode). */
  | { kind: "star" }
  /** `**` in path mode: any run of characters, `/` included. */
  | { kind: "any" }
  /** Start of `**` then `/` in path mode (zero or more folders): skips them, or enters them. */
  | { kind: "folders" }
  /** Inside those folders: any character; after a `/`, the folders may end. */
  | { kind: "folder" };

/** How a glob is read. */
export interface GlobOptions {
  /**
   * Path mode: `*` and `?` do not match `/`, `**` as a whole segment matches across folders and `**` then `/`
   * matches zero or more folders. Without it, `*` matches any run of characters.
   */
  paths?: boolean;
}

function tokenize(pattern: string, paths: boolean): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "?") tokens.push({ kind: "one" });
    else if (c !== "*") tokens.push({ kind: "char", char: c });
    else {
      let end = i;
      while (pattern[end + 1] === "*") end++;
      const wholeSegment = (i === 0 || pattern[i - 1] === "/") && (end + 1 === pattern.length || pattern[end + 1] === "/");
      if (paths && end > i && wholeSegment) {
        if (pattern[end + 1] === "/") {
          tokens.push({ kind: "folders" }, { kind: "folder" });
          end++;
        } else tokens.push({ kind: "any" });
      } else tokens.push({ kind: "star" });
      i = end;
    }
  }
  return tokens;
}

/**
 * Compiles `pattern` into a matcher of whole texts. `*` matches any run of characters and `?` one
 * character; in path mode (see {@link GlobOptions}) neither crosses `/`, and `**` does. Every other
 * character, `[`, `{` and `\` included, matches itself.
 */
export function compileGlob(pattern: string, options: GlobOptions = {}): (text: string) => boolean {
  const paths = options.paths ?? false;
  const tokens = tokenize(pattern, paths);
  const accept = tokens.length;
  const consumes = (token: Token, c: string) => {
    if (token.kind === "char") return token.char === c;
    if (token.kind === "one" || token.kind === "star") return !paths || c !== "/";
    return token.kind !== "folders";
  };

  return (text) => {
    // Each step visits a state at most once (marked with the step's generation): O(pattern) per character.
    const mark = new Uint32Array(accept + 1);
    const pending = new Int32Array(2 * (accept + 1) + 1);
    let generation = 1;
    let next: number[] = [];
    /** Marks `state` live in `next`, with the states reachable from it without reading a character. */
    const enter = (state: number) => {
      let top = 0;
      pending[top++] = state;
      while (top) {
        const s = pending[--top]!;
        if (mark[s] === generation) continue;
        mark[s] = generation;
        next.push(s);
        const kind = tokens[s]?.kind;
        if (kind === "star" || kind === "any") pending[top++] = s + 1;
        else if (kind === "folders") {
          pending[top++] = s + 1;
          pending[top++] = s + 2;
        }
      }
    };
    enter(0);
    let current = next;
    for (const c of text) {
      generation++;
      next = [];
      for (const state of current) {
        if (state === accept) continue;
        const token = tokens[state]!;
        if (!consumes(token, c)) continue;
        if (token.kind === "star" || token.kind === "any") enter(state);
        else if (token.kind === "folder") {
          enter(state);
          if (c === "/") enter(state + 1);
        } else enter(state + 1);
      }
      if (!next.length) return false;
      current = next;
    }
    return current.includes(accept);
  };
}
