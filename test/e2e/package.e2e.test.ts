// The library as its users get it: `npm pack`, installed into a scratch cdk8s app outside the repository;
// and the schema validation plugin run by the real cdk8s CLI.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { cleanup, workDir } from './harness';

const root = path.resolve(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));
afterAll(cleanup);

describe('the packed library', () => {
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    const out = workDir('pack');
    execFileSync('npm', ['pack', '--pack-destination', out, '--silent'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    tarball = path.join(out, fs.readdirSync(out).find(f => f.endsWith('.tgz'))!);
    files = execFileSync('tar', ['tzf', tarball]).toString().trim().split('\n').map(f => f.replace(/^package\//, ''));
  });

  test('holds the compiled library, its types and the validation plugin, and nothing of the tests, snapshots or dist/', () => {
    for (const f of ['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/registry.d.ts', 'build/imports/k8s.js', 'validation/kubernetes-schema.js', 'README.md', 'LICENSE']) {
      expect(files).toContain(f);
    }
    expect(files.filter(f => /^(test|__snapshots__|dist|examples|scripts)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(pkg.peerDependencies).toMatchObject({ 'cdk8s': expect.any(String), 'cdk8s-plus-27': expect.any(String), 'constructs': expect.any(String) });
    expect(pkg.dependencies.cdk8s).toBeUndefined();
  });

  test('a scratch app outside the repository installs it, type-checks against its types and synthesizes', () => {
    const app = workDir('consumer');
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball,
      `cdk8s@${pkg.devDependencies.cdk8s}`, `cdk8s-plus-27@${pkg.devDependencies['cdk8s-plus-27']}`, `constructs@${pkg.devDependencies.constructs}`],
    { cwd: app, encoding: 'utf8' });
    expect(install.stderr).toBe(install.status === 0 ? install.stderr : 'npm install succeeded');
    fs.writeFileSync(path.join(app, 'main.ts'), `
import { App, Chart } from 'cdk8s';
import { PrivateRegistry, RegistryStorage, SecretKey } from 'cdk8s-private-registry';

const app = new App();
const chart = new Chart(app, 'platform', { namespace: 'platform' });
new PrivateRegistry(chart, 'images', {
  registry: { replicas: 2, httpSecret: SecretKey.fromSecret('images-http', 'secret'), storage: RegistryStorage.s3({ bucket: 'images', region: 'eu-west-1' }) },
  discovery: true,
});
app.synth();
`);
    const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
    const compiled = spawnSync(tsc, ['--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'ES2022', '--skipLibCheck', 'main.ts'], { cwd: app, encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe('');
    const outdir = path.join(app, 'dist');
    const run = spawnSync('node', ['main.js'], { cwd: app, env: { ...process.env, CDK8S_OUTDIR: outdir }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const objects = parseAllDocuments(fs.readFileSync(path.join(outdir, 'platform.k8s.yaml'), 'utf8')).map(d => d.toJSON());
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Namespace/undefined/platform',
      'ConfigMap/platform/images-config', 'Deployment/platform/images', 'Service/platform/images', 'PodDisruptionBudget/platform/images',
      'ConfigMap/platform/images-proxy-config', 'DaemonSet/platform/images-proxy',
      'Deployment/platform/images-ui', 'Service/platform/images-ui',
      'ConfigMap/kube-public/local-registry-hosting',
    ]);
    // The module resolved from the scratch app's node_modules, not from this repository.
    const resolved = execFileSync('node', ['-p', 'require.resolve("cdk8s-private-registry")'], { cwd: app }).toString().trim();
    expect(resolved.startsWith(path.join(app, 'node_modules'))).toBe(true);
  });
});

describe('npm run validate: the schema plugin in the real cdk8s CLI', () => {
  function validate(entry?: string) {
    return spawnSync('bash', [path.join(root, 'scripts', 'validate.sh'), ...(entry ? [entry] : [])], { cwd: root, encoding: 'utf8' });
  }

  test('passes on the classic app', () => {
    const r = validate();
    expect(r.stdout + r.stderr).toMatch(/Validations ended succesfully/);
    expect(r.status).toBe(0);
  });

  test('fails on a broken object and names the construct that made it', () => {
    const r = validate('test/fixtures/broken-app.ts');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/Construct Path: broken\/web/);
    expect(r.stdout).toMatch(/must have required property containers/);
  });
});
