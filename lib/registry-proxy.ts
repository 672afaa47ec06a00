import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { isIP } from 'net';

import * as k8s from '../imports/k8s';
import { assertShape, claimHostPort, claimObjectName, defaultNamespace, describe, helmNames, objectLabels, Problems, restrictedContainerSecurity, selectorLabels } from './internal';
import { REGISTRY_REFERENCE } from './prop-shapes';
import { IRegistry } from './registry';
import { checkHelmName, checkHelmRelease, checkImage, checkName, checkNamespace, checkPort } from './rules';
import { BOOLEAN, enumOf, required, STRING, struct, WHOLE_NUMBER } from './shape';

/** How the node proxy's port reaches the node's container runtime. */
export enum RegistryProxyNetwork {
  /**
   * A hostPort (`hostPort` → nginx on 8080 in the pod's own network), through the CNI `portmap` plugin, as the
   * kube-registry-proxy chart does. Needs portmap with SNAT for `hostIP: 127.0.0.1`.
   */
  HOST_PORT = 'HostPort',
  /**
   * nginx in the node's own network namespace (`hostNetwork: true`), listening on `hostIP:hostPort` itself: for CNIs
   * that cannot do hostPort (CRI-O's own hostport handling, Calico eBPF, Cilium without portmap). Pod Security
   * `privileged`, as for the hostPort.
   */
  HOST_NETWORK = 'HostNetwork',
}

/** Options of a `RegistryProxyDaemonSet`: its props without the registry (`PrivateRegistry`'s `proxy`). */
export interface RegistryProxyDaemonSetOptions {
  /**
   * Name of the DaemonSet; the ConfigMap is `<name>-config`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the DaemonSet. Pod Security must allow hostPort there (`privileged`; kube-system usually does).
   * @default - the registry's namespace, else the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Port opened on every node, so container runtimes pull `localhost:<hostPort>/...`.
   * @default 5000
   */
  readonly hostPort?: number;
  /**
   * Node address the hostPort binds to (with `RegistryProxyNetwork.HOST_NETWORK`, the address nginx itself listens on).
   * The proxy has no auth, so by default only the node itself reaches it, as in the kube-registry-proxy chart;
   * `"0.0.0.0"` opens it on every node address.
   * @default "127.0.0.1"
   */
  readonly hostIP?: string;
  /**
   * How the port reaches the node: a hostPort through the CNI (the chart's way), or nginx in the node's network
   * namespace bound to `hostIP:hostPort`. Both need a namespace whose Pod Security level is `privileged`.
   * @default RegistryProxyNetwork.HOST_PORT
   */
  readonly network?: RegistryProxyNetwork;
  /**
   * nginx image; it must accept `nginx -c FILE` and run as uid 101 (an unprivileged build).
   * @default "nginxinc/nginx-unprivileged:1.31.0-alpine"
   */
  readonly image?: string;
  /**
   * Run on every node, tainted ones included (control planes, dedicated pools), so every runtime can pull.
   * @default true
   */
  readonly tolerateAllTaints?: boolean;
  /**
   * How long a proxy pod being replaced (a rollout, a node drain) keeps serving the pulls it has started, in seconds:
   * its `terminationGracePeriodSeconds`. nginx stops accepting at once and ends as soon as its last pull does; the
   * default 30 s of Kubernetes cut pulls of large layers.
   * @default 600
   */
  readonly drainSeconds?: number;
  /**
   * Render the name and selector of a live `helm install <release> incubator/kube-registry-proxy`
   * (`<release>-kube-registry-proxy`, selector `app: <that name>`), so this DaemonSet replaces it in place.
   * @default - this library's own name and labels
   */
  readonly helmRelease?: string;
}

const PROXY_OPTION_FIELDS = {
  name: STRING,
  namespace: STRING,
  hostPort: WHOLE_NUMBER,
  hostIP: STRING,
  image: STRING,
  tolerateAllTaints: BOOLEAN,
  drainSeconds: WHOLE_NUMBER,
  helmRelease: STRING,
  network: enumOf('RegistryProxyNetwork', RegistryProxyNetwork),
} satisfies Record<keyof RegistryProxyDaemonSetOptions, unknown>;

/** @internal */
export const PROXY_OPTIONS = struct('RegistryProxyDaemonSetOptions', PROXY_OPTION_FIELDS);
const PROXY_PROPS = struct('RegistryProxyDaemonSetProps', {
  ...PROXY_OPTION_FIELDS, registry: required(REGISTRY_REFERENCE),
} satisfies Record<keyof RegistryProxyDaemonSetProps, unknown>);

