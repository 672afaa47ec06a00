import { Construct } from 'constructs';
import { stringify } from 'yaml';

import * as k8s from '../imports/k8s';
import { assertShape, claimObjectName, describe, Problems } from './internal';
import { REGISTRY_REFERENCE } from './prop-shapes';
import { IRegistry } from './registry';
import { RegistryProxyDaemonSet } from './registry-proxy';
import { checkImageHost } from './rules';
import { instanceOf, required, STRING, struct } from './shape';

const HOSTING_OPTION_FIELDS = { host: STRING, help: STRING } satisfies Record<keyof LocalRegistryHostingOptions, unknown>;
/** @internal */
export const HOSTING_OPTIONS = struct('LocalRegistryHostingOptions', HOSTING_OPTION_FIELDS);

/** Options of a `LocalRegistryHosting`: its props without the registry and proxy (`PrivateRegistry`'s `discovery`). */
export interface LocalRegistryHostingOptions {
  /**
   * The registry as a developer's machine reaches it: `localhost:<port>` through `kubectl port-forward`,
   * `<node-ip>:<nodePort>`, or an Ingress host.
   * @default - "localhost:<registry port>", for `kubectl port-forward service/<registry> <port>:<port>`
   */
  readonly host?: string;
  /**
   * A URL that explains how to use the registry.
   * @default - none
   */
  readonly help?: string;
}

/** Props of a `LocalRegistryHosting`. */
export interface LocalRegistryHostingProps extends LocalRegistryHostingOptions {
  /** The registry to advertise. */
  readonly registry: IRegistry;
  /**
   * The node proxy, whose `localhost:<hostPort>` is the registry as container runtimes see it.
   * @default - no `hostFromContainerRuntime`
   */
  readonly proxy?: RegistryProxyDaemonSet;
}

/**
 * The `local-registry-hosting` ConfigMap in `kube-public` (KEP-1755), through which tools such as Tilt,
 * Skaffold and ctlptl discover where to push and what to put in image names. One per cluster.
 */
export class LocalRegistryHosting extends Construct {
  /** The YAML document under `localRegistryHosting.v1`. */
  public readonly document: string;

  constructor(scope: Construct, id: string, props: LocalRegistryHostingProps) {
    super(scope, id);
    assertShape(describe('LocalRegistryHosting', this), props, struct('LocalRegistryHostingProps', {
      ...HOSTING_OPTION_FIELDS,
      registry: required(REGISTRY_REFERENCE),
      proxy: instanceOf('RegistryProxyDaemonSet', RegistryProxyDaemonSet, 'the proxy construct of this app'),
    } satisfies Record<keyof LocalRegistryHostingProps, unknown>));
    const owner = describe('LocalRegistryHosting', this);
    const problems = new Problems(owner);
    const host = props.host ?? `localhost:${props.registry.port}`;
    checkImageHost(problems, 'host', host);
    if (props.help !== undefined && !/^https?:\/\/\S+$/.test(props.help)) {
      problems.add(`help must be an http(s) URL (got ${JSON.stringify(props.help)})`);
    }
    problems.throwIfAny();
    claimObjectName(this, 'ConfigMap', 'kube-public', 'local-registry-hosting', owner);

    this.document = stringify({
      host,
      ...(props.proxy ? { hostFromContainerRuntime: props.proxy.nodeHost } : {}),
      hostFromClusterNetwork: `${props.registry.serviceHost}:${props.registry.port}`,
      ...(props.help ? { help: props.help } : {}),
    }, { lineWidth: 0 });

    new k8s.KubeConfigMap(this, 'config-map', {
      metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
      data: { 'localRegistryHosting.v1': this.document },
    });
  }
}
