import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import * as k8s from '../imports/k8s';
import {
  Problems, checkImage, checkName, checkNamespace, checkNodePort, checkPort, checkReplicas, claimNodePort,
  claimObjectName, defaultNamespace, describe, objectLabels, restrictedContainerSecurity, restrictedPodSecurity,
  selectorLabels,
} from './internal';
import { RegistryStorage } from './registry-storage';

/** What other constructs need to reach a registry. */
export interface IRegistry {
  /** Host name that pods in the cluster use: `<service>.<namespace>.svc`, or an external host. */
  readonly serviceHost: string;
  /** Port of the registry's Service (or of the external registry). */
  readonly port: number;
  /** `http://<serviceHost>:<port>`: the registry as seen from inside the cluster. */
  readonly clusterUrl: string;
  /** Namespace of the registry's objects, when it is a `Registry` of this app. */
  readonly namespace?: string;
}

/** How the registry's Service is exposed. */
export enum RegistryServiceType {
  /** Reachable on every node's address at `nodePort`, as the classic setup does. */
  NODE_PORT = 'NodePort',
  /** Reachable inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
}

export interface RegistryProps {
  /**
   * Name of the Deployment and Service; the ConfigMap is `<name>-config`. Renaming replaces live objects.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Registry image, pinned.
   * @default "registry:2.8.3"
   */
  readonly image?: string;
  /**
   * Number of registry pods. More than one needs storage that several nodes can share.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Where blobs and manifests are kept.
   * @default RegistryStorage.persistentVolume() - a 10Gi ReadWriteOnce claim with the cluster's default StorageClass
   */
  readonly storage?: RegistryStorage;
  /**
   * How the Service is exposed.
   * @default RegistryServiceType.NODE_PORT
   */
  readonly serviceType?: RegistryServiceType;
  /**
   * Port on every node when `serviceType` is NodePort; must lie in 30000-32767 and be unique in the cluster.
   * @default 31500
   */
  readonly nodePort?: number;
  /**
   * Port of the Service inside the cluster.
   * @default 5000
   */
  readonly port?: number;
}

/** Port the registry process listens on inside its pod (`http.addr` in config.yml). */
const CONTAINER_PORT = 5000;
const CONFIG_DIR = '/etc/docker/registry';
const DATA_DIR = '/var/lib/registry';
/** The registry image runs as root by default; the Helm chart runs it as 1000, and so do we. */
const REGISTRY_UID = 1000;

/** A registry 2.x `config.yml`, as far as this library writes it. */
export interface RegistryConfig {
  readonly version: string;
  readonly log: { readonly fields: Record<string, string> };
  readonly storage: Record<string, unknown>;
  readonly http: {
    readonly addr: string;
    readonly headers: Record<string, string[]>;
  };
  readonly health: {
    readonly storagedriver: { readonly enabled: boolean; readonly interval: string; readonly threshold: number };
  };
}

/**
 * A private container registry (distribution 2.x): ConfigMap with `config.yml`, Deployment,
 * Service and storage. Replaces the `stable/docker-registry` Helm chart.
 */
export class Registry extends Construct implements IRegistry {
  /**
   * A registry that this app does not create, for proxies and UIs to point at.
   * @param url `http://host:port` as pods in the cluster reach it
   */
  public static fromUrl(url: string): IRegistry {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.pathname !== '/' || parsed.search) {
      throw new Error(`Registry.fromUrl: url must look like "http://host:port" with no path (got ${JSON.stringify(url)})`);
    }
    const port = parsed.port ? Number(parsed.port) : (parsed.protocol === 'https:' ? 443 : 80);
    return {
      serviceHost: parsed.hostname,
      port,
      clusterUrl: `${parsed.protocol}//${parsed.host}`,
    };
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly image: string;
  public readonly replicas: number;
  public readonly serviceType: RegistryServiceType;
  /** The node port, or undefined for a ClusterIP Service. */
  public readonly nodePort?: number;
  public readonly port: number;
  public readonly serviceName: string;
  public readonly configMapName: string;
  public readonly serviceHost: string;
  public readonly clusterUrl: string;
  /** The config model rendered into the ConfigMap's `config.yml`. */
  public readonly config: RegistryConfig;
  /** The exact text of `config.yml`. */
  public readonly configYaml: string;
  /** Labels on the registry's pods; the Service selects on a subset of them. */
  public readonly podLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: RegistryProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = props.namespace ?? defaultNamespace(this);
    this.image = props.image ?? 'registry:2.8.3';
    this.replicas = props.replicas ?? 1;
    this.serviceType = props.serviceType ?? RegistryServiceType.NODE_PORT;
    this.nodePort = this.serviceType === RegistryServiceType.NODE_PORT ? props.nodePort ?? 31500 : undefined;
    this.port = props.port ?? 5000;
    this.serviceName = this.name;
    this.configMapName = `${this.name}-config`;
    this.serviceHost = `${this.serviceName}.${this.namespace}.svc`;
    this.clusterUrl = `http://${this.serviceHost}:${this.port}`;

