// The part of scripts/run-app.js that lives inside a V8 start-up snapshot (`node --build-snapshot`): bundled with
// the app, run once when the snapshot is built, and its deserialize-main function is what `node --snapshot-blob`
// runs. Only Node's built-in modules are available while the snapshot is built.
import { App, Chart } from 'cdk8s';
import * as fs from 'fs';
import * as Module from 'module';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';

import { PrivateRegistry } from '../lib';

export interface SnapshotOptions {
  /** The app's entry: absolute, as scripts/run-app.js resolves process.argv[2]. */
  readonly entry: string;
  /** scripts/run-app.js: what a stale snapshot hands over to. */
  readonly runApp: string;
  /** `size:mtimeMs` of every file the bundle was built from, and of scripts/run-app.js. */
  readonly inputs: Record<string, string>;
  /** The file name V8 gives the snapshot's code in stack traces, and its source map (sources as absolute paths). */
  readonly scriptFile: string;
  readonly mapFile: string;
}

function stamp(file: string): string {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}` : 'missing';
}

/**
 * Runs the library's common path once (construct, validate, render, write) so that V8 compiles it now: the snapshot
 * keeps the compiled code and the real synth does not pay for it. Into a scratch folder, removed again; the app
 * object is dropped.
 */
function warmUp(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-app-warm-up-'));
  try {
    const app = new App({ outdir, recordConstructMetadata: false });
    new PrivateRegistry(new Chart(app, 'warm-up', { namespace: 'warm-up' }), 'registry', { registry: { nodePort: 31500 } });
    app.synth();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Stack traces name the TypeScript sources and lines, as `node --enable-source-maps` would: Node does not apply
 * source maps to code that comes from a snapshot, so frames of the snapshot's script are mapped here. The map is
 * read only when a stack trace is formatted.
 */
function mapStackTraces(scriptFile: string, mapFile: string): void {
  let map: Module.SourceMap | undefined;
  const where = (frame: NodeJS.CallSite): string => {
    const text = frame.toString();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (frame.getFileName() !== scriptFile || line === null || column === null) return text;
    try {
      map ??= new Module.SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8')));
    } catch {
      return text; // the cache was cleared meanwhile: the bundle's own lines
    }
    const entry = map.findEntry(line - 1, column - 1) as Partial<Module.SourceMapping>;
    if (!entry.originalSource) return text;
    const generated = `${scriptFile}:${line}:${column}`;
    const i = text.lastIndexOf(generated);
    const original = `${entry.originalSource}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
    return i < 0 ? text : text.slice(0, i) + original + text.slice(i + generated.length);
  };
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = '<error>';
    }
    return header + frames.map(f => `\n    at ${where(f)}`).join('');
  };
}

/** Called while the snapshot is built: warms the library up and sets what `node --snapshot-blob` runs. */
export function buildSnapshot(run: () => void, options: SnapshotOptions): void {
  try {
    warmUp();
  } catch {
    // A library change broke the warm-up: the snapshot runs slower, not wrong (`npm test` type-checks this file).
  }
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    // argv and execArgv as `node scripts/run-app.js <entry> ...` gives them: the app sees the same either way.
    process.argv.splice(1, 0, options.runApp);
    const flag = process.execArgv.indexOf('--snapshot-blob');
    if (flag >= 0) process.execArgv.splice(flag, 2);
    const requested = path.resolve(process.argv[2] ?? path.join(path.dirname(options.runApp), '..', 'main.ts'));
    const stale = requested !== options.entry || Object.entries(options.inputs).some(([file, recorded]) => stamp(file) !== recorded);
    if (stale) {
      // A changed source or package (or a blob of another entry): run-app.js builds a fresh bundle and snapshot and
      // runs the app from them.
      Module.createRequire(options.runApp)(options.runApp);
      return;
    }
    delete process.env.RUN_APP_SNAPSHOT; // for run-app.js alone: the app's own child processes never see it
    mapStackTraces(options.scriptFile, options.mapFile);
    run();
  });
}
