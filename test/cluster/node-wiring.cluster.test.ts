// containerd registry config on a real node whose containerd has `config_path` set: a ContainerdRegistryHosts
// DaemonSet writes hosts.toml files, and the node's own containerd pulls `registry.local:5000/...` through the
// registry's NodePort and `docker.io/library/alpine` through an in-cluster pull-through cache, with no restart.
// Stand-ins (nothing leaves this machine): `registry:3.1.2` is the real registry 3.1.2; `busybox:1.37.0` is Debian's
// busybox-static; Docker Hub is a second in-cluster registry, `dockerhub.upstream.svc:5000`, that the cache's
// `pullThrough.remoteUrl` names instead of https://registry-1.docker.io. `registry.local` resolves nowhere on the node.
import { Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { ContainerdRegistryHosts, NodeRegistryEndpoint, PodSecurityLevel, Registry, RegistryNamespace, RegistryServiceType } from '../../lib';
import { Cluster, NODE_IP, STATE } from './cluster';

const CERTS_D = path.join(STATE, 'conf', 'certs.d');
const CONTAINERD_CONFIG = path.join(STATE, 'conf', 'containerd.toml');
const CONTAINERD_PID = '/run/cdk8s-registry-cluster/pids/containerd.pid';
const LOGS = '/tmp/cdk8s-registry-cluster-logs';
const NS = 'wiring';
let cluster: Cluster;

beforeAll(() => { cluster = Cluster.boot({ containerdConfigPath: CERTS_D }); }, 300_000);
afterAll(() => cluster?.stop(), 180_000);

const app = Testing.app();
const chart = new Chart(app, 'wiring', { namespace: NS });
new RegistryNamespace(chart, 'namespace', { name: NS, podSecurity: PodSecurityLevel.PRIVILEGED });
const registry = new Registry(chart, 'images', { nodePort: 31520 });
// The stand-in for Docker Hub, and the one cache of it (distribution mirrors one upstream per instance).
const upstream = new Registry(chart, 'dockerhub', { namespace: 'upstream', serviceType: RegistryServiceType.CLUSTER_IP });
const cache = new Registry(chart, 'dockerhub-cache', { nodePort: 31521, pullThrough: { remoteUrl: upstream.clusterUrl } });
const hosts = new ContainerdRegistryHosts(chart, 'registry-hosts', {
  hosts: [{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.nodePort(registry) }],
  mirrors: [{ upstream: 'docker.io', endpoint: NodeRegistryEndpoint.nodePort(cache) }],
  // This node keeps containerd's files under the suite's state directory instead of /etc/containerd.
  configPath: CERTS_D,
  containerdConfigFile: CONTAINERD_CONFIG,
  recheckSeconds: 2,
});
const manifests = app.synthYaml();

describe('containerd hosts.toml on a real node (config_path set, containerd 1.6)', () => {
  let containerdPid = '';
  let registryLayers: string[] = [];
  let alpineLayers: string[] = [];

  test('the registries run, and images are pushed: one to the registry, one to the Docker Hub stand-in', async () => {
    containerdPid = fs.readFileSync(CONTAINERD_PID, 'utf8').trim();
    await cluster.k('create', 'namespace', 'upstream');
    const manifestsWithoutHosts = manifests.split(/^---$/m).filter(d => !/name: registry-hosts$/m.test(d)).join('---');
    await cluster.applyText(manifestsWithoutHosts);
    for (const [ns, name] of [[NS, 'images'], ['upstream', 'dockerhub'], [NS, 'dockerhub-cache']]) {
      await cluster.k('-n', ns, 'rollout', 'status', `deployment/${name}`, '--timeout=180s');
    }
    registryLayers = await cluster.pushThroughPortForward(NS, 'images', 'wiring/app', '1');
    alpineLayers = await cluster.pushThroughPortForward('upstream', 'dockerhub', 'library/alpine', '3.20');
  });

  test('control: without the hosts.toml the node cannot pull registry.local:5000/...', async () => {
    const { state, events } = await cluster.runPod('before', 'registry.local:5000/wiring/app:1');
    expect(state).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(events.join('\n')).toContain('registry.local');
    await cluster.k('delete', 'pod', 'before', '--wait=false');
  });

  test('the DaemonSet passes its preflight, writes one hosts.toml per name with the node\'s address, and is Ready', async () => {
    await cluster.applyText(manifests);
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/registry-hosts', '--timeout=120s');
    const log = await cluster.k('-n', NS, 'logs', 'daemonset/registry-hosts');
    expect(log).toContain(`preflight ok: containerd's config_path includes ${CERTS_D}`);
    expect(log).toContain(`wrote ${CERTS_D}/registry.local:5000/hosts.toml: pulls of registry.local:5000 go to http://${NODE_IP}:31520`);
    expect(log).toContain(`wrote ${CERTS_D}/docker.io/hosts.toml: pulls of docker.io go to http://${NODE_IP}:31521`);
    for (const name of ['registry.local:5000', 'docker.io']) {
      expect(fs.readFileSync(path.join(CERTS_D, name, 'hosts.toml'), 'utf8')).toBe(hosts.hostsToml(name, NODE_IP));
    }
    // Only the listed directories: the pod mounts each one, not all of certs.d.
    expect(fs.readdirSync(CERTS_D).sort()).toEqual(['docker.io', 'registry.local:5000']);
  });

  test('the node pulls registry.local:5000/<image> through the registry\'s NodePort, containerd not restarted', async () => {
    const { state, events } = await cluster.runPod('named', 'registry.local:5000/wiring/app:1');
    expect({ state, events }).toMatchObject({ state: 'Running' });
    expect(events.join('\n')).toContain('Successfully pulled image "registry.local:5000/wiring/app:1"');
    const fetches = await cluster.layerFetches(NS, 'images', 'wiring/app', registryLayers);
    expect(fetches.filter(f => f.startsWith('no containerd GET'))).toEqual([]);
    // containerd read the files written after it started: the same process, never restarted.
    expect(fs.readFileSync(CONTAINERD_PID, 'utf8').trim()).toBe(containerdPid);
  });

  test('the node pulls docker.io/library/alpine through the in-cluster pull-through cache, which fetched it upstream', async () => {
    const { state, events } = await cluster.runPod('mirrored', 'docker.io/library/alpine:3.20');
    expect({ state, events }).toMatchObject({ state: 'Running' });
    expect(events.join('\n')).toContain('Successfully pulled image "docker.io/library/alpine:3.20"');
    // containerd asked the cache (not registry-1.docker.io, out of reach here) for every layer ...
    const fetches = await cluster.layerFetches(NS, 'dockerhub-cache', 'library/alpine', alpineLayers);
    expect(fetches.filter(f => f.startsWith('no containerd GET'))).toEqual([]);
    // ... and the cache fetched them from the upstream stand-in.
    const upstreamLog = await cluster.k('-n', 'upstream', 'logs', 'deployment/dockerhub');
    for (const layer of alpineLayers) expect(upstreamLog).toContain(`GET /v2/library/alpine/blobs/${layer}`);
    expect(fs.readFileSync(CONTAINERD_PID, 'utf8').trim()).toBe(containerdPid);
  });

  test('a removed or edited hosts.toml is put back at the next check', async () => {
    const file = path.join(CERTS_D, 'registry.local:5000', 'hosts.toml');
    const expected = hosts.hostsToml('registry.local:5000', NODE_IP);
    fs.rmSync(file);
    fs.writeFileSync(path.join(CERTS_D, 'docker.io', 'hosts.toml'), 'server = "https://registry-1.docker.io"\n');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(fs.existsSync(file) && fs.readFileSync(path.join(CERTS_D, 'docker.io', 'hosts.toml'), 'utf8').includes('[host.'))) {
      await new Promise(res => setTimeout(res, 500));
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    expect(fs.readFileSync(path.join(CERTS_D, 'docker.io', 'hosts.toml'), 'utf8')).toBe(hosts.hostsToml('docker.io', NODE_IP));
    const log = await cluster.k('-n', NS, 'logs', 'daemonset/registry-hosts');
    expect(log.split('\n').filter(l => l.startsWith(`wrote ${CERTS_D}/registry.local:5000/hosts.toml`))).toHaveLength(2);
    expect(await cluster.k('-n', NS, 'get', 'daemonset', 'registry-hosts', '-o', 'jsonpath={.status.numberReady}')).toBe('1');
  });

  test('control: a hosts.toml with only `server` (no [host] table) is refused by containerd 1.6, which then pulls the default server', async () => {
    const dir = path.join(CERTS_D, 'serveronly.local:5000');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'hosts.toml'), `server = "http://${NODE_IP}:31520"\n`);
    const { state } = await cluster.runPod('server-only', 'serveronly.local:5000/wiring/app:1');
    expect(state).toMatch(/ErrImagePull|ImagePullBackOff/);
    const log = fs.readFileSync(path.join(LOGS, 'containerd.log'), 'utf8');
    expect(log).toMatch(/failed to decode hosts.toml" error="invalid `host` tree"/);
    expect(log).toContain('Head \\"https://serveronly.local:5000/v2/wiring/app/manifests/1\\"');
  });

  test('a writer whose configPath is not in containerd\'s config_path refuses, names both, and writes nothing', async () => {
    const other = path.join(STATE, 'conf', 'other.d');
    const app2 = Testing.app();
    new ContainerdRegistryHosts(new Chart(app2, 'other', { namespace: NS }), 'other-hosts', {
      hosts: [{ host: 'other.local:5000', endpoint: NodeRegistryEndpoint.fromUrl(`http://${NODE_IP}:31520`) }],
      configPath: other,
      containerdConfigFile: CONTAINERD_CONFIG,
    });
    await cluster.applyText(app2.synthYaml());
    const log = await cluster.waitFor('the writer to refuse', ['-n', NS, 'logs', 'daemonset/other-hosts'], out => out.includes('preflight failed'), 60_000);
    expect(log.trim()).toBe(`preflight failed: containerd's config_path in ${CONTAINERD_CONFIG} is "${CERTS_D}", which does not include ` +
      `${other}, where this DaemonSet writes; set its configPath to a directory of config_path; nothing was written.`);
    expect(fs.existsSync(path.join(other, 'other.local:5000', 'hosts.toml'))).toBe(false);
  });
});
