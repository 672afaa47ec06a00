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
  discoveryEnabled: true,
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

describe('the README\'s install steps, followed in a fresh app', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /<!-- install-steps:start -->\n```sh\n([\s\S]*?)```\n<!-- install-steps:end -->/.exec(readme);
  const steps = block ? block[1].trim().split('\n') : [];

  test('clone, pack, install, then cdk8s synth with the validation plugin: the objects come out and validate', () => {
    expect(steps).toHaveLength(4);
    // 1. The clone: this checkout stands for it (no network to a git host here), under the name the steps use.
    expect(steps[0]).toBe("git clone <this repository's URL> cdk8s-private-registry");
    const app = workDir('readme-app');
    fs.symlinkSync(root, path.join(app, 'cdk8s-private-registry'));
    // 2. `npm ci` already ran in this checkout (CI's first stage; running it again would pull node_modules away from
    //    under this test); `npm pack` runs as written.
    expect(steps[1]).toBe('(cd cdk8s-private-registry && npm ci && npm pack)');
    const tarball = path.join(root, `${pkg.name}-${pkg.version}.tgz`);
    try {
      const pack = spawnSync('bash', ['-c', '(cd cdk8s-private-registry && npm pack --silent)'], { cwd: app, encoding: 'utf8' });
      expect(pack.status).toBe(0);
      expect(fs.existsSync(tarball)).toBe(true);
      expect(steps[2]).toContain(`./cdk8s-private-registry/${pkg.name}-${pkg.version}.tgz`);
      // A fresh app, as `cdk8s init typescript-app` leaves one: package.json, tsconfig.json, cdk8s.yaml, main.ts.
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', private: true }));
      fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true,
          lib: ['es2020'], module: 'CommonJS', noEmitOnError: true, noFallthroughCasesInSwitch: true, noImplicitAny: true,
          noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true, resolveJsonModule: true,
          strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true, target: 'ES2020',
        },
        exclude: ['node_modules', 'cdk8s-private-registry'],
      }));
      // 3. and 4. as written.
      for (const step of steps.slice(2)) {
        const r = spawnSync('bash', ['-c', step], { cwd: app, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
        expect({ step, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ step, status: 0, stderr: '' });
      }
      const tsVersion = execFileSync('node', ['-p', 'require("typescript/package.json").version'], { cwd: app }).toString().trim();
      expect(tsVersion).toMatch(/^5\.9\./);
      fs.writeFileSync(path.join(app, 'main.ts'), `
import { App, Chart } from 'cdk8s';
import { PrivateRegistry, RegistryStorage } from 'cdk8s-private-registry';

const app = new App();
const chart = new Chart(app, 'platform', { namespace: 'platform' });
new PrivateRegistry(chart, 'images', { registry: { storage: RegistryStorage.persistentVolume({ size: '20Gi' }) } });
app.synth();
`);
      // The validations block exactly as the README shows it.
      const validations = /```yaml\n(validations:\n[\s\S]*?)```/.exec(readme)![1];
      fs.writeFileSync(path.join(app, 'cdk8s.yaml'), `language: typescript\napp: npx ts-node main.ts\n${validations}`);
      const synth = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth'], {
        cwd: app, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      });
      expect(synth.stdout + synth.stderr).toMatch(/Validations ended succesfully/);
      expect(synth.status).toBe(0);
      const objects = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'platform.k8s.yaml'), 'utf8')).map(d => d.toJSON());
      expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
        'Namespace/platform', 'PersistentVolumeClaim/images', 'ConfigMap/images-config', 'Deployment/images', 'Service/images',
        'ConfigMap/images-proxy-config', 'DaemonSet/images-proxy', 'Deployment/images-ui', 'Service/images-ui',
      ]);
    } finally {
      fs.rmSync(tarball, { force: true });
    }
  });
});
