import { App, Chart } from 'cdk8s';

import { Registry, RegistryProxyDaemonSet, RegistryStorage, RegistryUI } from '../lib';

/**
 * Replaces in place what the first tutorial installed into kube-system: `helm install registry stable/docker-registry
 * --set service.type=NodePort,service.nodePort=31500`, `helm install registry-proxy incubator/kube-registry-proxy`
 * and the UI manifest (Deployment registry-ui-deployment, pods labelled app: registry-ui). Pass
 * `persistentVolume: true` if the release ran with `--set persistence.enabled=true`.
 */
export function helmTakeoverChart(app: App, options: { persistentVolume?: boolean } = {}): Chart {
  const chart = new Chart(app, 'takeover', { namespace: 'kube-system' });
  const registry = new Registry(chart, 'registry', {
    helmRelease: 'registry', // names registry-docker-registry, selector app: docker-registry, release: registry
    nodePort: 31500,
    // The chart's own storage: its emptyDir (images are lost when the pod is replaced, as they were under Helm),
    // or, with persistence.enabled=true, the release's 10Gi claim registry-docker-registry (images stay).
    storage: options.persistentVolume ? RegistryStorage.persistentVolume({ size: '10Gi' }) : RegistryStorage.emptyDir(),
  });
  new RegistryProxyDaemonSet(chart, 'proxy', { registry, helmRelease: 'registry-proxy' });
  new RegistryUI(chart, 'ui', {
    registry, name: 'registry-ui', deploymentName: 'registry-ui-deployment', selectorLabels: { app: 'registry-ui' },
  });
  return chart;
}