/** Props of a `RegistryProxyDaemonSet`. */
export interface RegistryProxyDaemonSetProps extends RegistryProxyDaemonSetOptions {
  /** The registry to forward to: a `Registry` of this app, or `Registry.fromUrl(...)`. */
  readonly registry: IRegistry;
}

/** nginx's workers and connections per worker: they bound the proxy's memory (see PROXY_MEMORY_LIMIT). */
const PROXY_WORKERS = 2;
const PROXY_WORKER_CONNECTIONS = 256;
/** 256 downloads of about 1.1 MiB of buffers each, plus nginx itself, with room: measured by the e2e suite. */
const PROXY_MEMORY_LIMIT = '384Mi';

/** nginx-unprivileged runs as uid 101 and cannot bind ports below 1024. */
const PROXY_UID = 101;
const CONTAINER_PORT = 8080;
const CONFIG_DIR = '/etc/registry-proxy';
/** nginx's prefix: the pid file and temp directories live here, on an emptyDir. */
const PREFIX_DIR = '/tmp/nginx/';
const HEALTH_PATH = '/proxy-healthz';
const DEFAULT_IMAGE = 'nginxinc/nginx-unprivileged:1.31.0-alpine';

/**
 * The nginx.conf of the node proxy. Relative paths resolve against nginx's prefix (`-p`), so the same
 * file runs unchanged in the pod and in the end-to-end tests.
 */
export function renderProxyNginxConfig(upstreamHostPort: string, listenPort: number, upstreamTls = false, externalHost?: string, listenAddress?: string): string {
  const host = externalHost === undefined ? `
      # The client's host:port, so the registry's upload Location headers point back at this node port.
      proxy_set_header Host $http_host;` : `
      # An external registry, often behind a front end that routes by host name: send its own host, as a direct
      # client would, and make its absolute Location headers relative, so that clients stay on this proxy.
      proxy_set_header Host ${externalHost};
      proxy_redirect ~^https?://${externalHost.replace(/:\d+$/, '').replace(/[.]/g, '\\.')}(?::[0-9]+)?(/.*)$ $1;`;
  // In-cluster certificates are rarely issued for the Service name, so the upstream's is not verified: the
  // hop stays inside the cluster network. SNI still names the Service.
  const tls = upstreamTls ? `
      proxy_ssl_server_name on;
      proxy_ssl_name ${upstreamHostPort.replace(/:\d+$/, '')};
      proxy_ssl_session_reuse on;` : '';
  return `# Generated by cdk8s-private-registry: forwards this node's registry port to the registry Service.
daemon off;
# At most 2 x 256 connections: 256 proxied downloads (a client and an upstream connection each), about 1.1 MiB of
# buffers each, so the pod's memory limit (PROXY_MEMORY_LIMIT) always holds; the e2e suite measures it.
worker_processes ${PROXY_WORKERS};
pid nginx.pid;
error_log stderr warn;

events {
  worker_connections ${PROXY_WORKER_CONNECTIONS};
}

http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path client_body_temp;
  proxy_temp_path proxy_temp;
  fastcgi_temp_path fastcgi_temp;
  uwsgi_temp_path uwsgi_temp;
  scgi_temp_path scgi_temp;

  upstream registry {
    # Resolved once at start; a Service's ClusterIP does not change.
    server ${upstreamHostPort};
    keepalive 32;
  }

  server {
    listen ${listenAddress === undefined ? '' : `${listenAddress}:`}${listenPort};
    # Image layers are often larger than the default 1 MiB body limit.
    client_max_body_size 0;
    chunked_transfer_encoding on;
    # Larger reads while streaming an upload: 500 MB pushes went from 0.83x to about 1x of direct speed.
    client_body_buffer_size 1m;

    location = ${HEALTH_PATH} {
      return 200 "ok\\n";
    }

    location / {
      proxy_pass ${upstreamTls ? 'https' : 'http'}://registry;${tls}
      # HTTP/1.1 with keep-alive upstream; without it nginx spools chunked uploads to disk.
      proxy_http_version 1.1;
      proxy_set_header Connection "";${host}
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Stream uploads straight to the registry instead of writing each layer to disk first.
      proxy_request_buffering off;
      # Buffer downloads in memory only: faster than unbuffered small copies, and never on disk.
      proxy_buffering on;
      proxy_buffer_size 64k;
      proxy_buffers 16 64k;
      proxy_busy_buffers_size 128k;
      proxy_max_temp_file_size 0;
      # Large layers take a while on slow links.
      proxy_read_timeout 900s;
      proxy_send_timeout 900s;
    }
  }
}
`;
}

