// imports/k8s.ts is generated (npm run import-k8s): the committed file must be exactly what the script writes for
// the k8s@ version in cdk8s.yaml, so a hand edit or a cdk8s-cli upgrade that changes the output shows up here.
// Needs Go and k8s.io/kubernetes in the Go module cache (CI fills it before the unit tests: .ci/run).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

/** Runs `scripts/import-k8s.sh --check file`: its exit status and what it printed. */
function check(file: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync('bash', ['scripts/import-k8s.sh', '--check', file], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output };
  } catch (e) {
    const err = e as { stdout: string; stderr: string };
    return { ok: false, output: err.stdout + err.stderr };
  }
}

describe('imports/k8s.ts', () => {
  test('is what scripts/import-k8s.sh generates for the k8s@ version of cdk8s.yaml', () => {
    const result = check('imports/k8s.ts');
    expect(result.output).toContain('imports/k8s.ts matches k8s@1.27.0');
    expect(result.ok).toBe(true);
  }, 30_000);

  test('is the generated API, not a re-export of another package\'s internals', () => {
    const text = fs.readFileSync(path.join(root, 'imports', 'k8s.ts'), 'utf8');
    expect(text).not.toMatch(/from '[^.'][^']*\/lib\//);
    expect(text).toContain('export class KubeDeployment extends ApiObject');
  });

  test('negative control: an edited copy fails the check, naming the fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-test-'));
    try {
      const edited = path.join(dir, 'k8s.ts');
      fs.writeFileSync(edited, fs.readFileSync(path.join(root, 'imports', 'k8s.ts'), 'utf8').replace('KubeDeployment', 'KubeDeploy'));
      const result = check(edited);
      expect(result.ok).toBe(false);
      expect(result.output).toContain(`${edited} differs from what 'npm run import-k8s' generates for k8s@1.27.0; run it and commit`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
