// The first tutorial, literally, on a real node: `kubectl apply -f dist/`, then what the tutorial checks, then a pull
// of localhost:5000/<image> by the node's own containerd through the hostPort proxy.
// Stand-ins (public registries are out of reach; see images.py): registry:2.8.3 is Debian's docker-registry 2.8.2,
// nginx-unprivileged is Debian's nginx 1.22 as uid 101, and joxit/docker-registry-ui is NOT the UI but a page
// server, so only what the manifests decide for the UI (admission, probes, Service, NodePort 31000) is checked.
import * as path from 'path';

import { Cluster, curl, NODE_IP } from './cluster';

const DIST = path.resolve(__dirname, '..', '..', 'dist');
const NS = 'kube-system';
let cluster: Cluster;

beforeAll(() => { cluster = Cluster.boot(); }, 300_000);
afterAll(() => cluster?.stop(), 180_000);

const pushThroughPortForward = (tag: string) =>
  cluster.pushThroughPortForward(NS, 'registry-docker-registry', 'tutorial/hello', tag);
const runFromLocalhost = (name: string, image: string) => cluster.runPod(name, image);

describe('the first tutorial on a real node: kubectl apply -f dist/', () => {
  let pushedLayers: string[] = [];

  test('kubectl apply -f dist/ creates the objects, with no StorageClass in the cluster', async () => {
    expect((await cluster.k('get', 'storageclass', '-o', 'name')).trim()).toBe('');
    const out = await cluster.applyFile(DIST);
    expect(out).toContain('deployment.apps/registry-docker-registry created');
    expect(out).toContain('daemonset.apps/kube-registry-proxy created');
    expect(out).toContain('service/registry-ui created');
  });

  test('Deployment registry-docker-registry becomes Available (kubectl rollout status)', async () => {
    const out = await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry-docker-registry', '--timeout=180s');
    expect(out).toContain('successfully rolled out');
    await cluster.k('-n', NS, 'wait', '--for=condition=Available', 'deployment/registry-docker-registry', '--timeout=60s');
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/kube-registry-proxy', '--timeout=120s');
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry-ui-deployment', '--timeout=120s');
  });

  test('kubectl get service -n kube-system shows 5000:31500/TCP and 80:31000/TCP', async () => {
    const out = await cluster.k('get', 'service', '-n', NS);
    expect(out).toMatch(/registry-docker-registry\s+NodePort\s+\S+\s+<none>\s+5000:31500\/TCP/);
    expect(out).toMatch(/registry-ui\s+NodePort\s+\S+\s+<none>\s+80:31000\/TCP/);
  });

  test('curl <node>:31500/v2/_catalog answers {"repositories":[]}', async () => {
    for (const host of [NODE_IP, '127.0.0.1']) {
      const r = await curl(`http://${host}:31500/v2/_catalog`);
      expect({ status: r.status, body: r.body.trim() }).toEqual({ status: 200, body: '{"repositories":[]}' });
    }
  });

  test('the UI stand-in answers through NodePort 31000 (routing and probes only: not the joxit UI)', async () => {
    const r = await curl(`http://${NODE_IP}:31000/`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('stand-in for joxit/docker-registry-ui');
    const ready = await cluster.k('-n', NS, 'get', 'deployment', 'registry-ui-deployment', '-o', 'jsonpath={.status.readyReplicas}');
    expect(ready).toBe('1');
  });

  test('a push through kubectl port-forward, then the node pulls localhost:5000/<image> through the proxy', async () => {
    pushedLayers = await pushThroughPortForward('1');
    const { state, events } = await runFromLocalhost('hello', 'localhost:5000/tutorial/hello:1');
    expect(state.trim()).toBe('Running');
    expect(events.join('\n')).toMatch(/Pulled: Successfully pulled image "localhost:5000\/tutorial\/hello:1"/);

    // The registry saw the node's containerd fetch every layer, from the proxy pod's address.
    const proxyIp = await cluster.podIp(NS, 'app.kubernetes.io/component=node-proxy');
    expect(proxyIp).toMatch(/^10\.244\.0\.\d+$/);
    const fetches = await cluster.layerFetches(NS, 'registry-docker-registry', 'tutorial/hello', pushedLayers);
    expect(fetches).toEqual(pushedLayers.map(() => proxyIp));
  });

  test('a Service named registry-auth in the namespace does not stop the registry from starting', async () => {
    await cluster.k('-n', NS, 'create', 'service', 'clusterip', 'registry-auth', '--tcp=5000:5000');
    await cluster.k('-n', NS, 'create', 'service', 'clusterip', 'registry-storage', '--tcp=5000:5000');
    await cluster.k('-n', NS, 'rollout', 'restart', 'deployment/registry-docker-registry');
    const out = await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry-docker-registry', '--timeout=120s');
    expect(out).toContain('successfully rolled out');
    expect((await curl(`http://${NODE_IP}:31500/v2/`)).status).toBe(200);
  });

  test('negative control: the same pod with service links on exits at start, as the issue saw', async () => {
    const deployment = JSON.parse(await cluster.k('-n', NS, 'get', 'deployment', 'registry-docker-registry', '-o', 'json'));
    const spec = { ...deployment.spec.template.spec, enableServiceLinks: true, restartPolicy: 'Never' };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'registry-with-service-links', namespace: NS }, spec };
    await cluster.applyText(JSON.stringify(pod));
    const phase = await cluster.waitFor('the control pod to exit', ['-n', NS, 'get', 'pod', pod.metadata.name, '-o', 'jsonpath={.status.phase}'],
      out => out === 'Failed' || out === 'Succeeded', 90_000);
    expect(phase).toBe('Failed');
    const log = await cluster.k('-n', NS, 'logs', pod.metadata.name);
    expect(log).toMatch(/cannot unmarshal|tcp:\/\//);
    await cluster.k('-n', NS, 'delete', 'pod', pod.metadata.name, '--wait=false');
    await cluster.k('-n', NS, 'delete', 'service', 'registry-auth', 'registry-storage');
  });

  test('negative control: without its hostPort the proxy cannot serve the node, and the pull fails', async () => {
    // A tag the node has never pulled, so the kubelet must fetch it.
    await pushThroughPortForward('2');
    await cluster.k('-n', NS, 'patch', 'daemonset', 'kube-registry-proxy', '--type=json', '-p', JSON.stringify([
      { op: 'remove', path: '/spec/template/spec/containers/0/ports/0/hostPort' },
      { op: 'remove', path: '/spec/template/spec/containers/0/ports/0/hostIP' },
    ]));
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/kube-registry-proxy', '--timeout=120s');
    const failed = await runFromLocalhost('hello-no-hostport', 'localhost:5000/tutorial/hello:2');
    expect(failed.state).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(failed.events.join('\n')).toMatch(/localhost:5000.*(connection refused|dial tcp)/);

    // Re-applying dist/ restores the hostPort, and the same pull works again.
    await cluster.applyFile(DIST);
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/kube-registry-proxy', '--timeout=120s');
    const again = await runFromLocalhost('hello-again', 'localhost:5000/tutorial/hello:2');
    expect(again.state.trim()).toBe('Running');
  });
});
