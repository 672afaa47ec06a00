// The CRI-O drop-in that ContainerdRegistryHosts renders, read by containers/image (the library CRI-O pulls with),
// here through skopeo: a local name resolves to its endpoint, and a docker.io image comes through the mirror. The file
// is installed as a drop-in in the per-user registries.conf.d ($HOME/.config/containers/registries.conf.d, read after
// /etc/containers/registries.conf.d, in the same format); CRI-O itself and `systemctl reload crio` are not run here.
// The registries are the real registry, on 127.0.0.1.
import { Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { ContainerdRegistryHosts, NodeRegistryEndpoint } from '../../lib';
import { classicConfigs, cleanup, REGISTRY, requireRegistry, requireTools, startRegistry, workDir } from './harness';
import { clearSkopeoCache, makeImage, push, readImage, skopeo } from './images';

beforeAll(() => (requireRegistry(), requireTools(['skopeo'])));
afterAll(cleanup);

describe(`${REGISTRY.label}: the CRI-O registries.conf.d drop-in, read by containers/image (skopeo)`, () => {
  test('registry.local:5000 goes to its endpoint, docker.io through the pull-through cache; without the file neither resolves', async () => {
    const { registryConfig } = classicConfigs();
    const local = await startRegistry(registryConfig);
    const upstream = await startRegistry(registryConfig);
    const cache = await startRegistry(registryConfig, { env: { REGISTRY_PROXY_REMOTEURL: upstream.url } });
    const app = await makeImage(workDir('node-files-app'), 'v1', [256 << 10]);
    const alpine = await makeImage(workDir('node-files-alpine'), '3.20', [256 << 10]);
    expect((await push(app, `127.0.0.1:${local.port}`, 'team/app')).ok).toBe(true);
    expect((await push(alpine, `127.0.0.1:${upstream.port}`, 'library/alpine')).ok).toBe(true);

    const hosts = new ContainerdRegistryHosts(new Chart(Testing.app(), 'nodes'), 'registry-hosts', {
      hosts: [{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.fromUrl(local.url) }],
      mirrors: [{ upstream: 'docker.io', endpoint: NodeRegistryEndpoint.fromUrl(cache.url) }],
    });
    const withDropIn = workDir('node-files-home');
    const dropInDir = path.join(withDropIn, '.config', 'containers', 'registries.conf.d');
    fs.mkdirSync(dropInDir, { recursive: true });
    fs.writeFileSync(path.join(dropInDir, '50-registry-hosts.conf'), hosts.crioRegistriesConf());
    const without = workDir('node-files-home-empty');
    const copy = (home: string, ref: string, tag: string) => {
      clearSkopeoCache();
      const out = path.join(workDir('node-files-out'), 'l');
      return skopeo(['copy', '--retry-times', '0', `docker://${ref}:${tag}`, `oci:${out}:${tag}`], { HOME: home })
        .then(r => ({ ...r, image: r.ok ? readImage(out, tag) : undefined }));
    };

    const named = await copy(withDropIn, 'registry.local:5000/team/app', 'v1');
    expect(named.output).toContain('Writing manifest');
    expect(named.image).toEqual({ manifestDigest: app.manifestDigest, layerDigests: app.layerDigests });
    const mirrored = await copy(withDropIn, 'docker.io/library/alpine', '3.20');
    expect(mirrored.ok).toBe(true);
    expect(mirrored.image).toEqual({ manifestDigest: alpine.manifestDigest, layerDigests: alpine.layerDigests });

    // Controls: the same pulls without the drop-in go to the names themselves, which do not answer here.
    expect((await copy(without, 'registry.local:5000/team/app', 'v1')).ok).toBe(false);
    expect((await copy(without, 'docker.io/library/alpine', '3.20')).ok).toBe(false);
  });
});
