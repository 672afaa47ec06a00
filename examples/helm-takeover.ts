import { App, Chart } from 'cdk8s';
import { Registry, RegistryProxyDaemonSet, RegistryStorage, RegistryUI } from '../lib';

/**
 * Replaces `helm install registry stable/docker-registry --set service.type=NodePort,service.nodePort=31500,
 * persistence.enabled=true` and `helm install registry-proxy incubator/kube-registry-proxy` in place.
 */
export function helmTakeoverChart(app: App): Chart {
  const chart = new Chart(app, 'takeover', { namespace: 'kube-system' });
  const registry = new Registry(chart, 'registry', {
    helmRelease: 'registry', // names registry-docker-registry, selector app: docker-registry, release: registry
    nodePort: 31500,
    storage: RegistryStorage.persistentVolume({ size: '10Gi' }), // the release's persistence.size
  });
  new RegistryProxyDaemonSet(chart, 'proxy', { registry, helmRelease: 'registry-proxy' });
  new RegistryUI(chart, 'ui', { registry, name: 'registry-ui', deploymentName: 'registry-ui-deployment' });
  return chart;
}
