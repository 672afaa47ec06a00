import { Construct } from 'constructs';

import { assertShape, CLUSTER_NAMESPACES, defaultNamespace, describe } from './internal';
import { HOSTING_OPTIONS, LocalRegistryHosting, LocalRegistryHostingOptions } from './local-registry-hosting';
import { REGISTRY_PROPS } from './prop-shapes';
import { Registry } from './registry';
import { PodSecurityLevel, RegistryNamespace } from './registry-namespace';
import { RegistryProps } from './registry-props';
import { PROXY_OPTIONS, RegistryProxyDaemonSet, RegistryProxyDaemonSetOptions } from './registry-proxy';
import { RegistryUI, RegistryUIOptions, UI_OPTIONS } from './registry-ui';
import { BOOLEAN, STRING, struct } from './shape';

/** Props of a `PrivateRegistry`: one props object per part. */
export interface PrivateRegistryProps {
  /**
   * Namespace of all three parts, unless a part's own props name another.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Props of the registry.
   * @default - a `Registry` named after this construct's id, NodePort 31500
   */
  readonly registry?: RegistryProps;
  /**
   * Options of the node proxy.
   * @default - a `RegistryProxyDaemonSet` named `<registry name>-proxy` on hostPort 5000
   */
  readonly proxy?: RegistryProxyDaemonSetOptions;
  /**
   * Create the node proxy; `false` leaves it out.
   * @default true
   */
  readonly proxyEnabled?: boolean;
  /**
   * Options of the web UI.
   * @default - a `RegistryUI` named `<registry name>-ui` on NodePort 31000
   */
  readonly ui?: RegistryUIOptions;
  /**
   * Create the web UI; `false` leaves it out.
   * @default true
   */
  readonly uiEnabled?: boolean;
  /**
   * Options of the `kube-public/local-registry-hosting` ConfigMap (KEP-1755); giving them turns discovery on.
   * @default - host "localhost:<registry port>", no help URL
   */
  readonly discovery?: LocalRegistryHostingOptions;
  /**
   * Advertise the registry in the cluster's `kube-public/local-registry-hosting` ConfigMap (KEP-1755).
   * One per cluster.
   * @default - true when `discovery` is given, else false
   */
  readonly discoveryEnabled?: boolean;
  /**
   * Create the namespace, labelled with the Pod Security level its pods need (`privileged` with the node proxy,
   * whose hostPort `baseline` refuses; `restricted` without it). Never for the cluster's own namespaces
   * (kube-system, default, kube-public, kube-node-lease), which exist already. Set `false` when the namespace is
   * managed elsewhere or shared by several `PrivateRegistry`s.
   * @default true - except for the cluster's own namespaces
   */
  readonly createNamespace?: boolean;
}

/**
 * The common case in one construct: a registry, a node proxy so every node pulls `localhost:5000/...`,
 * and a web UI, wired to each other.
 */
export class PrivateRegistry extends Construct {
  /** The registry. */
  public readonly registry: Registry;
  /** The node proxy, unless left out. */
  public readonly proxy?: RegistryProxyDaemonSet;
  /** The web UI, unless left out. */
  public readonly ui?: RegistryUI;
  /** The `local-registry-hosting` ConfigMap (KEP-1755), when asked for. */
  public readonly discovery?: LocalRegistryHosting;
  /** The Namespace this construct created, if it did. */
  public readonly namespace?: RegistryNamespace;

  constructor(scope: Construct, id: string, props: PrivateRegistryProps = {}) {
    super(scope, id);
    assertShape(describe('PrivateRegistry', this), props, struct('PrivateRegistryProps', {
      namespace: STRING,
      registry: REGISTRY_PROPS,
      proxy: PROXY_OPTIONS,
      proxyEnabled: BOOLEAN,
      ui: UI_OPTIONS,
      uiEnabled: BOOLEAN,
      discovery: HOSTING_OPTIONS,
      discoveryEnabled: BOOLEAN,
      createNamespace: BOOLEAN,
    } satisfies Record<keyof PrivateRegistryProps, unknown>));
    const namespace = props.namespace ?? defaultNamespace(this);
    const clusterOwn = CLUSTER_NAMESPACES.includes(namespace);
    if (props.createNamespace === true && clusterOwn) {
      throw new Error(`PrivateRegistry at "${this.node.path}": createNamespace is true but ${JSON.stringify(namespace)} is a namespace ` +
        'every cluster has; drop createNamespace');
    }
    for (const part of ['proxy', 'ui', 'discovery'] as const) {
      if (props[`${part}Enabled`] === false && props[part] !== undefined) {
        throw new Error(`PrivateRegistry at "${this.node.path}": ${part}Enabled is false but ${part} options are given; drop one`);
      }
    }
    const proxyEnabled = props.proxyEnabled ?? true;
    // First, so that `kubectl apply` creates the Namespace before the objects in it.
    if (props.createNamespace ?? !clusterOwn) {
      this.namespace = new RegistryNamespace(this, 'namespace', {
        name: namespace,
        podSecurity: !proxyEnabled ? PodSecurityLevel.RESTRICTED : PodSecurityLevel.PRIVILEGED,
      });
    }
    this.registry = new Registry(this, 'registry', { name: id, namespace, ...props.registry });
    const name = this.registry.name;
    if (proxyEnabled) {
      this.proxy = new RegistryProxyDaemonSet(this, 'proxy', {
        name: `${name}-proxy`, namespace, ...props.proxy, registry: this.registry,
      });
    }
    if (props.uiEnabled ?? true) {
      this.ui = new RegistryUI(this, 'ui', {
        name: `${name}-ui`,
        namespace,
        // Pods pull through the node proxy, so that is the pull command worth copying.
        pullHost: this.proxy?.nodeHost,
        ...props.ui,
        registry: this.registry,
      });
    }
    if (props.discoveryEnabled ?? props.discovery !== undefined) {
      this.discovery = new LocalRegistryHosting(this, 'discovery', {
        ...props.discovery,
        registry: this.registry,
        proxy: this.proxy,
      });
    }
  }
}
