import { App, Chart } from 'cdk8s';

import { PrivateRegistry, RegistryVersion } from '../lib';

/**
 * The classic setup: what `helm install registry stable/docker-registry --set service.type=NodePort,
 * service.nodePort=31500`, the kube-registry-proxy chart and the joxit UI manifest render into kube-system,
 * with the same names and ports, so the same kubectl and curl commands work. The registry is the library's default
 * version (3.x; the tutorials' 2.7.1 has known CVEs); `version: RegistryVersion.V2` gives the 2.8 line.
 */
export function classicChart(app: App, options: { version?: RegistryVersion } = {}): Chart {
  const chart = new Chart(app, 'registry', { namespace: 'kube-system' });
  new PrivateRegistry(chart, 'registry', {
    registry: { name: 'registry-docker-registry', nodePort: 31500, port: 5000, version: options.version },
    proxy: { name: 'kube-registry-proxy', hostPort: 5000 },
    ui: { name: 'registry-ui', deploymentName: 'registry-ui-deployment', nodePort: 31000, title: 'Private registry' },
  });
  return chart;
}
