import { App, Chart } from 'cdk8s';

import { PrivateRegistry, RegistryServiceType } from '../lib';

/**
 * The second tutorial: `helm install private stable/docker-registry --namespace kube-system` (a ClusterIP Service,
 * emptyDir storage), the kube-registry-proxy chart (release `registry-proxy`) pointed at
 * `private-docker-registry.kube-system:5000` on hostPort 5000, and the joxit UI on NodePort 31000.
 */
export function privateTutorialChart(app: App): Chart {
  const chart = new Chart(app, 'private', { namespace: 'kube-system' });
  new PrivateRegistry(chart, 'private', {
    registry: { name: 'private-docker-registry', serviceType: RegistryServiceType.CLUSTER_IP, port: 5000 },
    proxy: { name: 'registry-proxy-kube-registry-proxy', hostPort: 5000 },
    ui: { name: 'registry-ui', deploymentName: 'registry-ui-deployment', nodePort: 31000, title: 'Private registry' },
  });
  return chart;
}
