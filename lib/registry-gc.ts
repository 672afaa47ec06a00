// The garbage-collection CronJob of a Registry. Not exported from lib/index.ts: `Registry` creates it.
import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import { restrictedContainerSecurity, restrictedPodSecurity } from './internal';
import { GarbageCollectionOptions } from './registry-options';

/**
 * Read-only mode as an env var. Registry 2.8 panics on `REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED=true`
 * ("readonly config key must contain additional keys"); the JSON form of the whole map works (checked by
 * the end-to-end suite against the real registry).
 */
export const READ_ONLY_ENV = 'REGISTRY_STORAGE_MAINTENANCE_READONLY';
export const READ_ONLY_VALUE = '{"enabled":true}';
const KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.32.8';
const KUBECTL_UID = 65532;

export interface GarbageCollectionJobProps {
  readonly registryName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly configPath: string;
  readonly options: GarbageCollectionOptions;
}

/**
 * A CronJob whose pod, with kubectl only:
 *  1. sets the registry Deployment read-only (pulls keep working, pushes get 405) and waits for the rollout;
 *  2. runs `registry garbage-collect` inside a registry pod, with its own config, env and volume, so it
 *     works for every storage kind, ReadWriteOnce volumes included;
 *  3. removes read-only mode, which rolls the pods again: none keeps a stale in-memory blob cache.
 * Steps 1-2 are init containers: if the collection fails, the registry stays read-only (safe, visible)
 * until the Job succeeds on a retry or someone removes the env var (see the README).
 */
export function garbageCollectionJob(scope: Construct, props: GarbageCollectionJobProps): void {
  const { registryName: name, namespace, options } = props;
  const jobName = `${name}-gc`;
  const labels = { ...props.labels, 'app.kubernetes.io/component': 'garbage-collector' };
  const deployment = `deployment/${name}`;
  const kubectl = options.kubectlImage ?? KUBECTL_IMAGE;

  new k8s.KubeServiceAccount(scope, 'gc-service-account', {
    metadata: { name: jobName, namespace, labels },
  });
  new k8s.KubeRole(scope, 'gc-role', {
    metadata: { name: jobName, namespace, labels },
    rules: [
      // `rollout status` lists and watches; `set env` patches this one Deployment only.
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [name], verbs: ['patch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
    ],
  });
  new k8s.KubeRoleBinding(scope, 'gc-role-binding', {
    metadata: { name: jobName, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: jobName },
    subjects: [{ kind: 'ServiceAccount', name: jobName, namespace }],
  });

  const step = (stepName: string, args: string[]): k8s.Container => ({
    name: stepName,
    image: kubectl,
    imagePullPolicy: 'IfNotPresent',
    command: ['kubectl', '--namespace', namespace, ...args],
    resources: {
      requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
      limits: { memory: k8s.Quantity.fromString('128Mi') },
    },
    securityContext: restrictedContainerSecurity(true),
  });
  const gcArgs = ['garbage-collect', ...(options.deleteUntagged ? ['--delete-untagged'] : []), props.configPath];

  new k8s.KubeCronJob(scope, 'gc', {
    metadata: { name: jobName, namespace, labels },
    spec: {
      schedule: options.schedule ?? '0 3 * * 0',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: jobName,
              restartPolicy: 'OnFailure',
              securityContext: restrictedPodSecurity(KUBECTL_UID),
              initContainers: [
                step('read-only-on', ['set', 'env', deployment, `${READ_ONLY_ENV}=${READ_ONLY_VALUE}`]),
                step('wait-read-only', ['rollout', 'status', deployment, '--timeout=15m']),
                step('garbage-collect', ['exec', deployment, '--container', 'registry', '--', '/bin/registry', ...gcArgs]),
              ],
              containers: [
                step('read-only-off', ['set', 'env', deployment, `${READ_ONLY_ENV}-`]),
              ],
            },
          },
        },
      },
    },
  });
}
