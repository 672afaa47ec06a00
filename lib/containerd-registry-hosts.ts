import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { stringify } from 'yaml';

import * as k8s from '../imports/k8s';
import { assertShape, claimObjectName, defaultNamespace, describe, objectLabels, Problems, selectorLabels } from './internal';
import { Registry } from './registry';
import { RegistryProxyDaemonSet } from './registry-proxy';
import { checkImage, checkName, checkNamespace, parseUrl } from './rules';
import { arrayOf, BOOLEAN, instanceOf, required, show, STRING, struct, WHOLE_NUMBER } from './shape';

/** Stands for each node's own address in rendered files; the DaemonSet fills it in from `status.hostIP`. */
const NODE_ADDRESS = '@NODE_IP@';
const DEFAULT_IMAGE = 'busybox:1.37.0';
const DEFAULT_CONFIG_PATH = '/etc/containerd/certs.d';
const DEFAULT_CONTAINERD_CONFIG = '/etc/containerd/config.toml';
/** Where the pod sees containerd's config file and each host directory. */
const CONFIG_MOUNT = '/host/containerd/config.toml';
const HOSTS_MOUNT = '/host/certs.d';
const FILES_DIR = '/etc/registry-hosts';
const READY_FILE = '/tmp/ready';

/**
 * Where a node's container runtime sends the pulls for one registry name: a URL on the node itself, since the
 * runtime runs in the node's network and cannot resolve cluster DNS names.
 */
export class NodeRegistryEndpoint {
  /**
   * The registry's NodePort on the node's own address (`http://<node IP>:<nodePort>`; the DaemonSet reads the address
   * from `status.hostIP`). Works with every kube-proxy mode and with Cilium's kube-proxy replacement.
   */
  public static nodePort(registry: Registry): NodeRegistryEndpoint {
    if (!(registry instanceof Construct) || typeof (registry as Registry).serviceHost !== 'string') {
      throw new Error(`NodeRegistryEndpoint.nodePort: registry must be a Registry of this app (got ${show(registry)}); ` +
        'for a registry elsewhere use NodeRegistryEndpoint.fromUrl(...)');
    }
    if (registry.nodePort === undefined) {
      throw new Error(`NodeRegistryEndpoint.nodePort: Registry "${registry.node.path}" has a ClusterIP Service (serviceType ` +
        `${registry.serviceType}), which nodes cannot reach by a node port; give it serviceType: RegistryServiceType.NODE_PORT, ` +
        'or point the nodes at a RegistryProxyDaemonSet with NodeRegistryEndpoint.proxy(...)');
    }
    const scheme = registry.clusterUrl.startsWith('https:') ? 'https' : 'http';
    return new NodeRegistryEndpoint(`${scheme}://${NODE_ADDRESS}:${registry.nodePort}`, registry);
  }

  /**
   * A node proxy on the node's loopback (`http://127.0.0.1:<hostPort>`), in either network mode.
   */
  public static proxy(proxy: RegistryProxyDaemonSet): NodeRegistryEndpoint {
    if (!(proxy instanceof Construct) || typeof (proxy as RegistryProxyDaemonSet).hostPort !== 'number') {
      throw new Error(`NodeRegistryEndpoint.proxy: proxy must be a RegistryProxyDaemonSet of this app (got ${show(proxy)})`);
    }
    const address = proxy.hostIP === '0.0.0.0' ? '127.0.0.1' : proxy.hostIP;
    return new NodeRegistryEndpoint(`http://${address}:${proxy.hostPort}`);
  }

