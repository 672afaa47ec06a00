// The schema validation plugin (validation/kubernetes-schema.js) as a user's cdk8s synth loads it: with the
// kubernetes-models package installed, and without it, where it must say what to install instead of failing every object.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const plugin = path.join(root, 'validation', 'kubernetes-schema.js');

/** Runs the plugin from `pluginPath` on one manifest in a child process; the report it submitted. */
function runPlugin(pluginPath: string, manifest: string): { status: string; violations: any[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
  const manifestPath = path.join(dir, 'app.k8s.yaml');
  fs.writeFileSync(manifestPath, manifest);
  const script = `
    const { KubernetesSchemaValidation } = require(${JSON.stringify(pluginPath)});
    const violations = [];
    let status;
    const report = { addViolation: v => violations.push(v), submit: s => { status = s; } };
    new KubernetesSchemaValidation().validate({ manifests: [${JSON.stringify(manifestPath)}], report })
      .then(() => console.log(JSON.stringify({ status, violations })));`;
  const r = spawnSync('node', ['-e', script], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n';

describe('the schema validation plugin', () => {
  test('with kubernetes-models installed, a valid object passes and a broken one fails (the control)', () => {
    expect(runPlugin(plugin, configMap)).toEqual({ status: 'success', violations: [] });
    const broken = runPlugin(plugin, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n');
    expect(broken.status).toBe('failure');
    expect(broken.violations[0].recommendation).toMatch(/must have required property containers/);
  });

  test('without kubernetes-models it reports once what to install, not "no schema" for every object', () => {
    // The plugin as it sits in a user's node_modules/cdk8s-private-registry/validation, with yaml but no kubernetes-models.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-models-'));
    fs.mkdirSync(path.join(dir, 'validation'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.copyFileSync(plugin, path.join(dir, 'validation', 'kubernetes-schema.js'));
    fs.symlinkSync(path.join(root, 'node_modules', 'yaml'), path.join(dir, 'node_modules', 'yaml'));
    try {
      const report = runPlugin(path.join(dir, 'validation', 'kubernetes-schema.js'), configMap.repeat(1) + '---\n' + configMap);
      expect(report.status).toBe('failure');
      expect(report.violations).toHaveLength(1);
      expect(report.violations[0].recommendation).toBe('the schema validation plugin needs the kubernetes-models package, which is not installed');
      expect(report.violations[0].fix).toBe('install it next to cdk8s-private-registry: npm install --save-dev kubernetes-models@^4.5.1');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one validator for the tests and for users', () => {
   
  const { objectProblems } = require('../validation/kubernetes-schema');

  test('a ServiceMonitor whose endpoints name no port fails, as the Prometheus Operator CRD refuses it (negative control)', () => {
    const monitor = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm' } };
    expect(objectProblems({ ...monitor, spec: { selector: { matchLabels: { a: 'b' } }, endpoints: [{ path: '/metrics' }] } }))
      .toEqual(['spec.endpoints[].port is required']);
    expect(objectProblems({ ...monitor, spec: { selector: { matchLabels: { a: 'b' } }, endpoints: [{ port: 'metrics' }] } })).toEqual([]);
  });

  test('the test helper reports exactly what the shipped plugin reports', () => {
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: {} } } };
     
    const { schemaProblems } = require('./util');
    expect(schemaProblems([broken])).toEqual(objectProblems(broken).map((p: string) => `Deployment broken: ${p}`));
    expect(objectProblems(broken).length).toBeGreaterThan(0);
  });
});
