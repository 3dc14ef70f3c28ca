// Builds a JavaScript component with componentize-js, the one jco bundles (pinned by tools/jco's lock).
// Usage: node componentize.mjs <source.js> <wit dir> <world> <out.wasm>
import { writeFile } from 'node:fs/promises';
import { componentize } from '../jco/node_modules/@bytecodealliance/componentize-js/src/componentize.js';

const [sourcePath, witPath, worldName, out] = process.argv.slice(2);
// Without `http` and `fetch-event`, which would import wasi:http for StarlingMonkey's fetch.
const { component } = await componentize({ sourcePath, witPath, worldName, disableFeatures: ['http', 'fetch-event'] });
await writeFile(out, component);
