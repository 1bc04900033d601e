#!/usr/bin/env node
import module from "node:module";

// Node >= 22.1 keeps the compiled code of our modules between runs (in the OS temp folder); older Node skips it.
module.enableCompileCache?.();
import("../dist/cli/main.js").then((cli) => cli.run(process.argv.slice(2)));
