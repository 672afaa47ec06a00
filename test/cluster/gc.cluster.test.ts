// Garbage collection for real: the CronJob's Job run by the real API server, controllers and kubelet, with its own
// ServiceAccount and RBAC, against a registry on a hostPath PersistentVolume. Stand-ins (images.py): registry:2.8.3 is
// Debian's docker-registry 2.8.2 (with busybox sh, as the official alpine image has sh), and
// registry.k8s.io/kubectl is this suite's own kubectl 1.33 build.
import { Chart, Testing } from 'cdk8s';
import { execFile } from 'child_process';
import * as fs from 'fs';

import { Registry, RegistryProxyDaemonSet, RegistryStorage } from '../../lib';
import { Cluster, curl, NODE_IP } from './cluster';

const NS = 'gc-test';
const PV_DIR = `${process.env.CLUSTER_ROOT ?? '/var/tmp/cdk8s-registry-cluster'}/pv/gc`;
const NODE_PORT = 31502;
const HOST = `127.0.0.1:${NODE_PORT}`;
let cluster: Cluster;

beforeAll(() => { cluster = Cluster.boot(); }, 300_000);
afterAll(() => cluster?.stop(), 180_000);

function manifests(): string {
  const app = Testing.app();
  const chart = new Chart(app, 'gc', { namespace: NS });
  const registry = new Registry(chart, 'registry', {
    nodePort: NODE_PORT, deletion: true, garbageCollection: {},
    storage: RegistryStorage.persistentVolume({ size: '1Gi' }),
  });
  new RegistryProxyDaemonSet(chart, 'proxy', { registry, hostPort: 5000 });
  return app.synthYaml();
}

/** A hostPath PersistentVolume the registry's claim binds to (no StorageClass here); hostPath ignores fsGroup. */
function persistentVolume(): string {
  fs.mkdirSync(PV_DIR, { recursive: true });
  fs.chownSync(PV_DIR, 1000, 1000);
  return JSON.stringify({
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'gc-registry-data' },
    spec: {
      capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '', hostPath: { path: PV_DIR, type: 'Directory' },
    },
  });
}

/** Tries to start a blob upload every 300 ms until stopped; the HTTP status of each try (0: refused). */
function pushAttempts(): { stop: () => Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const status = await new Promise<number>(resolve => execFile('curl', ['-s', '-o', '/dev/null', '--max-time', '2', '-w', '%{http_code}',
        '-X', 'POST', '-H', 'Content-Length: 0', `http://${HOST}/v2/gc/race/blobs/uploads/`], (_e, out) => resolve(Number(out) || 0)));
      statuses.push(status);
      await new Promise(r => setTimeout(r, 300));
    }
  })();
  return { stop: async () => { running = false; await loop; return statuses; } };
}

