#!/usr/bin/env node
// The `app` command of cdk8s.yaml: runs main.ts (or the .ts file given) without type-checking (`npm test`
// type-checks). esbuild bundles the entry, this library and the packages it uses (the k8s types, yaml; not
// cdk8s and constructs) into one CommonJS file: one file to load instead of hundreds halves synth time. The bundle is
// cached in node_modules/.cache with the size and mtime of every file it was built from, so a changed source
// or an upgraded package rebuilds it and an unchanged app skips esbuild. Nothing is written next to the
// sources or into dist/. Stack traces name the TypeScript files and lines (an inline source map).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Module = require('module');

const root = path.resolve(__dirname, '..');
const entry = path.resolve(process.argv[2] || path.join(root, 'main.ts'));
const cacheDir = path.join(root, 'node_modules', '.cache', 'run-app');
// This script's own text is part of the key: changed build options never reuse an old bundle.
const key = crypto.createHash('sha256').update(entry).update(fs.readFileSync(__filename)).digest('hex').slice(0, 16);
const bundlePath = path.join(cacheDir, `${key}.js`);
const inputsPath = path.join(cacheDir, `${key}.inputs.json`);

function stamp(file) {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}` : 'missing';
}

function cachedBundle() {
  try {
    const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
    for (const [file, recorded] of Object.entries(inputs)) {
      if (stamp(file) !== recorded) return undefined;
    }
    return fs.readFileSync(bundlePath, 'utf8');
  } catch {
    return undefined;
  }
}

function build() {
  const { outputFiles, metafile } = require('esbuild').buildSync({
    entryPoints: [entry],
    bundle: true,
    // cdk8s loads a helper file from beside itself (Yaml.load of a URL, Include), and constructs must be the
    // one copy that cdk8s uses: both stay normal packages.
    external: ['cdk8s', 'constructs'],
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Source map paths are relative to the output's folder; node reads them relative to the entry's.
    outdir: path.dirname(entry),
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'error',
    absWorkingDir: root,
  });
  const code = outputFiles[0].text;
  const inputs = {};
  for (const input of Object.keys(metafile.inputs)) {
    const file = path.resolve(root, input);
    inputs[file] = stamp(file);
  }
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Write the bundle before the inputs list: a half-written cache is never taken as fresh.
    fs.writeFileSync(bundlePath, code);
    fs.writeFileSync(inputsPath, JSON.stringify(inputs));
  } catch {
    // A read-only node_modules only costs the cache.
  }
  return code;
}

const code = cachedBundle() ?? build();
const app = new Module(entry, module);
app.filename = entry;
app.paths = Module._nodeModulePaths(path.dirname(entry));
// Stack traces name the TypeScript sources and lines; __dirname and require resolve from the entry's folder.
process.setSourceMapsEnabled(true);
app._compile(code, entry);