  /**
   * Any URL the node itself reaches, such as an Ingress or a registry outside the cluster: `https://images.corp.example`.
   * No `skip_verify` is written: an HTTPS endpoint needs a certificate the node's runtime trusts.
   */
  public static fromUrl(url: string): NodeRegistryEndpoint {
    const parsed = parseUrl(url);
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.pathname !== '/' || parsed.search || parsed.username) {
      throw new Error(`NodeRegistryEndpoint.fromUrl: url must look like "http://host:port" or "https://host" with no path (got ${JSON.stringify(url)})`);
    }
    return new NodeRegistryEndpoint(`${parsed.protocol}//${parsed.host}`);
  }

  /** The endpoint's URL; `@NODE_IP@` stands for each node's own address. */
  public readonly url: string;
  /** The registry of this app behind the endpoint, when there is one. */
  public readonly registry?: Registry;

  private constructor(url: string, registry?: Registry) {
    this.url = url;
    this.registry = registry;
  }

  /** The URL for one node: its address in place of `@NODE_IP@`. */
  public urlFor(nodeAddress: string): string {
    return this.url.split(NODE_ADDRESS).join(nodeAddress.includes(':') ? `[${nodeAddress}]` : nodeAddress);
  }
}

/** A registry name that nodes resolve to an endpoint. */
export interface NodeRegistryHostOptions {
  /** The registry's name as image references use it, with its port: `registry.local:5000`, `localhost:5000`. */
  readonly host: string;
  /** Where the node's runtime sends pulls of that name. */
  readonly endpoint: NodeRegistryEndpoint;
}

/** A public registry that nodes pull through an in-cluster pull-through cache. */
export interface NodeRegistryMirrorOptions {
  /**
   * The public registry's name as image references use it: `docker.io`, `ghcr.io`, `quay.io`, `registry.k8s.io`.
   * When the cache fails, the node falls back to the registry itself.
   */
  readonly upstream: string;
  /**
   * The pull-through cache of that one upstream (a `Registry` with `pullThrough`; distribution mirrors one upstream
   * per instance), usually `NodeRegistryEndpoint.nodePort(cache)`.
   */
  readonly endpoint: NodeRegistryEndpoint;
}

/** Props of a `ContainerdRegistryHosts`. */
export interface ContainerdRegistryHostsProps {
  /**
   * Name of the DaemonSet and its ConfigMap.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the DaemonSet. Its hostPath volumes need Pod Security `privileged` there (`kube-system` usually is).
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Registry names the nodes resolve: `{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.nodePort(registry) }`.
   * @default - none; at least one host or mirror is required
   */
  readonly hosts?: NodeRegistryHostOptions[];
  /**
   * Public registries the nodes pull through in-cluster caches: `{ upstream: 'docker.io', endpoint: NodeRegistryEndpoint.nodePort(cache) }`.
   * @default - none
   */
  readonly mirrors?: NodeRegistryMirrorOptions[];
  /**
   * containerd's registry `config_path` on the nodes: each host gets `<configPath>/<host>/hosts.toml`. containerd must
   * already have this directory in its `config_path`; the pods check it before writing anything.
   * @default "/etc/containerd/certs.d"
   */
  readonly configPath?: string;
  /**
   * containerd's config file on the nodes, mounted read-only for the check.
   * @default "/etc/containerd/config.toml"
   */
  readonly containerdConfigFile?: string;
  /**
   * Image of the writer: any image with busybox's `sh`, `awk`, `sed`, `cmp` and `sleep`.
   * @default "busybox:1.37.0"
   */
  readonly image?: string;
  /**
   * Run on every node, tainted ones included, so that every node resolves the names.
   * @default true
   */
  readonly tolerateAllTaints?: boolean;
  /**
   * How often each pod checks containerd's config again and puts back a hosts.toml that was removed or edited, in
   * seconds (1-86400).
   * @default 60
   */
  readonly recheckSeconds?: number;
}

interface Entry {
  readonly host: string;
  readonly endpoint: NodeRegistryEndpoint;
  readonly mirror: boolean;
  readonly prop: string;
}

// A registry host as an image reference names it: a DNS name, or an IPv4 address, with an optional port.
const REGISTRY_HOST = /^(localhost|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)(:[0-9]{1,5})?$/;
// Paths go into a shell script and hostPath volumes: absolute, plain characters, no "..".
const PLAIN_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

/** The server containerd falls back to for a public registry: docker.io's is registry-1.docker.io. */
function upstreamServer(upstream: string): string {
  return upstream === 'docker.io' ? 'https://registry-1.docker.io' : `https://${upstream}`;
}