describe('garbage collection on a real node', () => {
  let doomed: string[] = [];
  let kept: string[] = [];

  test('the registry runs on its PersistentVolume', async () => {
    await cluster.k('create', 'namespace', NS);
    await cluster.applyText(persistentVolume());
    await cluster.applyText(manifests());
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry', '--timeout=180s');
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/proxy', '--timeout=120s');
    expect(await cluster.k('-n', NS, 'get', 'pvc', 'registry', '-o', 'jsonpath={.status.phase} {.spec.volumeName}')).toBe('Bound gc-registry-data');
  });

  test('push two images, delete one manifest: its blobs are still stored', async () => {
    doomed = (await cluster.push(HOST, 'gc/doomed', '1', { randomBytes: 1 << 20 })).layers;
    kept = (await cluster.push(HOST, 'gc/kept', '1', { randomBytes: 1 << 20 })).layers;
    const head = await curl(`http://${HOST}/v2/gc/doomed/manifests/1`, ['-I', '-H', 'Accept: application/vnd.oci.image.manifest.v1+json']);
    const digest = /docker-content-digest: (\S+)/i.exec(head.body)![1];
    expect((await curl(`http://${HOST}/v2/gc/doomed/manifests/${digest}`, ['-X', 'DELETE'])).status).toBe(202);
    for (const layer of doomed) {
      expect((await curl(`http://${HOST}/v2/gc/doomed/blobs/${layer}`, ['-I'])).status).toBe(200);
    }
  });

  test('kubectl create job --from=cronjob/registry-gc succeeds with its own ServiceAccount; pushes are refused meanwhile', async () => {
    const before = (await curl(`http://${HOST}/v2/gc/race/blobs/uploads/`, ['-X', 'POST', '-H', 'Content-Length: 0'])).status;
    expect(before).toBe(202);
    const oldPod = await cluster.k('-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/component=registry', '-o', 'jsonpath={.items[0].metadata.name}');
    const attempts = pushAttempts();
    await cluster.k('-n', NS, 'create', 'job', '--from=cronjob/registry-gc', 'gc-now');
    await cluster.waitFor('job gc-now to complete', ['-n', NS, 'get', 'job', 'gc-now', '-o', 'jsonpath={.status.succeeded}{.status.failed}'],
      out => out !== '', 300_000);
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry', '--timeout=180s');
    const statuses = await attempts.stop();
    expect(await cluster.k('-n', NS, 'get', 'job', 'gc-now', '-o', 'jsonpath={.status.succeeded}')).toBe('1');
    const pod = await cluster.k('-n', NS, 'get', 'pods', '-l', 'job-name=gc-now', '-o', 'jsonpath={.items[0].metadata.name}');
    expect(await cluster.k('-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.spec.serviceAccountName}')).toBe('registry-gc');
    expect(await cluster.k('-n', NS, 'logs', pod, '-c', 'garbage-collect')).toMatch(/\d+ blobs marked, \d+ blobs and \d+ manifests eligible for deletion/);
    expect(await cluster.k('-n', NS, 'logs', pod, '-c', 'report')).toContain('registry garbage-collect exited with 0');
    // While the collector ran no registry pod served: uploads were refused, and accepted again afterwards.
    expect(statuses.filter(s => s !== 202).length).toBeGreaterThan(0);
    expect(statuses[0]).toBe(202);
    expect(statuses[statuses.length - 1]).toBe(202);
    // A new registry pod serves afterwards: no stale in-memory blob cache.
    const newPod = await cluster.k('-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/component=registry', '-o', 'jsonpath={.items[0].metadata.name}');
    expect(newPod).not.toBe(oldPod);
    expect(await cluster.k('-n', NS, 'get', 'deployment', 'registry', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
  });

  test('the deleted image\'s blobs are gone; the other image still pulls, by the node through the proxy', async () => {
    for (const layer of doomed) {
      expect((await curl(`http://${HOST}/v2/gc/doomed/blobs/${layer}`, ['-I'])).status).toBe(404);
    }
    for (const layer of kept) {
      expect((await curl(`http://${HOST}/v2/gc/kept/blobs/${layer}`, ['-I'])).status).toBe(200);
    }
    const { state, events } = await cluster.runPod('kept', 'localhost:5000/gc/kept:1', NS);
    expect(state).toBe('Running');
    expect(events.join('\n')).toContain('Successfully pulled image "localhost:5000/gc/kept:1"');
  });

  test('RBAC, asked of the API server: the job can scale its own registry and nothing else; no exec, no patch', async () => {
    const sa = `--as=system:serviceaccount:${NS}:registry-gc`;
    const can = async (...args: string[]) => (await cluster.kubectl(['auth', 'can-i', sa, ...args])).stdout.trim();
    // The one thing it may change: its own registry's replica count (also the control that can-i says yes).
    expect(await can('patch', 'deployments/registry', '--subresource=scale', '-n', NS)).toBe('yes');
    expect(await can('patch', 'deployments/other', '--subresource=scale', '-n', NS)).toBe('no');
    for (const ns of [NS, 'kube-system']) {
      expect(await can('create', 'pods/exec', '-n', ns)).toBe('no');
      expect(await can('create', 'pods', '--subresource=exec', '-n', ns)).toBe('no');
      expect(await can('patch', 'deployments/registry', '-n', ns)).toBe('no');
      expect(await can('update', 'deployments/registry', '-n', ns)).toBe('no');
      expect(await can('delete', 'pods', '-n', ns)).toBe('no');
      expect(await can('get', 'secrets', '-n', ns)).toBe('no');
      expect(await can('create', 'pods/eviction', '-n', ns)).toBe('no');
    }
    expect(await can('patch', 'deployments/registry', '--subresource=scale', '-n', 'kube-system')).toBe('no');
  });

  test('the NodePort answers on the node address too', async () => {
    expect((await curl(`http://${NODE_IP}:${NODE_PORT}/v2/`)).status).toBe(200);
  });
});
