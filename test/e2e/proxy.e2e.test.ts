// The proxy's generated nginx.conf, run by real nginx in front of the real registry.
import { ChildProcess, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { Registry, RegistryProxyDaemonSet } from '../../lib';
import { find, synthValidated, testChart } from '../util';
import {
classicConfigs, cleanup, freePort, portForward,   REGISTRY, request, requireRegistry, requireTools, RunningProxy, RunningRegistry, start, startProxy,
  startRegistry, workDir,
} from './harness';
import { clearSkopeoCache, listTags, makeImage, OciImage, pull, push, readImage } from './images';

const { registryConfig, nginxConf } = classicConfigs();
const MB = 1 << 20;

beforeAll(() => (requireRegistry(), requireTools(['nginx', 'skopeo'])));
afterAll(cleanup);

describe(`${REGISTRY.label}: the generated nginx.conf in front of the registry`, () => {
  let registry: RunningRegistry;
  let proxy: RunningProxy;
  let proxyHost: string;
  let small: OciImage;

  beforeAll(async () => {
    registry = await startRegistry(registryConfig);
    proxy = await startProxy(nginxConf, `127.0.0.1:${registry.port}`);
    proxyHost = `127.0.0.1:${proxy.port}`;
    small = await makeImage(workDir('small'), 'v1', [2 * MB, 64 << 10]);
  });

  test('GET /v2/ through the proxy reaches the registry', async () => {
    const res = await request(`${proxy.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  test('push and pull through the proxy, digests identical', async () => {
    const pushed = await push(small, proxyHost, 'via-proxy/small');
    expect(pushed.output).toBe(pushed.ok ? pushed.output : 'push succeeded');
    expect(await listTags(proxyHost, 'via-proxy/small')).toEqual(['v1']);
    const out = path.join(workDir('small-pulled'), 'layout');
    expect((await pull(proxyHost, 'via-proxy/small', 'v1', out)).ok).toBe(true);
    expect(readImage(out, 'v1')).toEqual({ manifestDigest: small.manifestDigest, layerDigests: small.layerDigests });
  });

  test('a 200 MB layer streams through without being spooled to disk', async () => {
    const big = await makeImage(workDir('big'), 'v1', [200 * MB]);
    expect(big.layerSizes[0]).toBeGreaterThanOrEqual(200 * MB);
    clearSkopeoCache();
    const pushed = await push(big, proxyHost, 'via-proxy/big');
    expect(pushed.output).toBe(pushed.ok ? pushed.output : 'push succeeded');
    const out = path.join(workDir('big-pulled'), 'layout');
    const pulled = await pull(proxyHost, 'via-proxy/big', 'v1', out);
    expect(pulled.output).toBe(pulled.ok ? pulled.output : 'pull succeeded');
    expect(readImage(out, 'v1')).toEqual({ manifestDigest: big.manifestDigest, layerDigests: big.layerDigests });
    // nginx logs this whenever it writes a request or response body to a temp file.
    expect(proxy.program.log).not.toMatch(/buffered to a temporary file/);
  });

  test('upload Location headers keep the client-facing port when it differs from nginx\'s (hostPort 5000 -> 8080)', async () => {
    const hostPort = await portForward(proxy.port);
    try {
      const clientHost = `127.0.0.1:${hostPort.port}`;
      expect(hostPort.port).not.toBe(proxy.port);
      const upload = await request(`http://${clientHost}/v2/via-hostport/app/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': '0' } });
      expect(upload.status).toBe(202);
      expect(upload.headers.location).toMatch(new RegExp(`^http://${clientHost.replace(/\./g, '\\.')}/v2/via-hostport/app/blobs/uploads/`));
      // A whole push through the forwarded port works only if every Location points back at it.
      const pushed = await push(small, clientHost, 'via-hostport/app');
      expect(pushed.output).toBe(pushed.ok ? pushed.output : 'push succeeded');
      expect(await listTags(clientHost, 'via-hostport/app')).toEqual(['v1']);
    } finally {
      await hostPort.close();
    }
  });

  test('50 clients pulling at once through the proxy: 0 errors', async () => {
    const base = workDir('concurrent');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      pull(proxyHost, 'via-proxy/small', 'v1', path.join(base, `client-${i}`)).then(r => ({ i, ...r }))));
    const failures = results.filter(r => !r.ok);
    expect(failures.map(f => `client ${f.i}: ${f.output}`)).toEqual([]);
    for (const r of results) {
      expect(readImage(path.join(base, `client-${r.i}`), 'v1').layerDigests).toEqual(small.layerDigests);
    }
  });
});

