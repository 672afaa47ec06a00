#!/usr/bin/env node
// Runs main.ts (or the .ts file given) without type-checking (`npm test` type-checks). esbuild bundles the entry
// with everything it imports (this library, cdk8s, constructs, yaml, the k8s types) into one CommonJS file: one file
// to load instead of hundreds. The bundle is cached in node_modules/.cache with the size and mtime of every file it
// was built from, so a changed source or an upgraded package rebuilds it and an unchanged app skips esbuild.
// Nothing is written next to the sources or into dist/. Stack traces name the TypeScript files and lines.
//
// Run through scripts/run-app.sh (the app command of cdk8s.yaml), which sets RUN_APP_SNAPSHOT, it also builds a V8
// start-up snapshot of the bundle there (`node --build-snapshot`, scripts/run-app-snapshot.ts): the next runs start
// with every module loaded and the library's code compiled. The snapshot checks the same stamps, plus this file's,
// before it runs the app, and hands over to this file when any changed.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const entry = path.resolve(process.argv[2] || path.join(root, 'main.ts'));
const snapshotBlob = process.env.RUN_APP_SNAPSHOT && path.resolve(process.env.RUN_APP_SNAPSHOT);
delete process.env.RUN_APP_SNAPSHOT; // the app's own child processes never build into this entry's snapshot
const cacheDir = path.join(root, 'node_modules', '.cache', 'run-app');
// This script's own text is part of the key: changed build options never reuse an old bundle.
const key = crypto.createHash('sha256').update(entry).update(fs.readFileSync(__filename)).digest('hex').slice(0, 16);
const bundlePath = path.join(cacheDir, `${key}.js`);
const mapPath = path.join(cacheDir, `${key}.js.map`);
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
    return { code: fs.readFileSync(bundlePath, 'utf8'), map: fs.readFileSync(mapPath, 'utf8'), inputs };
  } catch {
    return undefined;
  }
}

