import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';

import * as k8s from '../imports/k8s';
import { assertShape, claimObjectName, CLUSTER_NAMESPACES, describe, Problems } from './internal';
import { checkNamespace } from './rules';
import { enumOf, required, STRING, struct } from './shape';

/** The Pod Security level a namespace enforces (pod-security.kubernetes.io/enforce). */
export enum PodSecurityLevel {
  /** No restrictions: what a node proxy's hostPort needs. */
  PRIVILEGED = 'privileged',
  /** The baseline profile: refuses hostPort, so not for a node proxy. */
  BASELINE = 'baseline',
  /** The restricted profile: every registry and UI pod of this library meets it. */
  RESTRICTED = 'restricted',
}

/** Props of a `RegistryNamespace`. */
export interface RegistryNamespaceProps {
  /** Name of the Namespace. */
  readonly name: string;
  /**
   * The Pod Security level it enforces, written as the `pod-security.kubernetes.io/enforce` label (plus `warn` and
   * `audit` at the same level). A namespace with a node proxy needs `PRIVILEGED` (hostPort).
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
}

/**
 * A Namespace for registry parts, labelled with the Pod Security level they need, so that `kubectl apply -f dist/`
 * works on a cluster where the namespace does not exist yet. `PrivateRegistry` creates one by default; use this
 * construct when composing `Registry`, `RegistryProxyDaemonSet` and `RegistryUI` yourself. Refuses the cluster's
 * own namespaces (kube-system, default, ...), which exist already and which an app must not own.
 */
export class RegistryNamespace extends Construct {
  /** Name of the Namespace. */
  public readonly name: string;
  /** The Pod Security level its labels enforce. */
  public readonly podSecurity: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: RegistryNamespaceProps) {
    super(scope, id);
    assertShape(describe('RegistryNamespace', this), props, struct('RegistryNamespaceProps', {
      name: required(STRING), podSecurity: enumOf('PodSecurityLevel', PodSecurityLevel),
    } satisfies Record<keyof RegistryNamespaceProps, unknown>));
    this.name = props.name;
    this.podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    const owner = describe('RegistryNamespace', this);
    const problems = new Problems(owner);
    checkNamespace(problems, this.name, 'name');
    if (CLUSTER_NAMESPACES.includes(this.name)) {
      problems.add(`name ${JSON.stringify(this.name)} is a namespace every cluster has; do not create it (drop this construct, ` +
        'or set createNamespace: false on PrivateRegistry)');
    }
    if (!Object.values(PodSecurityLevel).includes(this.podSecurity)) {
      problems.add(`podSecurity must be one of ${Object.values(PodSecurityLevel).join(', ')} (got ${JSON.stringify(this.podSecurity)})`);
    }
    problems.throwIfAny();
    claimObjectName(this, 'Namespace', '', this.name, owner);

    const ns = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          'app.kubernetes.io/managed-by': 'cdk8s-private-registry',
          'pod-security.kubernetes.io/enforce': this.podSecurity,
          'pod-security.kubernetes.io/warn': this.podSecurity,
          'pod-security.kubernetes.io/audit': this.podSecurity,
        },
      },
    });
    // A chart's namespace is stamped on every object it holds; a Namespace is cluster-scoped and must have none.
    if (ns.metadata.namespace !== undefined) {
      ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}
