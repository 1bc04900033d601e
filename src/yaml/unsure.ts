/**
 * How the block-YAML readers give up: `unsure()` throws one shared `Unsure`, which a reader's entry
 * point catches to leave the input to `yaml` itself.
 */

/** Thrown where a reader is not certain to read the input exactly as `yaml` does. */
export class Unsure extends Error {}

const UNSURE = new Unsure("unsure");

/** Gives up on the current input (see `Unsure`). */
export function unsure(): never {
  throw UNSURE;
}