describe(`${REGISTRY.label}: negative controls: the proxy tests can fail`, () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry(registryConfig);
  });

  test('without client_max_body_size 0, a layer over 1 MiB gets 413', async () => {
    const broken = nginxConf.replace(/^\s*client_max_body_size 0;\n/m, '');
    expect(broken).not.toBe(nginxConf);
    const proxy = await startProxy(broken, `127.0.0.1:${registry.port}`);
    const image = await makeImage(workDir('too-big'), 'v1', [3 * MB]);
    clearSkopeoCache();
    const pushed = await push(image, `127.0.0.1:${proxy.port}`, 'negative/too-big');
    expect(pushed.ok).toBe(false);
    expect(pushed.output).toMatch(/413|Request Entity Too Large/i);
    await proxy.program.stop();
  });

  test('without Host $http_host, upload Location headers point at the wrong place', async () => {
    const broken = nginxConf.replace(/^\s*proxy_set_header Host \$http_host;\n/m, '');
    expect(broken).not.toBe(nginxConf);
    const proxy = await startProxy(broken, `127.0.0.1:${registry.port}`);
    const hostPort = await portForward(proxy.port);
    try {
      const upload = await request(`http://127.0.0.1:${hostPort.port}/v2/negative/host/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': '0' } });
      expect(upload.status).toBe(202);
      expect(upload.headers.location).not.toContain(`127.0.0.1:${hostPort.port}`);
    } finally {
      await hostPort.close();
      await proxy.program.stop();
    }
  });

  test('with request buffering on, nginx logs that it spooled the upload to disk (the log check can fail)', async () => {
    const broken = nginxConf.replace('proxy_request_buffering off;', 'proxy_request_buffering on;');
    expect(broken).not.toBe(nginxConf);
    const proxy = await startProxy(broken, `127.0.0.1:${registry.port}`);
    const image = await makeImage(workDir('spooled'), 'v1', [8 * MB]);
    clearSkopeoCache();
    const pushed = await push(image, `127.0.0.1:${proxy.port}`, 'negative/spooled');
    expect(pushed.ok).toBe(true);
    expect(proxy.program.log).toMatch(/buffered to a temporary file/);
    await proxy.program.stop();
  });

  test('with a wrong upstream, the pull fails', async () => {
    const nowhere = await freePort();
    const proxy = await startProxy(nginxConf, `127.0.0.1:${nowhere}`);
    const res = await request(`${proxy.url}/v2/`);
    expect(res.status).toBe(502);
    const pulled = await pull(`127.0.0.1:${proxy.port}`, 'via-proxy/small', 'v1', path.join(workDir('nowhere'), 'layout'));
    expect(pulled.ok).toBe(false);
    await proxy.program.stop();
  });
});

describe(`${REGISTRY.label}: a proxy to an external registry behind a front end that routes by host name`, () => {
  // The front end: nginx that serves registry.corp.example only (404 for any other Host), terminating "TLS" as an
  // ingress would (X-Forwarded-Proto https), so the registry writes https://registry.corp.example/... Locations.
  async function frontEnd(registryPort: number): Promise<{ port: number; stop: () => Promise<void> }> {
    const prefix = workDir('front');
    const port = await freePort();
    const conf = path.join(prefix, 'nginx.conf');
    fs.writeFileSync(conf, `daemon off; pid nginx.pid; error_log stderr warn; events {}
http {
  access_log off; client_body_temp_path cb; proxy_temp_path pt; fastcgi_temp_path ft; uwsgi_temp_path ut; scgi_temp_path st;
  server { listen 127.0.0.1:${port} default_server; return 404; }
  server {
    listen 127.0.0.1:${port}; server_name registry.corp.example; client_max_body_size 0;
    location / { proxy_pass http://127.0.0.1:${registryPort}; proxy_set_header Host $http_host; proxy_set_header X-Forwarded-Proto https; }
  }
}
`);
    const program = start('front-end', 'nginx', ['-p', `${prefix}/`, '-c', conf, '-e', 'stderr']);
    await program.waitForHttp(`http://127.0.0.1:${port}/`, 404);
    frontLog = () => program.log;
    return { port, stop: () => program.stop() };
  }

  let frontLog = () => '';

  function externalProxyConf(): string {
    const { app, chart } = testChart('tools');
    new RegistryProxyDaemonSet(chart, 'mirror', { registry: Registry.fromUrl('http://registry.corp.example') });
    return find(synthValidated(app), 'ConfigMap', 'mirror-config').data['nginx.conf'];
  }

  test('push and pull through the generated proxy: it sends the upstream\'s Host and keeps clients on itself', async () => {
    const registry = await startRegistry(registryConfig);
    const front = await frontEnd(registry.port);
    const proxy = await startProxy(externalProxyConf(), `127.0.0.1:${front.port}`);
    const image = await makeImage(workDir('external'), 'v1', [2 << 20]);
    clearSkopeoCache();
    const pushed = await push(image, `127.0.0.1:${proxy.port}`, 'corp/app');
    expect(pushed.output).toBe(pushed.ok ? pushed.output : `push succeeded; front end:\n${frontLog()}`);
    const out = path.join(workDir('external-pulled'), 'l');
    expect((await pull(`127.0.0.1:${proxy.port}`, 'corp/app', 'v1', out)).ok).toBe(true);
    expect(readImage(out, 'v1')).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests });
    await proxy.program.stop();
    await front.stop();
    await registry.program.stop();
  });

  test('negative control: without proxy_redirect the client follows the registry\'s https://registry.corp.example Location and fails', async () => {
    const registry = await startRegistry(registryConfig);
    const front = await frontEnd(registry.port);
    const conf = externalProxyConf();
    const withoutRedirect = conf.split('\n').filter(l => !l.includes('proxy_redirect')).join('\n');
    expect(withoutRedirect.length).toBeLessThan(conf.length);
    const proxy = await startProxy(withoutRedirect, `127.0.0.1:${front.port}`);
    const image = await makeImage(workDir('external-noredirect'), 'v1', [1 << 20]);
    const pushed = await push(image, `127.0.0.1:${proxy.port}`, 'corp/app');
    expect(pushed.ok).toBe(false);
    expect(pushed.output).toMatch(/registry\.corp\.example/);
    await proxy.program.stop();
    await front.stop();
    await registry.program.stop();
  });

  test('negative control: the in-cluster config (the client\'s Host) gets the front end\'s 404', async () => {
    const registry = await startRegistry(registryConfig);
    const front = await frontEnd(registry.port);
    const proxy = await startProxy(nginxConf, `127.0.0.1:${front.port}`);
    expect((await request(`${proxy.url}/v2/`)).status).toBe(404);
    const image = await makeImage(workDir('external-404'), 'v1', [1 << 20]);
    expect((await push(image, `127.0.0.1:${proxy.port}`, 'corp/app')).ok).toBe(false);
    await proxy.program.stop();
    await front.stop();
    await registry.program.stop();
  });
});

