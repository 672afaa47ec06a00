// The production options of `Registry`, run by the real registry, nginx, redis-server, htpasswd and skopeo.
import { Chart, Testing } from 'cdk8s';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { Registry, RegistryAuth, RegistryCache, RegistryProxyDaemonSet, RegistryStorage, RegistryTls, RegistryVersion, SecretKey } from '../../lib';
import { container, find, KubeObject, synthValidated } from '../util';
import { cleanup, freePort, REGISTRY, request, requireRegistry, requireTools, start, startProxy, startRegistry, workDir } from './harness';
import { clearSkopeoCache, makeImage, makeMultiArchImage, pull, push, pushAll, readImage } from './images';

beforeAll(() => (requireRegistry(), requireTools(['nginx', 'skopeo', 'htpasswd', 'redis-server', 'redis-cli', 'openssl'])));
afterAll(cleanup);

/** A Registry (and its proxy) with `props`, synthesized; the generated config.yml, nginx.conf and objects. */
function synth(props: ConstructorParameters<typeof Registry>[2]) {
  const app = Testing.app();
  const chart = new Chart(app, 'prod', { namespace: 'prod' });
  const registry = new Registry(chart, 'registry', { version: REGISTRY.version, ...props });
  new RegistryProxyDaemonSet(chart, 'proxy', { registry });
  const objects: KubeObject[] = synthValidated(app);
  return {
    objects,
    configYaml: find(objects, 'ConfigMap', 'registry-config').data['config.yml'] as string,
    nginxConf: find(objects, 'ConfigMap', 'proxy-config').data['nginx.conf'] as string,
    deployment: find(objects, 'Deployment', 'registry'),
  };
}

describe(`${REGISTRY.label}: htpasswd auth`, () => {
  const { configYaml, nginxConf } = synth({ auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('registry-users', 'htpasswd') }) });
  let htpasswdFile: string;

  beforeAll(() => {
    htpasswdFile = path.join(workDir('auth'), 'htpasswd');
    fs.writeFileSync(htpasswdFile, execFileSync('htpasswd', ['-Bbn', 'alice', 'wonderland']));
  });

  test('401 without credentials, push and pull with them, directly and through the proxy', async () => {
    // The file is where the Secret would be mounted; only that path is overridden, as the env var the pod could set.
    const registry = await startRegistry(configYaml, { env: { REGISTRY_AUTH_HTPASSWD_PATH: htpasswdFile } });
    const anonymous = await request(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="Registry Realm"');
    const basic = Buffer.from('alice:wonderland').toString('base64');
    expect((await request(`${registry.url}/v2/`, { headers: { Authorization: `Basic ${basic}` } })).status).toBe(200);
    expect((await request(`${registry.url}/`)).status).toBe(200); // the probe path needs no credentials

    const image = await makeImage(workDir('auth-image'), 'v1', [1 << 20]);
    const host = `127.0.0.1:${registry.port}`;
    clearSkopeoCache();
    const denied = await push(image, host, 'team/app');
    expect(denied.ok).toBe(false);
    expect(denied.output).toMatch(/401|unauthorized|authentication required/i);
    const pushed = await push(image, host, 'team/app', 'alice:wonderland');
    expect(pushed.output).toBe(pushed.ok ? pushed.output : 'push succeeded');

    const proxy = await startProxy(nginxConf, host);
    const viaProxy = `127.0.0.1:${proxy.port}`;
    expect((await pull(viaProxy, 'team/app', 'v1', path.join(workDir('auth-anon'), 'l'))).ok).toBe(false);
    const out = path.join(workDir('auth-pulled'), 'l');
    const pulled = await pull(viaProxy, 'team/app', 'v1', out, 'alice:wonderland');
    expect(pulled.output).toBe(pulled.ok ? pulled.output : 'pull succeeded');
    expect(readImage(out, 'v1').layerDigests).toEqual(image.layerDigests);
    await proxy.program.stop();
    await registry.program.stop();
  });

  test('a missing htpasswd file is silently replaced by a random user: why the mount path is tested', async () => {
    const missing = path.join(workDir('auth-missing'), 'htpasswd');
    const registry = await startRegistry(configYaml, { env: { REGISTRY_AUTH_HTPASSWD_PATH: missing } });
    const basic = Buffer.from('alice:wonderland').toString('base64');
    expect((await request(`${registry.url}/v2/`, { headers: { Authorization: `Basic ${basic}` } })).status).toBe(401);
    expect(fs.existsSync(missing)).toBe(true);
    expect(registry.program.log).toMatch(/htpasswd/);
    await registry.program.stop();
  });
});

