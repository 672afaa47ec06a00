// The app command of cdk8s.yaml (scripts/run-app.sh, which runs the app from a V8 start-up snapshot that
// scripts/run-app.js builds): same output as the app itself, TypeScript names in stack traces, no stale snapshot.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

function runApp(command: string, args: string[], outdir: string) {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: outdir } });
  return { status: r.status, stderr: r.stderr };
}

describe('the app command', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'run-app-test-'));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('writes what dist/ holds, from the bundle and from the snapshot', () => {
    for (const run of ['first', 'second']) {
      const outdir = path.join(scratch, run);
      expect(runApp('sh', ['scripts/run-app.sh'], outdir)).toEqual({ status: 0, stderr: '' });
      expect(fs.readFileSync(path.join(outdir, 'registry.k8s.yaml'), 'utf8'))
        .toEqual(fs.readFileSync(path.join(root, 'dist', 'registry.k8s.yaml'), 'utf8'));
    }
  }, 60_000);

  test('stack traces of an error in the app name the TypeScript files and lines', () => {
    const entry = 'test/fixtures/throwing-app.ts';
    // run-app.js alone runs the bundle; run-app.sh twice runs the snapshot at least once.
    const runs = [runApp('node', ['scripts/run-app.js', entry], scratch), runApp('sh', ['scripts/run-app.sh', entry], scratch),
      runApp('sh', ['scripts/run-app.sh', entry], scratch)];
    for (const r of runs) {
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('Error: Registry at "c/registry": nodePort must be a whole number within 30000-32767');
      expect(r.stderr).toMatch(/\n {4}at new Registry \(.*\/lib\/registry\.ts:\d+:\d+\)\n/);
      expect(r.stderr).toContain(`(${path.join(root, entry)}:6:1)`);
    }
  }, 60_000);

  test('a changed source is never run from an old snapshot, even at the same size', () => {
    // Outside the project, so that its blob is the only one this test makes; it imports nothing to resolve. Each
    // run flips the version an earlier run left (one snapshot build per run instead of two).
    const entry = path.join(os.tmpdir(), 'run-app-test-stale', 'app.ts');
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    const write = (version: string) => fs.writeFileSync(entry,
      `import * as fs from 'fs';\nfs.writeFileSync(process.env.CDK8S_OUTDIR + '/out.txt', '${version}');\n`);
    const output = () => {
      expect(runApp('sh', ['scripts/run-app.sh', entry], scratch)).toEqual({ status: 0, stderr: '' });
      return fs.readFileSync(path.join(scratch, 'out.txt'), 'utf8');
    };
    const left = fs.existsSync(entry) ? /'(v[12])'/.exec(fs.readFileSync(entry, 'utf8'))?.[1] : undefined;
    const before = left ?? 'v1';
    const after = before === 'v1' ? 'v2' : 'v1';
    if (!left) write(before);
    expect(output()).toBe(before); // the snapshot of `before` exists after this
    write(after);
    // A different mtime even where the file system counts whole seconds.
    fs.utimesSync(entry, new Date(), new Date(Date.now() + 2000));
    expect([output(), output()]).toEqual([after, after]);
  }, 60_000);
});
