import { App, Chart } from 'cdk8s';

import { PrivateRegistry, RegistryStorage } from '../lib';

/** Two teams, each with its own registry, node proxy and UI in its own namespace. */
export function teamsChart(app: App): Chart {
  const chart = new Chart(app, 'teams');
  new PrivateRegistry(chart, 'team-a', {
    namespace: 'team-a',
    registry: { name: 'registry', nodePort: 31500, storage: RegistryStorage.persistentVolume({ size: '50Gi' }) },
    proxy: { hostPort: 5000 },
    ui: { nodePort: 31000, title: 'Team A images' },
  });
  new PrivateRegistry(chart, 'team-b', {
    namespace: 'team-b',
    registry: { name: 'registry', nodePort: 31501, storage: RegistryStorage.emptyDir() },
    proxy: { hostPort: 5001 },
    uiEnabled: false,
  });
  return chart;
}