/** `host:port` of a URL: what CRI-O's `location` takes. */
function location(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

/**
 * A DaemonSet that makes every node's containerd resolve registry names to in-cluster registries: it writes
 * `<configPath>/<host>/hosts.toml` for each host and each public-registry mirror, after a preflight that reads
 * containerd's config and refuses (a log line, exit code 1, a pod that never becomes Ready) when containerd's
 * `config_path` does not include `configPath`, where the files would be silently ignored. containerd reads these files
 * on every pull, so nothing is restarted. The same names render as a CRI-O `registries.conf.d` drop-in and a k3s
 * `registries.yaml` for nodes a pod cannot configure (`crioRegistriesConf()`, `k3sRegistriesYaml()`).
 */
export class ContainerdRegistryHosts extends Construct {
  /** Name of the DaemonSet and ConfigMap. */
  public readonly name: string;
  /** Namespace of the DaemonSet and ConfigMap. */
  public readonly namespace: string;
  /** The image whose shell writes the files. */
  public readonly image: string;
  /** containerd's registry config directory on the nodes, where the hosts.toml files go. */
  public readonly configPath: string;
  /** containerd's config file on the nodes, read by the preflight. */
  public readonly containerdConfigFile: string;
  /** The ConfigMap with the hosts.toml templates and the writer's script. */
  public readonly configMapName: string;
  /** Every registry name the nodes resolve (hosts, then mirrors), in order. */
  public readonly hostNames: string[];
  /** The writer's shell script, as the pods run it. */
  public readonly script: string;
  /** How often each pod checks again and puts back removed or edited files, in seconds. */
  public readonly recheckSeconds: number;

  private readonly entries: Entry[];

  constructor(scope: Construct, id: string, props: ContainerdRegistryHostsProps) {
    super(scope, id);
    // JavaScript callers skip the type system: wrong types and unknown props stop here, before anything reads them.
    const endpoint = required(instanceOf('NodeRegistryEndpoint', NodeRegistryEndpoint, 'NodeRegistryEndpoint.nodePort(registry)'));
    assertShape(describe('ContainerdRegistryHosts', this), props, struct('ContainerdRegistryHostsProps', {
      name: STRING,
      namespace: STRING,
      hosts: arrayOf(struct('NodeRegistryHostOptions', { host: required(STRING), endpoint } satisfies Record<keyof NodeRegistryHostOptions, unknown>)),
      mirrors: arrayOf(struct('NodeRegistryMirrorOptions', {
        upstream: required(STRING), endpoint,
      } satisfies Record<keyof NodeRegistryMirrorOptions, unknown>)),
      configPath: STRING,
      containerdConfigFile: STRING,
      image: STRING,
      tolerateAllTaints: BOOLEAN,
      recheckSeconds: WHOLE_NUMBER,
    } satisfies Record<keyof ContainerdRegistryHostsProps, unknown>));
    this.name = props.name ?? id;
    this.namespace = props.namespace ?? defaultNamespace(this);
    this.image = props.image ?? DEFAULT_IMAGE;
    this.configPath = props.configPath ?? DEFAULT_CONFIG_PATH;
    this.containerdConfigFile = props.containerdConfigFile ?? DEFAULT_CONTAINERD_CONFIG;
    this.configMapName = this.name;
    this.recheckSeconds = props.recheckSeconds ?? 60;

    const owner = describe('ContainerdRegistryHosts', this);
    const problems = new Problems(owner);
    checkName(problems, 'name', this.name);
    checkNamespace(problems, this.namespace);
    checkImage(problems, this.image, DEFAULT_IMAGE);
    for (const [prop, value, fallback] of [['configPath', this.configPath, DEFAULT_CONFIG_PATH], ['containerdConfigFile', this.containerdConfigFile, DEFAULT_CONTAINERD_CONFIG]]) {
      if (typeof value !== 'string' || !PLAIN_PATH.test(value) || value.split('/').includes('..')) {
        problems.add(`${prop} must be an absolute path on the node of letters, digits, ".", "_", "-" and "/" (got ${JSON.stringify(value)}); omit it for "${fallback}"`);
      }
    }
    if (typeof this.recheckSeconds !== 'number' || !Number.isInteger(this.recheckSeconds) || this.recheckSeconds < 1 || this.recheckSeconds > 86400) {
      problems.add(`recheckSeconds must be a whole number of seconds within 1-86400 (got ${JSON.stringify(this.recheckSeconds)}); omit it for 60`);
    }
    if (props.tolerateAllTaints !== undefined && typeof props.tolerateAllTaints !== 'boolean') {
      problems.add(`tolerateAllTaints must be true or false (got ${JSON.stringify(props.tolerateAllTaints)})`);
    }

    const entries: Entry[] = [];
    const collect = (prop: 'hosts' | 'mirrors', list: unknown, key: 'host' | 'upstream') => {
      if (list === undefined) return;
      if (!Array.isArray(list)) {
        problems.add(`${prop} must be a list (got ${JSON.stringify(list)})`);
        return;
      }
      list.forEach((item: any, i: number) => {
        const where = `${prop}[${i}]`;
        const host = item?.[key];
        if (typeof host !== 'string' || !REGISTRY_HOST.test(host) || Number(host.split(':')[1] ?? 1) > 65535) {
          problems.add(`${where}.${key} must be a registry host as image references name it, such as ` +
            `"${key === 'host' ? 'registry.local:5000' : 'docker.io'}": no scheme, no path (got ${JSON.stringify(host)})`);
        }
        if (!(item?.endpoint instanceof NodeRegistryEndpoint)) {
          problems.add(`${where}.endpoint must be a NodeRegistryEndpoint (got ${JSON.stringify(item?.endpoint)}); use ` +
            'NodeRegistryEndpoint.nodePort(registry), .proxy(proxy) or .fromUrl(url)');
        }
        entries.push({ host, endpoint: item?.endpoint, mirror: prop === 'mirrors', prop: where });
      });
    };
    collect('hosts', props.hosts, 'host');
    collect('mirrors', props.mirrors, 'upstream');
    if (entries.length === 0 && Array.isArray(props.hosts ?? []) && Array.isArray(props.mirrors ?? [])) {
      problems.add('hosts and mirrors are both empty: name at least one registry for the nodes, such as ' +
        '{ host: \'registry.local:5000\', endpoint: NodeRegistryEndpoint.nodePort(registry) }');
    }
    const seen = new Map<string, string>();
    const caches = new Map<Registry, string>();
    for (const e of entries) {
      if (typeof e.host === 'string' && seen.has(e.host)) {
        problems.add(`${e.prop} names ${e.host} again (first in ${seen.get(e.host)}): a node has one hosts.toml per name; keep one`);
      }
      seen.set(e.host, e.prop);
      const registry = e.endpoint instanceof NodeRegistryEndpoint ? e.endpoint.registry : undefined;
      if (e.mirror && registry !== undefined) {
        if (!registry.pullThroughCache) {
          problems.add(`${e.prop} sends ${e.host} pulls to Registry "${registry.node.path}", which is not a pull-through cache: ` +
            `it would answer 404 for every ${e.host} image; give that registry pullThrough: { remoteUrl: '${upstreamServer(e.host)}' }`);
        } else if (caches.has(registry)) {
          problems.add(`${e.prop} and ${caches.get(registry)} share the pull-through cache "${registry.node.path}": distribution ` +
            'mirrors one upstream per instance; give each upstream its own Registry with pullThrough');
        }
        caches.set(registry, e.prop);
      }
    }
    problems.throwIfAny();

    this.entries = entries;
    this.hostNames = entries.map(e => e.host);
    this.script = this.renderScript();
    claimObjectName(this, 'DaemonSet', this.namespace, this.name, owner);
    claimObjectName(this, 'ConfigMap', this.namespace, this.configMapName, owner);

    const selector = { ...selectorLabels('containerd-registry-hosts', this.name), 'app.kubernetes.io/component': 'node-config' };
    const labels = { ...objectLabels('containerd-registry-hosts', this.name, 'node-config', this.name), ...selector };
    const data: Record<string, string> = { 'write-hosts.sh': this.script };
    entries.forEach((e, i) => { data[`host-${i}.toml`] = this.hostsToml(e.host, NODE_ADDRESS); });
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: this.configMapName, namespace: this.namespace, labels }, data });
    const checksum = createHash('sha256').update(JSON.stringify(data)).digest('hex');

    new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            tolerations: (props.tolerateAllTaints ?? true) ? [{ operator: 'Exists' }] : undefined,
            terminationGracePeriodSeconds: 5,
            // Root only to write into the root-owned host directories: no capabilities, no escalation, read-only root.
            securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'write-hosts',
              image: this.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', `${FILES_DIR}/write-hosts.sh`],
              env: [{ name: 'NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
              readinessProbe: { exec: { command: ['cat', READY_FILE] }, periodSeconds: 5 },
              resources: {
                requests: { cpu: k8s.Quantity.fromString('5m'), memory: k8s.Quantity.fromString('8Mi') },
                limits: { memory: k8s.Quantity.fromString('32Mi') },
              },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
              volumeMounts: [
                { name: 'files', mountPath: FILES_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'containerd-config', mountPath: CONFIG_MOUNT, readOnly: true },
                ...entries.map((_, i) => ({ name: `host-${i}`, mountPath: `${HOSTS_MOUNT}/${i}` })),
              ],
            }],
            volumes: [
              { name: 'files', configMap: { name: this.configMapName } },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
              // Only what is needed: containerd's config file, read-only, and one directory per registry name.
              { name: 'containerd-config', hostPath: { path: this.containerdConfigFile, type: 'File' } },
              ...entries.map((e, i) => ({ name: `host-${i}`, hostPath: { path: `${this.configPath}/${e.host}`, type: 'DirectoryOrCreate' } })),
            ],
          },
        },
      },
    });
  }

  /**
   * The `hosts.toml` a node gets for one of the names, with `nodeAddress` as the node's own address (the DaemonSet
   * fills in each node's). For a local name the endpoint is the server; for a mirror the cache is tried first and
   * the public registry is the fallback.
   */
  public hostsToml(host: string, nodeAddress: string): string {
    const e = this.entries.find(x => x.host === host);
    if (!e) throw new Error(`ContainerdRegistryHosts at "${this.node.path}": no host ${JSON.stringify(host)}; it has ${this.hostNames.join(', ')}`);
    const url = e.endpoint.urlFor(nodeAddress);
    const head = `# Generated by cdk8s-private-registry (${this.node.path}): pulls of ${e.host}`;
    // Always a [host] table: containerd 1.6 refuses a file with only `server` ("failed to decode hosts.toml",
    // "invalid `host` tree") and silently pulls from the default server; the cluster suite saw it.
    if (!e.mirror) {
      return `${head} go to ${url}.\nserver = "${url}"\n\n[host."${url}"]\n  capabilities = ["pull", "resolve", "push"]\n`;
    }
    return `${head} go through the pull-through cache first, then to ${e.host} itself.\n` +
      `server = "${upstreamServer(e.host)}"\n\n[host."${url}"]\n  capabilities = ["pull", "resolve"]\n`;
  }

  /**
   * The same names as a CRI-O drop-in, `/etc/containers/registries.conf.d/50-<name>.conf` on every node (CRI-O reads it
   * on `systemctl reload crio`). Plain-HTTP endpoints are marked insecure. `nodeAddress` replaces the node's address in
   * NodePort endpoints: `127.0.0.1` needs kube-proxy's localhost NodePorts (iptables mode), or give each node its own.
   */
  public crioRegistriesConf(nodeAddress: string = '127.0.0.1'): string {
    const lines = [`# /etc/containers/registries.conf.d/50-${this.name}.conf, generated by cdk8s-private-registry (${this.node.path}).`];
    for (const e of this.entries) {
      const url = e.endpoint.urlFor(nodeAddress);
      const insecure = url.startsWith('http:') ? '\ninsecure = true' : '';
      if (!e.mirror) {
        lines.push(`\n[[registry]]\nprefix = "${e.host}"\nlocation = "${location(url)}"${insecure}`);
      } else {
        lines.push(`\n[[registry]]\nprefix = "${e.host}"\nlocation = "${e.host}"\n\n[[registry.mirror]]\nlocation = "${location(url)}"${insecure}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /**
   * The same names as k3s's `/etc/rancher/k3s/registries.yaml` (`mirrors` entries), for every k3s node; k3s reads it
   * at start (`systemctl restart k3s`, or `k3s-agent`). `nodeAddress` as for `crioRegistriesConf`.
   */
  public k3sRegistriesYaml(nodeAddress: string = '127.0.0.1'): string {
    const mirrors: Record<string, { endpoint: string[] }> = {};
    for (const e of this.entries) mirrors[e.host] = { endpoint: [e.endpoint.urlFor(nodeAddress)] };
    return `# /etc/rancher/k3s/registries.yaml, generated by cdk8s-private-registry (${this.node.path}).\n` +
      stringify({ mirrors }, { lineWidth: 0 });
  }

  private renderScript(): string {
    const conf = this.containerdConfigFile;
    const writes = this.entries.map((e, i) => `write ${i} ${e.host} ${e.endpoint.url.split(NODE_ADDRESS).join('$NODE_ADDRESS')}`).join('\n  ');
    return `# Generated by cdk8s-private-registry: writes containerd's hosts.toml files on this node, after checking that
# containerd reads them (its config_path includes ${this.configPath}). containerd reads them on every pull: no restart.
set -u
trap 'exit 0' TERM INT
case "$NODE_IP" in *:*) NODE_ADDRESS="[$NODE_IP]" ;; *) NODE_ADDRESS="$NODE_IP" ;; esac

# config_path of the CRI registry section ([plugins."io.containerd.grpc.v1.cri".registry] in containerd 1.x,
# [plugins."io.containerd.cri.v1.images".registry] in 2.x), or nothing.
config_path() {
  awk '/^[[:space:]]*\\[/ { s = $0; gsub(/[[:space:]]/, "", s); reg = (s ~ /\\.registry\\]$/); next }
    reg && /^[[:space:]]*config_path[[:space:]]*=/ { v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]*(#.*)?$/, "", v); print v; exit }' \\
    ${CONFIG_MOUNT} | tr -d "\\"'"
}

preflight() {
  path=$(config_path)
  if [ -z "$path" ]; then
    echo "preflight failed: containerd's config_path is not set in ${conf}, so containerd would ignore every hosts.toml in ${this.configPath}. Set config_path = \\"${this.configPath}\\" in its [plugins.\\"io.containerd.grpc.v1.cri\\".registry] section (containerd 2: [plugins.\\"io.containerd.cri.v1.images\\".registry]) and restart containerd on this node; nothing was written."
    return 1
  fi
  case ":$path:" in *":${this.configPath}:"*) return 0 ;; esac
  echo "preflight failed: containerd's config_path in ${conf} is \\"$path\\", which does not include ${this.configPath}, where this DaemonSet writes; set its configPath to a directory of config_path; nothing was written."
  return 1
}

write() { # index host endpoint: the file from the ConfigMap with this node's address, replaced atomically when it differs
  sed "s/${NODE_ADDRESS}/$NODE_ADDRESS/g" "${FILES_DIR}/host-$1.toml" > "${HOSTS_MOUNT}/$1/.hosts.toml.tmp"
  if cmp -s "${HOSTS_MOUNT}/$1/.hosts.toml.tmp" "${HOSTS_MOUNT}/$1/hosts.toml"; then
    rm -f "${HOSTS_MOUNT}/$1/.hosts.toml.tmp"
  else
    mv "${HOSTS_MOUNT}/$1/.hosts.toml.tmp" "${HOSTS_MOUNT}/$1/hosts.toml"
    echo "wrote ${this.configPath}/$2/hosts.toml: pulls of $2 go to $3"
  fi
}

write_all() {
  ${writes}
}

preflight || exit 1
echo "preflight ok: containerd's config_path includes ${this.configPath}"
write_all
echo ok > ${READY_FILE}
while true; do
  sleep ${this.recheckSeconds} & wait $!
  preflight || { rm -f ${READY_FILE}; exit 1; }
  write_all
done
`;
  }
}
