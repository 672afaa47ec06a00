// Upgrading a live 2.8 registry to 3: the same filesystem storage, written by the real registry 2.8.2 (Debian) with the
// library's 2.x config, then served by the real registry 3.1.2 with the library's 3.x config. Both binaries run here
// (3.1.2 built by scripts/build-registry-v3.sh), so this file runs in the "registry 2.8.2" jest project only.
import { Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { Registry, RegistryStorage, RegistryVersion } from '../../lib';
import { find, synthValidated } from '../util';
import { cleanup, REGISTRY_V3_BINARY, REGISTRY_V3_VERSION, request, requireRegistry, requireTools, startRegistry, workDir } from './harness';
import { clearSkopeoCache, makeImage, makeMultiArchImage, pull, push, pushAll, readImage } from './images';


beforeAll(() => {
  requireRegistry();
  requireTools(['skopeo']);
  if (!fs.existsSync(REGISTRY_V3_BINARY)) throw new Error(`missing ${REGISTRY_V3_BINARY}: run "bash scripts/install-e2e-deps.sh"`);
});
afterAll(cleanup);

function configFor(version: RegistryVersion): string {
  const app = Testing.app();
  new Registry(new Chart(app, 'up', { namespace: 'up' }), 'registry', { version, deletion: true, storage: RegistryStorage.persistentVolume() });
  return find(synthValidated(app), 'ConfigMap', 'registry-config').data['config.yml'];
}

describe(`upgrading a 2.8 registry to ${REGISTRY_V3_VERSION.slice(1)} on the same filesystem storage`, () => {
  test('every digest pushed with registry 2.8.2 pulls back from registry 3.1.2, tags and catalog intact; 3.1.2 takes new pushes', async () => {
    const data = path.join(workDir('upgrade'), 'data');
    const v2 = await startRegistry(configFor(RegistryVersion.V2), { dataDir: data, binary: 'docker-registry' });
    const images = await Promise.all([1, 2, 3].map(i => makeImage(workDir(`upgrade-${i}`), `v${i}`, [1 << 20, 256 << 10])));
    const multi = await makeMultiArchImage(workDir('upgrade-multi'), 'm1', 128 << 10);
    clearSkopeoCache();
    for (const [i, image] of images.entries()) {
      expect((await push(image, `127.0.0.1:${v2.port}`, `team/app${i}`)).ok).toBe(true);
    }
    expect((await pushAll(multi, `127.0.0.1:${v2.port}`, 'team/multi')).ok).toBe(true);
    const catalogBefore = (await request(`${v2.url}/v2/_catalog`)).body.trim();
    await v2.program.stop();

    const v3 = await startRegistry(configFor(RegistryVersion.V3), { dataDir: data, binary: REGISTRY_V3_BINARY });
    expect(v3.program.log).toMatch(/v3\.1\.2/);
    expect((await request(`${v3.url}/v2/_catalog`)).body.trim()).toBe(catalogBefore);
    for (const [i, image] of images.entries()) {
      const out = path.join(workDir(`upgrade-pulled-${i}`), 'l');
      const pulled = await pull(`127.0.0.1:${v3.port}`, `team/app${i}`, image.tag, out);
      expect(pulled.output).toBe(pulled.ok ? pulled.output : 'pull succeeded');
      expect(readImage(out, image.tag)).toEqual({ manifestDigest: image.manifestDigest, layerDigests: image.layerDigests });
    }
    const accept = { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' };
    for (const digest of [multi.indexDigest, ...multi.manifestDigests]) {
      expect((await request(`${v3.url}/v2/team/multi/manifests/${digest}`, { method: 'HEAD', headers: accept })).status).toBe(200);
    }
    const fresh = await makeImage(workDir('upgrade-fresh'), 'v9', [64 << 10]);
    expect((await push(fresh, `127.0.0.1:${v3.port}`, 'team/app0')).ok).toBe(true);
    await v3.program.stop();
  });
});
