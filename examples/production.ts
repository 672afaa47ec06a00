import { App, Chart } from 'cdk8s';

import { PrivateRegistry, RegistryAuth, RegistryStorage, SecretKey } from '../lib';

/** Two replicas on S3 behind an Ingress, with auth, metrics and weekly garbage collection. */
export function productionChart(app: App): Chart {
  const chart = new Chart(app, 'production', { namespace: 'registry' });
  new PrivateRegistry(chart, 'registry', {
    registry: {
      replicas: 2,
      httpSecret: SecretKey.fromSecret('registry-http', 'secret'),
      storage: RegistryStorage.s3({
        bucket: 'acme-images',
        region: 'eu-west-1',
        credentials: {
          accessKey: SecretKey.fromSecret('registry-s3', 'access-key'),
          secretKey: SecretKey.fromSecret('registry-s3', 'secret-key'),
        },
      }),
      auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('registry-users', 'htpasswd') }),
      ingress: { host: 'registry.acme.example', className: 'nginx', tlsSecretName: 'registry-acme-tls' },
      deletion: true,
      garbageCollection: { schedule: '0 3 * * 0' },
      metrics: { serviceMonitor: true },
    },
    proxy: { hostPort: 5000 },
    ui: { nodePort: 31000, title: 'ACME images', deleteImages: true },
    discovery: { host: 'registry.acme.example' },
  });
  return chart;
}
