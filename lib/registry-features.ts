// The registry's features that are plain options rather than classes: each checks its own options and returns
// its contribution to config.yml and the pod (see registry-config.ts). Storage, auth, cache and TLS bind themselves
// in their own classes.
import { ApiObject } from 'cdk8s';

import * as k8s from '../imports/k8s';
import { Problems, secretEnv, selectorLabels } from './internal';
import { RegistryContribution, RegistryTarget } from './registry-config';
import { MetricsOptions, PullThroughOptions, UploadPurgingOptions } from './registry-options';
import { checkEnvName, checkGoDuration, checkPort, checkRootUrl } from './rules';
import { SecretKey, secretKeyProblems } from './secret-key';

/** Port the registry process listens on inside its pod (`http.addr` in config.yml). */
export const CONTAINER_PORT = 5000;

/** Env var names whose plain values would put a secret into dist/. */
const SECRET_LIKE_ENV = /(SECRET|PASSWORD|ACCESSKEY|ACCOUNTKEY|TOKEN|CREDENTIAL)/i;

/**
 * Env vars whose names override what config.yml sets (`REGISTRY_<SECTION>_<KEY>`): the library owns these settings, and
 * `REGISTRY_HTTP_ADDR`, say, would move the listener off the port the probes and the Service use.
 */
const OWNED_ENV = /^REGISTRY_(VERSION|HTTP_(ADDR|NET|PREFIX|TLS|DEBUG|HEADERS|SECRET)|STORAGE|AUTH|REDIS|PROXY|CATALOG|HEALTH)(_|$)/;

/** What every registry has: the listener, its headers, the health check, the config volume and the port. */
export function bindCore(configMapName: string, configDir: string): RegistryContribution {
  return {
    config: {
      version: '0.1',
      log: { fields: { service: 'registry' } },
      http: { addr: `:${CONTAINER_PORT}`, headers: { 'X-Content-Type-Options': ['nosniff'] } },
      health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
    },
    volumes: [{ name: 'config', configMap: { name: configMapName } }],
    mounts: [{ name: 'config', mountPath: configDir, readOnly: true }],
    ports: [{ name: 'registry', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
  };
}

/** When unfinished uploads are purged (`storage.maintenance.uploadpurging`). */
export function bindUploadPurging(options: UploadPurgingOptions | undefined, problems: Problems): RegistryContribution {
  const age = options?.age ?? '24h';
  const interval = options?.interval ?? '1h';
  // The registry panics on "1 day" and purges constantly at 0.
  checkGoDuration(problems, 'uploadPurging.age', age);
  checkGoDuration(problems, 'uploadPurging.interval', interval);
  return { config: { storage: { maintenance: { uploadpurging: { enabled: true, age, interval, dryrun: false } } } } };
}

/** The `http.secret` that every replica shares. */
export function bindHttpSecret(secret: SecretKey | undefined, problems: Problems): RegistryContribution {
  if (!secret) return {};
  problems.addAll(secretKeyProblems('httpSecret', secret));
  return { env: [secretEnv('REGISTRY_HTTP_SECRET', secret)] };
}

/** A pull-through cache of another registry. */
export function bindPullThrough(options: PullThroughOptions | undefined, problems: Problems): RegistryContribution {
  if (!options) return {};
  checkRootUrl(problems, 'pullThrough.remoteUrl', options.remoteUrl, 'https://registry-1.docker.io');
  if ((options.username === undefined) !== (options.password === undefined)) {
    problems.add('pullThrough.username and pullThrough.password go together: set both, or neither for anonymous pulls');
  }
  if (options.username) problems.addAll(secretKeyProblems('pullThrough.username', options.username));
  if (options.password) problems.addAll(secretKeyProblems('pullThrough.password', options.password));
  return {
    config: { proxy: { remoteurl: options.remoteUrl } },
    env: [
      ...(options.username ? [secretEnv('REGISTRY_PROXY_USERNAME', options.username)] : []),
      ...(options.password ? [secretEnv('REGISTRY_PROXY_PASSWORD', options.password)] : []),
    ],
  };
}

/** Most repositories one catalog page may list, when set. */
export function bindCatalog(maxEntries: number | undefined, problems: Problems): RegistryContribution {
  if (maxEntries === undefined) return {};
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    problems.add(`catalogMaxEntries must be a whole number of at least 1 (got ${maxEntries})`);
  }
  return { config: { catalog: { maxentries: maxEntries } } };
}

/**
 * Prometheus metrics on the debug server: the config and port, and (from `createObjects`) a ClusterIP Service of its
 * own, since on the NodePort Service the metrics port would be opened on every node, and an optional ServiceMonitor.
 */
export function bindMetrics(options: MetricsOptions | undefined, problems: Problems): RegistryContribution & { port?: number } {
  if (!options) return {};
  const port = options.port ?? 5001;
  checkPort(problems, 'metrics.port', port);
  if (port === CONTAINER_PORT) {
    problems.add(`metrics.port must differ from the registry's own port ${CONTAINER_PORT} (got ${port})`);
  }
  return {
    port,
    config: { http: { debug: { addr: `:${port}`, prometheus: { enabled: true, path: '/metrics' } } } },
    ports: [{ name: 'metrics', containerPort: port, protocol: 'TCP' }],
  };
}

/** The metrics Service and ServiceMonitor; called only once every prop has been checked. */
export function createMetricsObjects(registry: RegistryTarget, options: MetricsOptions, port: number): void {
  const labels = { ...registry.labels, 'app.kubernetes.io/component': 'registry-metrics' };
  new k8s.KubeService(registry.scope, 'metrics-service', {
    metadata: { name: `${registry.name}-metrics`, namespace: registry.namespace, labels },
    spec: {
      type: 'ClusterIP',
      selector: registry.selectorLabels,
      ports: [{ name: 'metrics', protocol: 'TCP', port, targetPort: k8s.IntOrString.fromString('metrics') }],
    },
  });
  if (options.serviceMonitor) {
    // A custom resource of the Prometheus Operator, whose types cdk8s does not import.
    new ApiObject(registry.scope, 'service-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: registry.name, namespace: registry.namespace, labels: registry.labels },
      spec: {
        selector: { matchLabels: { ...selectorLabels('docker-registry', registry.name), 'app.kubernetes.io/component': 'registry-metrics' } },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
      },
    });
  }
}

/** Extra plain env vars of the registry container: never one that looks like a secret. */
export function bindPodEnv(env: Record<string, string> | undefined, problems: Problems): RegistryContribution {
  if (!env) return {};
  for (const name of Object.keys(env)) {
    if (!checkEnvName(problems, 'pod.env', name)) continue;
    if (OWNED_ENV.test(name)) {
      problems.add(`pod.env ${name} overrides a setting this library renders into config.yml; use the prop for it ` +
        '(port, tls, storage, auth, cache, pullThrough, metrics, catalogMaxEntries) or an escape hatch');
    } else if (SECRET_LIKE_ENV.test(name)) {
      problems.add(`pod.env ${name} looks like a secret, and plain env values land in dist/; ` +
        'pass secrets through the props that take a SecretKey (httpSecret, auth, storage credentials)');
    }
  }
  return { env: Object.entries(env).map(([name, value]) => ({ name, value })) };
}