describe(`${REGISTRY.label}: deletion and garbage collection`, () => {
  const { configYaml, objects } = synth({ deletion: true, garbageCollection: { deleteUntagged: false }, storage: RegistryStorage.persistentVolume() });
  const cron = find(objects, 'CronJob', 'registry-gc');
  const steps = [...cron.spec.jobTemplate.spec.template.spec.initContainers, ...cron.spec.jobTemplate.spec.template.spec.containers];
  const commandOf = (name: string): string[] => steps.find((s: any) => s.name === name).command;

  /** A registry-image step's `/bin/sh -c SCRIPT NAME ARGS...` as args for the local sh: paths replaced exactly once. */
  function localStep(command: string[], statusDir: string, configPath?: string): string[] {
    expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const once = (text: string, from: string, to: string) => {
      expect(text.split(from)).toHaveLength(2);
      return text.replace(from, to);
    };
    let script = once(command[2], '/run/gc/', `${statusDir}/`);
    if (script.includes('/bin/registry')) script = once(script, '/bin/registry', REGISTRY.binary);
    const args = command.slice(3).map(a => (configPath && a === REGISTRY.configPath ? configPath : a));
    return ['-c', script, ...args];
  }

  // Registry 2.8.2 deletes a tagged multi-arch image's per-arch manifests (distribution#3178); 3.1.2 keeps them.
  const multiArchBug = REGISTRY.version === RegistryVersion.V2;
  test.each([
    [multiArchBug ? '--delete-untagged deletes the per-arch manifests of a tagged multi-arch image (distribution#3178): why V2 refuses it'
      : '--delete-untagged keeps every manifest of a tagged multi-arch image: why V3 allows it', true],
    ['without --delete-untagged the same image keeps every manifest (the control)', false],
  ])('garbage-collect: %s', async (_label, deleteUntagged) => {
    const dir = workDir('gc-multi');
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, configYaml);
    const data = path.join(dir, 'data');
    const registry = await startRegistry(configYaml, { dataDir: data });
    const image = await makeMultiArchImage(workDir('gc-multi-image'), 'v1', 64 << 10);
    clearSkopeoCache();
    const pushed = await pushAll(image, `127.0.0.1:${registry.port}`, 'gc/multi');
    expect(pushed.output).toBe(pushed.ok ? pushed.output : 'push succeeded');
    await registry.program.stop();

    const args = ['garbage-collect', ...(deleteUntagged ? ['--delete-untagged'] : []), configPath];
    const gc = start('garbage-collect', REGISTRY.binary, args, { REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: data });
    expect(await gc.waitForExit()).toBe(0);

    const after = await startRegistry(configYaml, { dataDir: data });
    const accept = { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' };
    const status = async (digest: string) => (await request(`${after.url}/v2/gc/multi/manifests/${digest}`, { method: 'HEAD', headers: accept })).status;
    expect(await status('v1')).toBe(200);
    const perArch = await Promise.all(image.manifestDigests.map(status));
    const lost = deleteUntagged && multiArchBug;
    expect(perArch).toEqual(lost ? [404, 404] : [200, 200]);
    const out = path.join(workDir('gc-multi-pulled'), 'l');
    expect((await pull(`127.0.0.1:${after.port}`, 'gc/multi', 'v1', out)).ok).toBe(!lost);
    await after.program.stop();
  });

  test('a failed collection still lets the registry come back, and the report step fails the Job', async () => {
    const statusDir = workDir('gc-fail');
    // A config path that does not exist: the real registry refuses to start the collection.
    const gc = start('garbage-collect', 'sh', localStep(commandOf('garbage-collect'), statusDir, path.join(statusDir, 'missing.yml')));
    expect(await gc.waitForExit()).toBe(0);
    const code = fs.readFileSync(path.join(statusDir, 'exit-code'), 'utf8').trim();
    expect(code).not.toBe('0');
    const report = start('report', 'sh', localStep(commandOf('report'), statusDir));
    expect(await report.waitForExit()).toBe(Number(code));
    expect(report.log).toContain(`registry garbage-collect exited with ${code}`);
  });

  test('the job scales the registry down and back up, and starts the collector only once no registry pod is left', () => {
    expect(commandOf('stop-registry')).toEqual(['kubectl', '--namespace', 'prod', 'scale', 'deployment/registry', '--replicas=0']);
    expect(commandOf('wait-stopped').slice(3)).toEqual(['wait', 'pod', '--for=delete', expect.stringMatching(/^--selector=/), '--timeout=15m']);
    expect(commandOf('start-registry')).toEqual(['kubectl', '--namespace', 'prod', 'scale', 'deployment/registry', '--replicas=1']);
    const order = cron.spec.jobTemplate.spec.template.spec.initContainers.map((c: any) => c.name);
    expect(order).toEqual(['stop-registry', 'wait-stopped', 'garbage-collect']);
  });

  test('delete a manifest, run the job\'s garbage-collect command on the generated config: its blobs are freed, others intact', async () => {
    const dir = workDir('gc');
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, configYaml);
    const registry = await startRegistry(configYaml, { dataDir: path.join(dir, 'data') });
    const host = `127.0.0.1:${registry.port}`;
    const doomed = await makeImage(workDir('gc-doomed'), 'v1', [2 << 20]);
    const kept = await makeImage(workDir('gc-kept'), 'v1', [2 << 20]);
    clearSkopeoCache();
    expect((await push(doomed, host, 'gc/doomed')).ok).toBe(true);
    expect((await push(kept, host, 'gc/kept')).ok).toBe(true);
    const del = await request(`${registry.url}/v2/gc/doomed/manifests/${doomed.manifestDigest}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    await registry.program.stop();

    // The job's own garbage-collect step (`/bin/sh -c SCRIPT garbage-collect ARGS...`), run by sh with the Debian
    // binary for /bin/registry and this test's status directory and config path, each replaced exactly once.
    const statusDir = path.join(dir, 'status');
    fs.mkdirSync(statusDir);
    const step = localStep(commandOf('garbage-collect'), statusDir, configPath);
    const blobFile = (digest: string) => path.join(dir, 'data', 'docker/registry/v2/blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data');
    expect(fs.existsSync(blobFile(doomed.layerDigests[0]))).toBe(true);
    const gc = start('garbage-collect', 'sh', step, { REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: path.join(dir, 'data') });
    expect(await gc.waitForExit()).toBe(0);
    expect(fs.readFileSync(path.join(statusDir, 'exit-code'), 'utf8').trim()).toBe('0');
    expect(gc.log).toMatch(/\d+ blobs marked, \d+ blobs and \d+ manifests eligible for deletion/);
    expect(fs.existsSync(blobFile(doomed.layerDigests[0]))).toBe(false);
    expect(fs.existsSync(blobFile(kept.layerDigests[0]))).toBe(true);
    const report = start('report', 'sh', localStep(commandOf('report'), statusDir));
    expect(await report.waitForExit()).toBe(0);
    expect(report.log).toContain('registry garbage-collect exited with 0');

    const after = await startRegistry(configYaml, { dataDir: path.join(dir, 'data') });
    expect((await request(`${after.url}/v2/gc/doomed/blobs/${doomed.layerDigests[0]}`, { method: 'HEAD' })).status).toBe(404);
    const out = path.join(workDir('gc-pulled'), 'l');
    expect((await pull(`127.0.0.1:${after.port}`, 'gc/kept', 'v1', out)).ok).toBe(true);
    expect(readImage(out, 'v1')).toEqual({ manifestDigest: kept.manifestDigest, layerDigests: kept.layerDigests });
    await after.program.stop();
  });
});

describe(`${REGISTRY.label}: upload purging and a full volume`, () => {
  test('the real registry takes the generated uploadpurging (24h, checked hourly) and schedules a purge', async () => {
    const { configYaml } = synth({});
    expect(configYaml).toContain('uploadpurging:\n      enabled: true\n      age: 24h\n      interval: 1h\n      dryrun: false');
    const registry = await startRegistry(configYaml);
    await new Promise(r => setTimeout(r, 300));
    expect(registry.program.log).toMatch(/Starting upload purge in \d+m\d+s/);
    await registry.program.stop();
  });

  test('an age the prop check refuses ("1 day") makes the real registry panic at start', async () => {
    const { configYaml } = synth({});
    await expect(startRegistry(configYaml.replace('age: 24h', 'age: 1 day')))
      .rejects.toThrow(/Unable to parse upload purge configuration/);
  });

  test('a full volume: a killed push leaves its bytes, and then even a 50 KB push is refused', async () => {
    // A 4 MiB tmpfs as the registry's volume, mounted by this test and unmounted also when it fails.
    const data = workDir('full-volume');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0755', 'tmpfs', data]);
    try {
      const { configYaml } = synth({});
      const registry = await startRegistry(configYaml, { dataDir: data });
      const host = `127.0.0.1:${registry.port}`;
      const big = await makeImage(workDir('full-big'), 'v1', [6 << 20]);
      expect((await push(big, host, 'full/big')).ok).toBe(false);
      const small = await makeImage(workDir('full-small'), 'v1', [50 << 10]);
      const refused = await push(small, host, 'full/small');
      expect(refused.ok).toBe(false);
      expect(registry.program.log).toMatch(/no space left on device/);
      await registry.program.stop();
    } finally {
      execFileSync('umount', [data]);
    }
  });
});

describe(`${REGISTRY.label}: Azure storage config`, () => {
  // No Azure here: the check is that the registry accepts the generated driver settings and starts (it reaches Azure
  // only on the first request that touches storage).
  const { configYaml } = synth({
    storage: RegistryStorage.azure({ accountName: 'images01', container: 'registry', accountKey: SecretKey.fromSecret('az', 'key') }),
  });
  const key = { REGISTRY_STORAGE_AZURE_ACCOUNTKEY: Buffer.from('not-a-real-key').toString('base64') };

  if (REGISTRY.version === RegistryVersion.V3) {
    test('registry 3 starts with the generated azure settings (credentials type shared_key, key from the env)', async () => {
      const registry = await startRegistry(configYaml, { env: key });
      expect((await request(`${registry.url}/`)).status).toBe(200);
      await registry.program.stop();
    });

    test('negative control: without credentials.type registry 3 panics at start', async () => {
      const without = configYaml.replace(/\n\s+credentials:\n\s+type: shared_key/, '');
      expect(without).not.toContain('shared_key');
      await expect(startRegistry(without, { env: key })).rejects.toThrow(/invalid credentials type/);
    });
  } else {
    test('Debian\'s registry 2.8.2 is built without the azure driver: the 2.x config is checked by unit tests only', async () => {
      await expect(startRegistry(configYaml, { env: key })).rejects.toThrow(/StorageDriver not registered: azure/);
    });
  }
});

describe(`${REGISTRY.label}: TLS from a Secret`, () => {
  test('the registry serves HTTPS with the mounted certificate; the generated proxy bridges plain HTTP to it', async () => {
    const { configYaml, nginxConf, deployment } = synth({ tls: RegistryTls.fromSecret('registry-tls') });
    expect(container(deployment, 'registry').readinessProbe.httpGet.scheme).toBe('HTTPS');
    const dir = workDir('tls');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=registry.prod.svc',
      '-addext', 'subjectAltName=DNS:registry.prod.svc,IP:127.0.0.1',
      '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt')], { stdio: 'ignore' });
    // Where the Secret would be mounted; only the paths are overridden.
    const registry = await startRegistry(configYaml, {
      tls: true,
      env: { REGISTRY_HTTP_TLS_CERTIFICATE: path.join(dir, 'tls.crt'), REGISTRY_HTTP_TLS_KEY: path.join(dir, 'tls.key') },
    });
    expect((await request(`${registry.url}/v2/`)).status).toBe(200);
    expect((await request(`http://127.0.0.1:${registry.port}/v2/`)).status).toBe(400); // plain HTTP to a TLS port

    const proxy = await startProxy(nginxConf, `127.0.0.1:${registry.port}`);
    const viaProxy = `127.0.0.1:${proxy.port}`;
    const image = await makeImage(workDir('tls-image'), 'v1', [2 << 20]);
    clearSkopeoCache();
    const pushed = await push(image, viaProxy, 'tls/app');
    expect(pushed.output).toBe(pushed.ok ? pushed.output : 'push succeeded');
    const out = path.join(workDir('tls-pulled'), 'l');
    expect((await pull(viaProxy, 'tls/app', 'v1', out)).ok).toBe(true);
    expect(readImage(out, 'v1')).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests });
    await proxy.program.stop();
    await registry.program.stop();
  });
});