    const owner = describe('Registry', this);
    const problems = new Problems(owner);
    checkName(problems, 'name', this.name, 56); // leaves room for the "-config" suffix
    checkNamespace(problems, this.namespace);
    checkImage(problems, this.image, 'registry:2.8.3');
    checkReplicas(problems, this.replicas);
    checkPort(problems, 'port', this.port);
    if (this.nodePort !== undefined) {
      checkNodePort(problems, 'nodePort', this.nodePort);
    } else if (props.nodePort !== undefined) {
      problems.add(`nodePort is set (${props.nodePort}) but serviceType is ClusterIP; drop nodePort or use RegistryServiceType.NODE_PORT`);
    }

    const selector = { ...selectorLabels('docker-registry', this.name), 'app.kubernetes.io/component': 'registry' };
    const labels = objectLabels('docker-registry', this.name, 'registry', this.name);
    this.podLabels = labels;

    const storage = (props.storage ?? RegistryStorage.persistentVolume())._bind(this, {
      name: this.name, namespace: this.namespace, labels,
    }, problems);
    if (Number.isInteger(this.replicas) && this.replicas > 1 && !storage.shared) {
      problems.add(`replicas is ${this.replicas} but storage is ${storage.description}; ` +
        'use replicas: 1, or storage that several nodes share (an object store or a ReadWriteMany volume)');
    }
    problems.throwIfAny();

    this.config = {
      version: '0.1',
      log: { fields: { service: 'registry' } },
      storage: {
        cache: { blobdescriptor: 'inmemory' },
        filesystem: { rootdirectory: DATA_DIR },
      },
      http: {
        addr: `:${CONTAINER_PORT}`,
        headers: { 'X-Content-Type-Options': ['nosniff'] },
      },
      health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
    };
    this.configYaml = stringify(this.config, { lineWidth: 0 });

    for (const kind of ['Deployment', 'Service']) {
      claimObjectName(this, kind, this.namespace, this.name, owner);
    }
    claimObjectName(this, 'ConfigMap', this.namespace, this.configMapName, owner);
    if (this.nodePort !== undefined) {
      claimNodePort(this, this.nodePort, owner);
    }

    storage.createObjects?.();

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: this.configMapName, namespace: this.namespace, labels },
      data: { 'config.yml': this.configYaml },
    });

    const probe = (failureThreshold: number): k8s.Probe => ({
      httpGet: { path: '/', port: k8s.IntOrString.fromNumber(CONTAINER_PORT) },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold,
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        replicas: this.replicas,
        minReadySeconds: 5,
        selector: { matchLabels: selector },
        // A ReadWriteOnce volume cannot be mounted by the new pod while the old one holds it.
        strategy: storage.shared
          ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } }
          : { type: 'Recreate' },
        template: {
          metadata: {
            labels,
            // A change of config.yml changes this hash, which rolls the pods.
            annotations: { 'checksum/config': createHash('sha256').update(this.configYaml).digest('hex') },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(REGISTRY_UID),
            containers: [{
              name: 'registry',
              image: this.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/registry', 'serve', `${CONFIG_DIR}/config.yml`],
              ports: [{ name: 'registry', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              readinessProbe: probe(3),
              livenessProbe: probe(6),
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
                limits: { memory: k8s.Quantity.fromString('1Gi') },
              },
              securityContext: restrictedContainerSecurity(true),
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'data', mountPath: DATA_DIR },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: this.configMapName } },
              storage.volume,
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels },
      spec: {
        type: this.serviceType,
        selector,
        ports: [{
          name: 'registry',
          protocol: 'TCP',
          port: this.port,
          targetPort: k8s.IntOrString.fromNumber(CONTAINER_PORT),
          nodePort: this.nodePort,
        }],
      },
    });
  }
}
