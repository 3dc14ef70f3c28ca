// Builds a JavaScript component with componentize-js, the one jco bundles (pinned by tools/jco's lock).
// Usage: node componentize.mjs <source.js> <wit dir> <world> <out.wasm>
import { writeFile } from 'node:fs/promises';
import { componentize } from '../jco/node_modules/@bytecodealliance/componentize-js/src/componentize.js';
import { _setPreopens } from '../jco/node_modules/@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js';

const [sourcePath, witPath, worldName, out] = process.argv.slice(2);
// componentize-js reads the WIT through preview2-shim, which since 0.26 gives no filesystem unless told.
_setPreopens({ '/': '/' });
// Without `http` and `fetch-event`, which would import wasi:http for StarlingMonkey's fetch.
const { component } = await componentize({ sourcePath, witPath, worldName, disableFeatures: ['http', 'fetch-event'] });
await writeFile(out, component);
