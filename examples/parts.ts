import { App, Chart } from 'cdk8s';

import { PodSecurityLevel, Registry, RegistryNamespace, RegistryProxyDaemonSet, RegistryUI } from '../lib';

/** The three parts on their own, linked by object, plus a proxy for a registry outside the app. */
export function partsChart(app: App): Chart {
  const chart = new Chart(app, 'parts', { namespace: 'tools' });
  // The node proxies' hostPort needs a namespace that allows it.
  new RegistryNamespace(chart, 'namespace', { name: 'tools', podSecurity: PodSecurityLevel.PRIVILEGED });
  const registry = new Registry(chart, 'registry', { nodePort: 31502 });
  new RegistryProxyDaemonSet(chart, 'proxy', { registry, hostPort: 5002 });
  new RegistryUI(chart, 'ui', { registry, nodePort: 31002, title: 'Tools' });
  new RegistryProxyDaemonSet(chart, 'mirror-proxy', { registry: Registry.fromUrl('http://mirror.corp.internal:5000'), hostPort: 5003 });
  return chart;
}