/**
 * A DaemonSet of nginx on hostPort 5000 of every node, forwarding to a registry, so that container
 * runtimes pull `localhost:5000/...` over plain HTTP. Replaces the kube-registry-proxy chart.
 */
export class RegistryProxyDaemonSet extends Construct {
  /** Name of the DaemonSet; the ConfigMap is `<name>-config`. */
  public readonly name: string;
  /** Namespace of the DaemonSet and ConfigMap. */
  public readonly namespace: string;
  /** The nginx image. */
  public readonly image: string;
  /** Port on every node that container runtimes pull from. */
  public readonly hostPort: number;
  /** Node address the hostPort is bound to (`127.0.0.1`: only the node itself). */
  public readonly hostIP: string;
  /** How the port reaches the node: a hostPort, or nginx in the node's network namespace. */
  public readonly network: RegistryProxyNetwork;
  /** The pods' terminationGracePeriodSeconds: how long a pod being replaced keeps serving started pulls. */
  public readonly drainSeconds: number;
  /** Name of the ConfigMap holding `nginx.conf`. */
  public readonly configMapName: string;
  /** `host:port` nginx forwards to. */
  public readonly upstream: string;
  /** `localhost:<hostPort>`: what container runtimes on every node pull from. */
  public readonly nodeHost: string;
  /** The exact text of the generated nginx.conf. */
  public readonly nginxConfig: string;
  /** Labels on the proxy pods; the registry Service's selector never matches them. */
  public readonly podLabels: Record<string, string>;
  /** The DaemonSet (also `node.defaultChild`): an escape hatch for fields this library does not offer. */
  public readonly daemonSet: ApiObject;
  /** The ConfigMap with `nginx.conf`: an escape hatch. */
  public readonly configMap: ApiObject;

  constructor(scope: Construct, id: string, props: RegistryProxyDaemonSetProps) {
    super(scope, id);
    const owner = describe('RegistryProxyDaemonSet', this);
    // JavaScript callers skip the type system: wrong types and unknown props stop here, before anything reads them.
    assertShape(owner, props, PROXY_PROPS);
    // The proxy chart's fullname is always `<release>-kube-registry-proxy`, cut to 63 characters.
    const helmName = typeof props.helmRelease === 'string'
      ? helmNames(props.helmRelease, 'kube-registry-proxy', { containsRule: false }).fullname : undefined;
    this.name = props.name ?? helmName ?? id;
    this.namespace = props.namespace ?? props.registry.namespace ?? defaultNamespace(this);
    this.image = props.image ?? DEFAULT_IMAGE;
    this.hostPort = props.hostPort ?? 5000;
    this.hostIP = props.hostIP ?? '127.0.0.1';
    this.network = props.network ?? RegistryProxyNetwork.HOST_PORT;
    this.drainSeconds = props.drainSeconds ?? 600;
    this.configMapName = `${this.name}-config`;
    this.upstream = `${props.registry.serviceHost}:${props.registry.port}`;
    this.nodeHost = `localhost:${this.hostPort}`;
    const problems = new Problems(owner);
    checkProxy(problems, this, props, helmName);
    problems.throwIfAny();

    const hostNetwork = this.network === RegistryProxyNetwork.HOST_NETWORK;
    // A registry of this app is reached by its Service; one from Registry.fromUrl has no namespace and is external.
    const externalHost = props.registry.namespace === undefined ? new URL(props.registry.clusterUrl).host : undefined;
    // In the node's network namespace nginx itself listens on hostIP:hostPort; behind a hostPort, on 8080 in the pod.
    this.nginxConfig = renderProxyNginxConfig(this.upstream, hostNetwork ? this.hostPort : CONTAINER_PORT,
      props.registry.clusterUrl.startsWith('https:'), externalHost, hostNetwork && this.hostIP !== '0.0.0.0' ? this.hostIP : undefined);
    claimObjectName(this, 'DaemonSet', this.namespace, this.name, owner);
    claimObjectName(this, 'ConfigMap', this.namespace, this.configMapName, owner);
    claimHostPort(this, this.hostIP, this.hostPort, owner);

    // The chart's DaemonSet selects on `app: <its name>`, and a selector cannot change.
    const selector: Record<string, string> = helmName !== undefined
      ? { app: helmName }
      : { ...selectorLabels('registry-proxy', this.name), 'app.kubernetes.io/component': 'node-proxy' };
    // Part of the registry it serves; a proxy of an external registry is an application of its own.
    this.podLabels = { ...objectLabels('registry-proxy', this.name, 'node-proxy', props.registry.partOf ?? this.name), ...selector };
    props.registry.addClient({ description: owner, construct: this, namespace: this.namespace, podSelector: selector });
    ({ configMap: this.configMap, daemonSet: this.daemonSet } = createProxyObjects(this, selector, props.tolerateAllTaints ?? true));
  }
}

