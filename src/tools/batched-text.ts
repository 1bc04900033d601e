/** Joins pieces of text into chunks of at least `size` characters (the last one shorter), each a run of whole pieces: few writes. */
export function* batchedText(pieces: Iterable<string>, size = 1 << 20): Generator<string> {
  let held = "";
  for (const piece of pieces) {
    held += piece;
    if (held.length >= size) {
      yield held;
      held = "";
    }
  }
  if (held) yield held;
}
