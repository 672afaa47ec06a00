// The registry config that `Registry` renders, served by the real distribution registry.
import * as path from 'path';
import { parse } from 'yaml';

import { container, find } from '../util';
import { classicConfigs, cleanup, REGISTRY, request, requireRegistry, requireTools, RunningRegistry, startRegistry, workDir } from './harness';
import { listTags, makeImage, OciImage, pull, push, readImage } from './images';

const { objects, registryConfig } = classicConfigs();

beforeAll(() => (requireRegistry(), requireTools(['skopeo'])));
afterAll(cleanup);

describe(`${REGISTRY.label}: the classic app's registry config, run by the real registry`, () => {
  let registry: RunningRegistry;
  let image: OciImage;
  let host: string;

  beforeAll(async () => {
    registry = await startRegistry(registryConfig);
    host = `127.0.0.1:${registry.port}`;
    image = await makeImage(workDir('image'), 'v1', [3 << 20, 512 << 10]);
  });

  test('GET /v2/ answers 200 and the catalog of a fresh store is exactly {"repositories":[]}', async () => {
    const base = await request(`${registry.url}/v2/`);
    expect(base.status).toBe(200);
    expect(base.headers['docker-distribution-api-version']).toBe('registry/2.0');
    const catalog = await request(`${registry.url}/v2/_catalog`);
    expect(catalog.status).toBe(200);
    expect(catalog.body.trim()).toBe('{"repositories":[]}');
  });

  test('the headers from config.yml are served', async () => {
    const res = await request(`${registry.url}/v2/`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test('the probe path and port the Deployment declares answer 200; the Service targets the port config.yml listens on', async () => {
    const deployment = find(objects, 'Deployment', 'registry-docker-registry');
    const c = container(deployment, 'registry');
    const listenPort = Number(parse(registryConfig).http.addr.split(':').pop());
    const service = find(objects, 'Service', 'registry-docker-registry');
    expect(service.spec.ports[0].targetPort).toBe(listenPort);
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([listenPort]);
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe.httpGet.port).toBe(listenPort);
      // The test registry listens elsewhere (REGISTRY_HTTP_ADDR); the path is the Deployment's own.
      const res = await request(`${registry.url}${probe.httpGet.path}`);
      expect(res.status).toBe(200);
    }
  });

  test('push, list tags, pull back: manifest and layer digests identical', async () => {
    const pushed = await push(image, host, 'team/app');
    expect(pushed.output).not.toMatch(/error/i);
    expect(pushed.ok).toBe(true);
    expect(await listTags(host, 'team/app')).toEqual(['v1']);
    const catalog = await request(`${registry.url}/v2/_catalog`);
    expect(JSON.parse(catalog.body)).toEqual({ repositories: ['team/app'] });

    const head = await request(`${registry.url}/v2/team/app/manifests/v1`, {
      method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.headers['docker-content-digest']).toBe(image.manifestDigest);

    const out = path.join(workDir('pulled'), 'layout');
    const pulled = await pull(host, 'team/app', 'v1', out);
    expect(pulled.ok).toBe(true);
    expect(readImage(out, 'v1')).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests });
  });

  test('persistence: three restarts on the same storage still serve every pushed digest', async () => {
    const dataDir = registry.dataDir;
    for (let round = 1; round <= 3; round++) {
      await registry.program.stop();
      registry = await startRegistry(registryConfig, { dataDir });
      host = `127.0.0.1:${registry.port}`;
      const manifest = await request(`${registry.url}/v2/team/app/manifests/${image.manifestDigest}`, {
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect([round, manifest.status]).toEqual([round, 200]);
      expect(manifest.headers['docker-content-digest']).toBe(image.manifestDigest);
      for (const digest of image.layerDigests) {
        const blob = await request(`${registry.url}/v2/team/app/blobs/${digest}`, { method: 'HEAD' });
        expect([round, digest, blob.status]).toEqual([round, digest, 200]);
      }
    }
    const out = path.join(workDir('pulled-after-restarts'), 'layout');
    expect((await pull(host, 'team/app', 'v1', out)).ok).toBe(true);
    expect(readImage(out, 'v1').layerDigests).toEqual(image.layerDigests);
  });

  test('a registry started on an empty store does not serve the pushed image (the persistence test can fail)', async () => {
    const empty = await startRegistry(registryConfig);
    const manifest = await request(`${empty.url}/v2/team/app/manifests/${image.manifestDigest}`);
    expect(manifest.status).toBe(404);
    await empty.program.stop();
  });
});

describe(`${REGISTRY.label}: the harness`, () => {
  test('a missing program fails the suite and says what to install', () => {
    expect(() => requireTools(['docker-registry', 'no-such-program-xyz'])).toThrow(new Error(
      'the end-to-end suite needs no-such-program-xyz, which is not installed: ' +
      'run "bash scripts/install-e2e-deps.sh" (or "apt-get install no-such-program-xyz")'));
  });
});