describe(`${REGISTRY.label}: draining and memory, with the generated nginx.conf`, () => {
  const { objects } = (() => { const c = classicConfigs(); return { objects: c.objects }; })();
  const ds = objects.find(o => o.kind === 'DaemonSet')!;
  // Large enough that most of it is still upstream of nginx a second in: loopback socket buffers hold several MB.
  const LAYER = 48 << 20;
  let registry: RunningRegistry;
  let layer: string;

  beforeAll(async () => {
    registry = await startRegistry(registryConfig);
    const image = await makeImage(workDir('drain'), 'v1', [LAYER]);
    clearSkopeoCache();
    expect((await push(image, `127.0.0.1:${registry.port}`, 'drain/app')).ok).toBe(true);
    layer = image.layerDigests[0];
  });
  afterAll(() => registry?.program.stop());

  /** A blob GET at `rate` bytes/s with curl, in the background: its exit code, bytes and their digest. */
  function slowGet(url: string, rate: string): { child: ChildProcess; done: Promise<{ code: number | null; size: number; digest: string }> } {
    const file = path.join(workDir('slow'), 'blob');
    const child = spawn('curl', ['-s', '-o', file, '--limit-rate', rate, url]);
    const done = new Promise<{ code: number | null; size: number; digest: string }>(resolve => child.once('exit', code => {
      const data = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
      resolve({ code, size: data.length, digest: `sha256:${createHash('sha256').update(data).digest('hex')}` });
    }));
    return { child, done };
  }

  /** Resident memory of an nginx master and its workers, in bytes. */
  function nginxRss(masterPid: number): number {
    let total = 0;
    for (const pid of fs.readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (Number(pid) === masterPid || ppid === masterPid) {
          total += Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
        }
      } catch { /* the process ended meanwhile */ }
    }
    return total;
  }

  test('the DaemonSet gives a pod being replaced drainSeconds (600) to finish its pulls', () => {
    expect(ds.spec.template.spec.terminationGracePeriodSeconds).toBe(600);
  });

  test('SIGQUIT, the nginx image\'s stop signal: a pull under way runs to its last byte, new connections are refused', async () => {
    const proxy = await startProxy(nginxConf, `127.0.0.1:${registry.port}`);
    const get = slowGet(`${proxy.url}/v2/drain/app/blobs/${layer}`, '12M');
    await new Promise(r => setTimeout(r, 1000));
    process.kill(proxy.program.pid, 'SIGQUIT');
    await new Promise(r => setTimeout(r, 300));
    await expect(request(`${proxy.url}/v2/`)).rejects.toThrow(/ECONNREFUSED/);
    const result = await get.done;
    expect(result.code).toBe(0);
    expect(result.size).toBeGreaterThan(LAYER);
    expect(result.digest).toBe(layer);
    expect(await proxy.program.waitForExit()).toBe(0);
  });

  test('negative control: SIGTERM (fast shutdown) cuts the same pull', async () => {
    const proxy = await startProxy(nginxConf, `127.0.0.1:${registry.port}`);
    const get = slowGet(`${proxy.url}/v2/drain/app/blobs/${layer}`, '12M');
    await new Promise(r => setTimeout(r, 1000));
    process.kill(proxy.program.pid, 'SIGTERM');
    const result = await get.done;
    expect(result.code).not.toBe(0);
    expect(result.size).toBeLessThan(LAYER);
    expect(result.digest).not.toBe(layer);
    await proxy.program.waitForExit();
  });

  test('memory per concurrent download, measured: the limit holds at the connection cap', async () => {
    const proxy = await startProxy(nginxConf, `127.0.0.1:${registry.port}`);
    const workers = Number(/^worker_processes (\d+);$/m.exec(nginxConf)![1]);
    const perWorker = Number(/^\s*worker_connections (\d+);$/m.exec(nginxConf)![1]);
    const limit = ds.spec.template.spec.containers[0].resources.limits.memory;
    expect(limit).toMatch(/^\d+Mi$/);
    const limitBytes = parseInt(limit, 10) << 20;
    const baseline = nginxRss(proxy.program.pid);
    const clients = 64;
    const gets = Array.from({ length: clients }, () => slowGet(`${proxy.url}/v2/drain/app/blobs/${layer}`, '32K'));
    await new Promise(r => setTimeout(r, 4000)); // every client's buffers fill while it reads slowly
    const loaded = nginxRss(proxy.program.pid);
    for (const g of gets) g.child.kill('SIGKILL');
    await Promise.all(gets.map(g => g.done));
    await proxy.program.stop();
    const perDownload = (loaded - baseline) / clients;
    const maxDownloads = (workers * perWorker) / 2; // a client and an upstream connection each
    const atCap = baseline + perDownload * maxDownloads;
    console.log(`proxy memory: baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, ${(perDownload / 2 ** 20).toFixed(2)} MiB per download ` +
      `(${clients} held open), ${maxDownloads} downloads at the cap = ${(atCap / 2 ** 20).toFixed(0)} MiB, limit ${limit}`);
    expect(perDownload).toBeGreaterThan(0.5 * 2 ** 20); // the buffers really filled: the measurement measured something
    expect(atCap).toBeLessThan(limitBytes);
  });
});