describe(`${REGISTRY.label}: catalog paging limit`, () => {
  test('the registry refuses catalog pages above catalogMaxEntries, as the UI check expects', async () => {
    const { configYaml } = synth({ catalogMaxEntries: 2 });
    const registry = await startRegistry(configYaml);
    expect((await request(`${registry.url}/v2/_catalog?n=2`)).status).toBe(200);
    const over = await request(`${registry.url}/v2/_catalog?n=3`);
    expect(over.status).toBe(400);
    expect(over.body).toMatch(/PAGINATION_NUMBER_INVALID/);
    await registry.program.stop();
  });
});

describe(`${REGISTRY.label}: metrics`, () => {
  test('the debug port serves Prometheus metrics that count the registry\'s requests', async () => {
    const { configYaml, deployment } = synth({ metrics: {} });
    const metricsPort = container(deployment, 'registry').ports.find((p: any) => p.name === 'metrics').containerPort;
    expect(configYaml).toContain(`addr: :${metricsPort}`);
    const port = await freePort();
    const registry = await startRegistry(configYaml, { env: { REGISTRY_HTTP_DEBUG_ADDR: `127.0.0.1:${port}` } });
    await request(`${registry.url}/v2/`);
    const metrics = await request(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^registry_http_requests_total\{.*\} \d+/m);
    await registry.program.stop();
  });
});

