import { run } from "/work/main/src/cli/main.ts";
await run(process.argv.slice(2));
