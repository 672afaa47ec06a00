// The UI's direct mode: a page on another origin calls the real registry, in headless Chromium.
import { Chart, Testing } from 'cdk8s';
import * as http from 'http';

import { Registry, RegistryUI, RegistryUIConnection } from '../../lib';
import { find, synthValidated } from '../util';
import { cleanup, freePort, requireTools, start, startRegistry, workDir } from './harness';
import { makeImage, push } from './images';

beforeAll(() => requireTools(['docker-registry', 'skopeo', 'chromium']));
afterAll(cleanup);

/** What the UI does first in direct mode: list the catalog and read a manifest's digest header. */
function page(registryUrl: string): string {
  return `<!doctype html><html><body><pre id="out">pending</pre><script>
(async () => {
  const out = document.getElementById('out');
  try {
    const catalog = await (await fetch('${registryUrl}/v2/_catalog')).json();
    const manifest = await fetch('${registryUrl}/v2/team/app/manifests/v1', {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    out.textContent = JSON.stringify({ repositories: catalog.repositories, digest: manifest.headers.get('Docker-Content-Digest') });
  } catch (e) {
    out.textContent = 'ERROR ' + e.message;
  }
})();
</script></body></html>`;
}

/** Serves one HTML page on a loopback port: an origin other than the registry's. */
async function servePage(port: number, html: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** Loads `url` in headless Chromium and returns the text of `#out` once the page's script has run. */
async function loadInChromium(url: string): Promise<string> {
  const chrome = start('chromium', 'chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${workDir('chromium')}`,
    '--virtual-time-budget=10000', '--dump-dom', url,
  ]);
  await chrome.waitForExit();
  const match = /<pre id="out">([\s\S]*?)<\/pre>/.exec(chrome.log);
  if (!match) {
    throw new Error(`no #out in what Chromium printed:\n${chrome.log}`);
  }
  return match[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

function synthConfig(pageOrigin?: string): string {
  const app = Testing.app();
  const chart = new Chart(app, 'ui', { namespace: 'tools' });
  const registry = new Registry(chart, 'registry');
  if (pageOrigin) {
    new RegistryUI(chart, 'ui', { registry, connection: RegistryUIConnection.direct({ browserUrl: 'http://registry.example.com:31500', uiOrigin: pageOrigin }) });
  }
  return find(synthValidated(app), 'ConfigMap', 'registry-config').data['config.yml'];
}

describe('direct mode in a browser', () => {
  test('with the CORS headers the UI adds, a page on another origin lists the catalog and reads Docker-Content-Digest', async () => {
    const pagePort = await freePort();
    const origin = `http://127.0.0.1:${pagePort}`;
    const registry = await startRegistry(synthConfig(origin));
    const image = await makeImage(workDir('cors-image'), 'v1', [64 << 10]);
    expect((await push(image, `127.0.0.1:${registry.port}`, 'team/app')).ok).toBe(true);
    const server = await servePage(pagePort, page(registry.url));
    try {
      const out = await loadInChromium(`${origin}/`);
      expect(JSON.parse(out)).toEqual({ repositories: ['team/app'], digest: image.manifestDigest });
    } finally {
      server.close();
      await registry.program.stop();
    }
  });

  test('without them, the same page fails (the browser test can fail)', async () => {
    const pagePort = await freePort();
    const registry = await startRegistry(synthConfig());
    const server = await servePage(pagePort, page(registry.url));
    try {
      expect(await loadInChromium(`http://127.0.0.1:${pagePort}/`)).toMatch(/^ERROR /);
    } finally {
      server.close();
      await registry.program.stop();
    }
  });
});

