/** The CLI run from the TypeScript sources (spawned by cli.test.ts with `node --import tsx`). */
import { run } from "../../src/cli/main.js";

await run(process.argv.slice(2));