// Bundled code keeps Node's meaning of __dirname and __filename: each file's own (cdk8s runs a helper file that
// lies beside it, Yaml.load of a URL), not the bundle's.
const fileNames = {
  name: 'file-names',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, args => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
      const names = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
      // After a "use strict" directive, which must stay first; on the same line, so that lines keep their numbers.
      const directive = /^(\s*(['"])use strict\2;?)/.exec(text);
      const contents = directive ? directive[1] + names + text.slice(directive[1].length) : names + text;
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

// cdk8s-plus's k8s.js defines every Kubernetes type (2.5 MB of CommonJS, all of it loaded) where an app uses a
// dozen. Rewritten as an ES module whose declarations are pure, esbuild keeps only what the app uses. The file is
// generated, so its shape is regular: anything else (a statement of another kind, an export not found again) leaves
// the file as it is.
function k8sAsEsm(text) {
  const lines = text.split('\n');
  const out = ['"use strict";', 'import * as cdk8s_1 from "cdk8s";'];
  const declared = new Set();
  let exported; // the names of the file's `exports.A = exports.B = ... = void 0;`
  let i = 0;
  // One top-level statement: a line at column 0 and the indented or closing lines after it.
  const statement = () => {
    const start = i++;
    while (i < lines.length && (lines[i] === '' || /^[\s}]/.test(lines[i]))) i++;
    return lines.slice(start, i).join('\n');
  };
  // A class with the statements after it that set its static fields: one pure expression.
  let cls;
  const endClass = () => {
    if (!cls) return;
    out.push(`export const ${cls.name} = /* @__PURE__ */ (() => {\n${cls.body.join('\n')}\nreturn ${cls.name};\n})();`);
    declared.add(cls.name);
    cls = undefined;
  };
  const dropped = new Set(['"use strict";', 'Object.defineProperty(exports, "__esModule", { value: true });', 'const cdk8s_1 = require("cdk8s");']);
  let rtti; // `_a = JSII_RTTI_SYMBOL_1;` then `X[_a] = {...};`
  while (i < lines.length) {
    const line = lines[i];
    if (line === '' || line.startsWith('//')) {
      i++;
    } else if (line.startsWith('/*')) {
      while (i < lines.length && !lines[i].includes('*/', lines[i].startsWith('/*') ? 2 : 0)) i++;
      i++;
    } else if (/^[\s}]/.test(line)) {
      return undefined;
    } else {
      const s = statement();
      let m;
      if (dropped.has(s) || /^var _a(, _\w+)*;$/.test(s)) {
        continue;
      } else if (/^exports\.\w+ = (exports\.\w+ = )*void 0;$/.test(s)) {
        exported = new Set([...s.matchAll(/exports\.(\w+)/g)].map(x => x[1]));
      } else if (s === 'const JSII_RTTI_SYMBOL_1 = Symbol.for("jsii.rtti");') {
        out.push(s);
      } else if ((m = /^class (\w+) /.exec(s))) {
        endClass();
        cls = { name: m[1], body: [s] };
      } else if ((m = /^exports\.(\w+) = (\w+);$/.exec(s)) && m[1] === m[2] && (cls?.name === m[1] || declared.has(m[1]))) {
        continue;
      } else if ((m = /^(_\w+) = JSII_RTTI_SYMBOL_1;$/.exec(s))) {
        rtti = m[1];
      } else if (cls && (m = /^(\w+)\[(_\w+)\] = /.exec(s)) && m[1] === cls.name && m[2] === rtti) {
        cls.body.push(`${cls.name}[JSII_RTTI_SYMBOL_1] = ${s.slice(m[0].length)}`);
      } else if (cls && new RegExp(`^${cls.name}\\.\\w+ = `).test(s)) {
        cls.body.push(s);
      } else if ((m = /^function (\w+)\(/.exec(s))) {
        endClass();
        out.push(`export ${s}`);
        declared.add(m[1]);
      } else if ((m = /^var (\w+);$/.exec(s))) {
        // An enum: `var E; (function (E) {...})(E = exports.E || (exports.E = {}));`
        endClass();
        const name = m[1];
        const e = statement();
        const tail = `})(${name} = exports.${name} || (exports.${name} = {}));`;
        if (!e.startsWith(`(function (${name}) {`) || !e.endsWith(tail)) return undefined;
        out.push(`export const ${name} = /* @__PURE__ */ (() => {\nconst ${name} = {};\n${e.slice(0, -tail.length)}})(${name});\n` +
          `return ${name};\n})();`);
        declared.add(name);
      } else {
        return undefined;
      }
    }
  }
  endClass();
  if (!exported || exported.size !== declared.size || [...exported].some(n => !declared.has(n))) return undefined;
  return out.join('\n');
}

const k8sTreeShaking = {
  name: 'k8s-tree-shaking',
  setup(build) {
    build.onLoad({ filter: /[\\/]cdk8s-plus-\d+[\\/]lib[\\/]imports[\\/]k8s\.js$/ }, args => {
      const contents = k8sAsEsm(fs.readFileSync(args.path, 'utf8'));
      return contents === undefined ? undefined : { contents, loader: 'js' };
    });
  },
};

// A package that npm installed twice at one version (cdk8s bundles its own copy of yaml) is bundled once, the
// top-level copy: less code for every run to load. The nested copy's package.json stays an input.
function dedupe(extraInputs) {
  const packageDir = (file, name) => file.slice(0, file.lastIndexOf(`${path.sep}node_modules${path.sep}${name}${path.sep}`)) +
    `${path.sep}node_modules${path.sep}${name}`;
  const version = dir => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  return {
    name: 'dedupe',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async args => {
        if (args.pluginData?.dedupe || !args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const options = { kind: args.kind, pluginData: { dedupe: true } };
        const nested = await build.resolve(args.path, { ...options, resolveDir: args.resolveDir });
        const top = await build.resolve(args.path, { ...options, resolveDir: root });
        if (nested.errors.length || top.errors.length || nested.external || nested.path === top.path) return undefined;
        const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
        const nestedDir = packageDir(nested.path, name);
        const v = version(nestedDir);
        if (v === undefined || v !== version(packageDir(top.path, name))) return undefined;
        extraInputs.add(path.join(nestedDir, 'package.json'));
        return { path: top.path };
      });
    },
  };
}

async function build() {
  const extraInputs = new Set();
  // The entry runs when `run` is called, not when the bundle loads: a snapshot holds the loaded modules, not a run.
  const { outputFiles, metafile } = await require('esbuild').build({
    stdin: {
      contents: `exports.run = () => require(${JSON.stringify(entry)});\n` +
        `exports.buildSnapshot = (options) => require('./run-app-snapshot').buildSnapshot(exports.run, options);\n`,
      resolveDir: __dirname,
      sourcefile: 'run-app-entry.js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundlePath,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'error',
    absWorkingDir: root,
    plugins: [k8sTreeShaking, fileNames, dedupe(extraInputs)],
    minifyWhitespace: true,
    minifySyntax: true,
    lineLimit: 160, // short lines: Node prints the line of an uncaught error's throw site
  });
  const code = outputFiles.find(f => f.path.endsWith('.js')).text.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
  const map = JSON.parse(outputFiles.find(f => f.path.endsWith('.map')).text);
  map.sources = map.sources.map(s => path.resolve(cacheDir, s));
  const inputs = {};
  for (const input of [...Object.keys(metafile.inputs), ...extraInputs]) {
    const file = path.resolve(root, input);
    if (fs.existsSync(file)) inputs[file] = stamp(file);
  }
  const bundle = { code, map: JSON.stringify(map), inputs };
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // The inputs list last: a half-written cache is never taken as fresh.
    fs.writeFileSync(bundlePath, bundle.code);
    fs.writeFileSync(mapPath, bundle.map);
    fs.writeFileSync(inputsPath, JSON.stringify(inputs));
  } catch {
    // A read-only node_modules only costs the cache.
  }
  return bundle;
}

/**
 * Builds the snapshot into a temporary file and renames it into place: a blob is never seen half-written (node
 * crashes on one). Best effort: without a snapshot, run-app.sh runs this file, which is slower, not wrong.
 */
function buildSnapshot(bundle) {
  const dir = path.dirname(snapshotBlob);
  const scriptFile = `${snapshotBlob}.js`;
  // Named by its content: a snapshot still running while the next one is built keeps reading its own map.
  const mapName = `${path.basename(snapshotBlob)}.${crypto.createHash('sha256').update(bundle.map).digest('hex').slice(0, 16)}.map`;
  const options = {
    entry, runApp: __filename, scriptFile, mapFile: path.join(dir, mapName),
    inputs: { ...bundle.inputs, [__filename]: stamp(__filename) },
  };
  const tmp = `${snapshotBlob}.${process.pid}.tmp`;
  // A build that failed is not tried again for the same inputs: every synth would wait for it.
  const failedPath = `${snapshotBlob}.failed`;
  const attempt = crypto.createHash('sha256').update(JSON.stringify([options, process.version, process.execArgv, process.env.NODE_OPTIONS]))
    .digest('hex');
  try {
    if (fs.readFileSync(failedPath, 'utf8') === attempt) return;
  } catch {
    // no failed build recorded
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(options.mapFile, bundle.map);
    // On the bundle's first line, so that its lines keep their numbers for the source map.
    fs.writeFileSync(scriptFile, `const bundle = { exports: {} }; (function (exports, module) {${bundle.code}\n})(bundle.exports, bundle);\n` +
      `bundle.exports.buildSnapshot(${JSON.stringify(options)});\n`);
    // Nothing of the build reaches the app's output; only the first synth after a change waits for it.
    const r = spawnSync(process.execPath, ['--snapshot-blob', tmp, '--build-snapshot', scriptFile],
      { cwd: dir, stdio: 'ignore' });
    if (r.status !== 0) {
      fs.writeFileSync(failedPath, attempt);
      fs.rmSync(snapshotBlob, { force: true }); // a stale blob would only hand over to this file on every run
    } else {
      fs.rmSync(failedPath, { force: true });
      fs.renameSync(tmp, snapshotBlob);
      for (const f of fs.readdirSync(dir)) {
        if (f !== mapName && f.startsWith(`${path.basename(snapshotBlob)}.`) && f.endsWith('.map')) fs.rmSync(path.join(dir, f), { force: true });
      }
    }
  } catch {
    // A read-only node_modules only costs the snapshot.
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function run(bundle) {
  if (snapshotBlob) buildSnapshot(bundle);
  const app = new Module(path.join(cacheDir, `${key}.js`), module);
  app.filename = app.id;
  // Stack traces name the TypeScript sources and lines.
  process.setSourceMapsEnabled(true);
  app._compile(`${bundle.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(bundle.map).toString('base64')}`, app.filename);
  app.exports.run();
}

const cached = cachedBundle();
if (cached) {
  run(cached);
} else {
  // esbuild runs plugins only in its asynchronous API; errors stay uncaught exceptions, as the app's own are.
  build().then(b => process.nextTick(run, b), e => process.nextTick(() => { throw e; }));
}