function checkProxy(problems: Problems, proxy: RegistryProxyDaemonSet, props: RegistryProxyDaemonSetProps, helmName?: string): void {
  checkName(problems, 'name', proxy.name);
  checkNamespace(problems, proxy.namespace);
  checkImage(problems, proxy.image, DEFAULT_IMAGE);
  checkPort(problems, 'hostPort', proxy.hostPort);
  if (proxy.drainSeconds < 0 || proxy.drainSeconds > 86400) {
    problems.add(`drainSeconds must be a whole number of seconds within 0-86400 (got ${JSON.stringify(proxy.drainSeconds)}); omit it for 600`);
  }
  checkHelmName(problems, props.name, helmName, 'DaemonSet');
  if (props.helmRelease !== undefined) checkHelmRelease(problems, 'helmRelease', props.helmRelease);
  if (isIP(proxy.hostIP) !== 4) {
    problems.add(`hostIP must be an IPv4 address such as "127.0.0.1" or "0.0.0.0" (got ${JSON.stringify(proxy.hostIP)})`);
  }
}

function createProxyObjects(proxy: RegistryProxyDaemonSet, selector: Record<string, string>, tolerateAllTaints: boolean):
{ configMap: ApiObject; daemonSet: ApiObject } {
  const labels = proxy.podLabels;
  const hostNetwork = proxy.network === RegistryProxyNetwork.HOST_NETWORK;
  const listenPort = hostNetwork ? proxy.hostPort : CONTAINER_PORT;
  const configMap = new k8s.KubeConfigMap(proxy, 'config', {
    metadata: { name: proxy.configMapName, namespace: proxy.namespace, labels },
    data: { 'nginx.conf': proxy.nginxConfig },
  });
  const probe: k8s.Probe = {
    // In the node's network the pod IP is the node's, where nginx may not listen: probe the address it binds.
    httpGet: { path: HEALTH_PATH, port: k8s.IntOrString.fromNumber(listenPort), host: hostNetwork && proxy.hostIP !== '0.0.0.0' ? proxy.hostIP : undefined },
    periodSeconds: 10,
    timeoutSeconds: 2,
  };
  // `Resource` is the id cdk8s takes for `node.defaultChild`: the object escape hatches patch.
  const daemonSet = new k8s.KubeDaemonSet(proxy, 'Resource', {
    metadata: { name: proxy.name, namespace: proxy.namespace, labels },
    spec: {
      selector: { matchLabels: selector },
      // A hostPort is held by one pod per node at a time, so pods are replaced, never surged.
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) },
      },
      template: {
        metadata: {
          labels,
          annotations: { 'checksum/config': createHash('sha256').update(proxy.nginxConfig).digest('hex') },
        },
        spec: {
          automountServiceAccountToken: false,
          // In the node's network, cluster DNS still resolves the registry Service's name (nginx resolves it at start).
          ...(hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
          // No <SERVICE>_PORT=tcp://... env vars from the namespace's Services: only what is written here.
          enableServiceLinks: false,
          tolerations: tolerateAllTaints ? [{ operator: 'Exists' }] : undefined,
          // The image stops nginx with SIGQUIT (its STOPSIGNAL): no new connections, started pulls run to the end.
          terminationGracePeriodSeconds: proxy.drainSeconds,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: PROXY_UID,
            runAsGroup: PROXY_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [{
            name: 'nginx',
            image: proxy.image,
            imagePullPolicy: 'IfNotPresent',
            // An explicit config file: the image's entrypoint scripts never rewrite it.
            command: ['nginx', '-p', PREFIX_DIR, '-c', `${CONFIG_DIR}/nginx.conf`, '-e', 'stderr'],
            ports: [{
              name: 'registry',
              containerPort: listenPort,
              hostPort: proxy.hostPort,
              hostIp: proxy.hostIP === '0.0.0.0' ? undefined : proxy.hostIP,
              protocol: 'TCP',
            }],
            readinessProbe: probe,
            livenessProbe: { ...probe, failureThreshold: 6 },
            resources: {
              requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('32Mi') },
              limits: { memory: k8s.Quantity.fromString(PROXY_MEMORY_LIMIT) },
            },
            securityContext: restrictedContainerSecurity(true),
            volumeMounts: [
              { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
              { name: 'nginx-prefix', mountPath: PREFIX_DIR },
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: proxy.configMapName } },
            { name: 'nginx-prefix', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
          ],
        },
      },
    },
  });
  return { configMap, daemonSet };
}