describe(`${REGISTRY.label}: redis blob descriptor cache`, () => {
  test('a push writes blob descriptors into redis, with the password from the pod\'s env', async () => {
    const { configYaml, deployment } = synth({
      cache: RegistryCache.redis({ address: 'redis.cache.svc:6379', password: SecretKey.fromSecret('redis', 'password') }),
    });
    const passwordEnv = container(deployment, 'registry').env.find((e: any) => e.valueFrom?.secretKeyRef?.name === 'redis').name;
    const port = await freePort();
    const redis = start('redis-server', 'redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--requirepass', 'sesame']);
    const cli = (...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '-a', 'sesame', '--no-auth-warning', ...args]).toString();
    for (let i = 0; i < 100 && redis.log.indexOf('Ready to accept connections') < 0; i++) await new Promise(r => setTimeout(r, 50));
    expect(cli('DBSIZE').trim()).toBe('0');
    // Only the address is overridden: v3 reads a list (`addrs`), 2.x one address (`addr`), as the library renders them.
    expect(configYaml).toContain(REGISTRY.version === RegistryVersion.V3 ? 'addrs:\n    - redis.cache.svc:6379' : 'addr: redis.cache.svc:6379');
    const address: Record<string, string> = REGISTRY.version === RegistryVersion.V3 ? { REGISTRY_REDIS_ADDRS: `[127.0.0.1:${port}]` } : { REGISTRY_REDIS_ADDR: `127.0.0.1:${port}` };
    const registry = await startRegistry(configYaml, { env: { ...address, [passwordEnv]: 'sesame' } });
    const image = await makeImage(workDir('redis-image'), 'v1', [1 << 20]);
    clearSkopeoCache();
    expect((await push(image, `127.0.0.1:${registry.port}`, 'cached/app')).ok).toBe(true);
    const keys = cli('--scan').split('\n').filter(Boolean);
    expect(keys).toContain(`blobs::${image.layerDigests[0]}`);
    await registry.program.stop();
    await redis.stop();
  });
});

