#!/usr/bin/env node
// The `app` command of cdk8s.yaml. esbuild transpiles main.ts and this library into one module in
// memory (tens of milliseconds, no type-check: `npm test` type-checks) and node runs it. Packages
// in node_modules load as usual. Nothing is written next to the sources or into dist/.
'use strict';
const path = require('path');
const Module = require('module');
const esbuild = require('esbuild');

const entry = path.resolve(process.argv[2] || path.join(__dirname, '..', 'main.ts'));
const { outputFiles } = esbuild.buildSync({
  entryPoints: [entry],
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  write: false,
  logLevel: 'error',
});
const app = new Module(entry, module);
app.filename = entry;
app.paths = Module._nodeModulePaths(path.dirname(entry));
process.setSourceMapsEnabled?.(true);
app._compile(outputFiles[0].text, entry);
