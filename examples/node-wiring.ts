import { App, Chart } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';

import { ContainerdRegistryHosts, NodeRegistryEndpoint, Registry } from '../lib';

/**
 * Nodes pull `registry.local:5000/...` from an in-cluster registry and `docker.io/...` through an in-cluster
 * pull-through cache, whatever the CNI: a DaemonSet writes containerd's hosts.toml on every node (containerd's
 * `config_path` must include /etc/containerd/certs.d).
 */
export function nodeWiringChart(app: App): Chart {
  const chart = new Chart(app, 'node-wiring', { namespace: 'kube-system' });
  const images = new Registry(chart, 'images', { nodePort: 31500 });
  const dockerHub = new Registry(chart, 'docker-hub', { nodePort: 31600, pullThrough: { remoteUrl: 'https://registry-1.docker.io' } });
  new ContainerdRegistryHosts(chart, 'registry-hosts', {
    hosts: [{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.nodePort(images) }],
    mirrors: [{ upstream: 'docker.io', endpoint: NodeRegistryEndpoint.nodePort(dockerHub) }],
  });
  return chart;
}

/** The same names as files for CRI-O and k3s nodes, which a pod cannot configure: for the node bootstrapper to install. */
export function writeNodeFiles(chart: Chart, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return chart.node.findAll().filter((c): c is ContainerdRegistryHosts => c instanceof ContainerdRegistryHosts).flatMap(hosts => {
    const files: Array<[string, string]> = [
      [`crio-50-${hosts.name}.conf`, hosts.crioRegistriesConf()], // to /etc/containers/registries.conf.d/50-<name>.conf
      [`k3s-${hosts.name}-registries.yaml`, hosts.k3sRegistriesYaml()], // to /etc/rancher/k3s/registries.yaml
    ];
    return files.map(([name, text]) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name)));
  });
}
