import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import {
  Problems, checkImage, checkName, checkNamespace, checkNodePort, checkReplicas, claimNodePort, claimObjectName,
  defaultNamespace, describe, objectLabels, restrictedContainerSecurity, restrictedPodSecurity, selectorLabels,
} from './internal';
import { IRegistry } from './registry';

export interface RegistryUIProps {
  /** The registry to browse: the UI's own nginx forwards `/v2` to its in-cluster URL (no CORS needed). */
  readonly registry: IRegistry;
  /**
   * Name of the Service.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Name of the Deployment.
   * @default - the same as `name`
   */
  readonly deploymentName?: string;
  /**
   * Namespace of the Deployment and Service.
   * @default - the registry's namespace, else the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * joxit/docker-registry-ui 2.x image, pinned (2.5.3 and 2.5.4 cannot resolve Kubernetes Service names).
   * @default "joxit/docker-registry-ui:2.6.0"
   */
  readonly image?: string;
  /**
   * Port on every node; must lie in 30000-32767 and be unique in the cluster.
   * @default 31000
   */
  readonly nodePort?: number;
  /**
   * Registry name shown in the page (`REGISTRY_TITLE`).
   * @default "Private registry"
   */
  readonly title?: string;
  /**
   * Host shown in the page's `docker pull` commands (`PULL_URL`).
   * @default - the host and port the browser used to open the UI
   */
  readonly pullHost?: string;
  /**
   * Number of UI pods.
   * @default 1
   */
  readonly replicas?: number;
}

/** The UI image's nginx user; as non-root it must listen above 1024. */
const UI_UID = 101;
const CONTAINER_PORT = 8080;
const DEFAULT_IMAGE = 'joxit/docker-registry-ui:2.6.0';
/** The image's entrypoint substitutes values with `sed s~…~…~` and `s^…^…^` into HTML and nginx config. */
const UNSAFE_VALUE = /[&~^"\\\n\r]/;

/**
 * The joxit/docker-registry-ui web interface in proxy mode: a Deployment and a NodePort Service.
 */
export class RegistryUI extends Construct {
  public readonly name: string;
  public readonly deploymentName: string;
  public readonly namespace: string;
  public readonly image: string;
  public readonly nodePort: number;
  public readonly title: string;
  public readonly replicas: number;
  /** The registry URL the UI's nginx forwards `/v2` to (`NGINX_PROXY_PASS_URL`). */
  public readonly proxyPassUrl: string;
  /** Environment of the UI container, in order. */
  public readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>;

  constructor(scope: Construct, id: string, props: RegistryUIProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.deploymentName = props.deploymentName ?? this.name;
    this.namespace = props.namespace ?? props.registry.namespace ?? defaultNamespace(this);
    this.image = props.image ?? DEFAULT_IMAGE;
    this.nodePort = props.nodePort ?? 31000;
    this.title = props.title ?? 'Private registry';
    this.replicas = props.replicas ?? 1;
    this.proxyPassUrl = props.registry.clusterUrl;

    const owner = describe('RegistryUI', this);
    const problems = new Problems(owner);
    checkName(problems, 'name', this.name);
    checkName(problems, 'deploymentName', this.deploymentName);
    checkNamespace(problems, this.namespace);
    checkImage(problems, this.image, DEFAULT_IMAGE);
    checkNodePort(problems, 'nodePort', this.nodePort);
    checkReplicas(problems, this.replicas);
    if (UNSAFE_VALUE.test(this.title)) {
      problems.add(`title must not contain &, ~, ^, ", \\ or a line break, which the UI image's entrypoint cannot substitute ` +
        `(got ${JSON.stringify(this.title)}); write "and" for "&"`);
    }
    if (props.pullHost !== undefined && (UNSAFE_VALUE.test(props.pullHost) || props.pullHost.trim() === '')) {
      problems.add(`pullHost must be a host[:port] such as "localhost:5000" (got ${JSON.stringify(props.pullHost)})`);
    }
    if (/docker-registry-ui:2\.5\.[34]$/.test(this.image)) {
      problems.add(`image ${this.image} cannot resolve Kubernetes Service names (joxit/docker-registry-ui#339); use 2.5.5 or later`);
    }
    problems.throwIfAny();

    claimObjectName(this, 'Service', this.namespace, this.name, owner);
    claimObjectName(this, 'Deployment', this.namespace, this.deploymentName, owner);
    claimNodePort(this, this.nodePort, owner);

    const env = [
      // Proxy mode: the UI's nginx forwards /v2 to the registry, so the browser needs no CORS.
      { name: 'NGINX_PROXY_PASS_URL', value: this.proxyPassUrl },
      { name: 'NGINX_LISTEN_PORT', value: String(CONTAINER_PORT) },
      { name: 'SINGLE_REGISTRY', value: 'true' },
      { name: 'REGISTRY_TITLE', value: this.title },
      { name: 'DELETE_IMAGES', value: 'false' },
      // Clusters with a private registry are often offline; the page would call api.github.com weekly.
      { name: 'ENABLE_VERSION_NOTIFICATION', value: 'false' },
      ...(props.pullHost !== undefined ? [{ name: 'PULL_URL', value: props.pullHost }] : []),
    ];
    this.env = env;

    const partOf = props.registry.serviceHost.split('.')[0];
    const selector = { ...selectorLabels('docker-registry-ui', this.name), 'app.kubernetes.io/component': 'ui' };
    const labels = objectLabels('docker-registry-ui', this.name, 'ui', partOf);
    const probe = (failureThreshold: number): k8s.Probe => ({
      httpGet: { path: '/', port: k8s.IntOrString.fromNumber(CONTAINER_PORT) },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold,
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: this.deploymentName, namespace: this.namespace, labels },
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(UI_UID),
            containers: [{
              name: 'ui',
              image: this.image,
              imagePullPolicy: 'IfNotPresent',
              env,
              ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              readinessProbe: probe(3),
              livenessProbe: probe(6),
              resources: {
                requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                limits: { memory: k8s.Quantity.fromString('128Mi') },
              },
              // The image's entrypoint edits index.html and its nginx config in place at every start.
              securityContext: restrictedContainerSecurity(false),
            }],
          },
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        type: 'NodePort',
        selector,
        ports: [{
          name: 'http',
          protocol: 'TCP',
          port: 80,
          targetPort: k8s.IntOrString.fromNumber(CONTAINER_PORT),
          nodePort: this.nodePort,
        }],
      },
    });
  }
}