describe(`${REGISTRY.label}: pull-through cache`, () => {
  test('mirrors an upstream registry, keeps serving what it cached when the upstream is gone, refuses pushes', async () => {
    const upstreamConfig = synth({}).configYaml;
    const upstream = await startRegistry(upstreamConfig);
    const image = await makeImage(workDir('upstream-image'), 'v1', [1 << 20]);
    expect((await push(image, `127.0.0.1:${upstream.port}`, 'library/app')).ok).toBe(true);

    const { configYaml } = synth({ pullThrough: { remoteUrl: 'https://registry-1.docker.io' } });
    expect(configYaml).toContain('remoteurl: https://registry-1.docker.io');
    const mirror = await startRegistry(configYaml, { env: { REGISTRY_PROXY_REMOTEURL: `http://127.0.0.1:${upstream.port}` } });
    const mirrorHost = `127.0.0.1:${mirror.port}`;
    clearSkopeoCache();
    const first = path.join(workDir('mirror-1'), 'l');
    expect((await pull(mirrorHost, 'library/app', 'v1', first)).ok).toBe(true);
    expect(readImage(first, 'v1')).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests });

    await upstream.program.stop();
    const manifest = await request(`${mirror.url}/v2/library/app/manifests/${image.manifestDigest}`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(manifest.status).toBe(200);
    const blob = await request(`${mirror.url}/v2/library/app/blobs/${image.layerDigests[0]}`, { method: 'HEAD' });
    expect(blob.status).toBe(200);

    const upload = await request(`${mirror.url}/v2/library/other/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': '0' } });
    expect(upload.status).toBe(405);
    await mirror.program.stop();
  });
});
