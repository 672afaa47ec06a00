// The garbage-collection CronJob of a Registry. Not exported from lib/index.ts: `Registry` creates it.
import { Construct } from 'constructs';

import * as k8s from '../imports/k8s';
import { restrictedContainerSecurity, restrictedPodSecurity } from './internal';
import { GarbageCollectionOptions } from './registry-options';

/** kubectl of the newest Kubernetes release confirmed here (1.37); it only scales and waits, far within version skew. */
export const KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.37.2';
const STATUS_DIR = '/run/gc';

export interface GarbageCollectionJobProps {
  readonly registryName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The registry Deployment's pod selector: the job waits until no such pod is left. */
  readonly selectorLabels: Record<string, string>;
  /** How many replicas the registry runs with: the job scales back to this. */
  readonly replicas: number;
  readonly image: string;
  readonly uid: number;
  readonly configMapName: string;
  readonly configDir: string;
  /** The storage's env vars, volumes and mounts, exactly as the registry pod has them. */
  readonly env: k8s.EnvVar[];
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
  /** A volume one node at a time can mount: the job's pod must run on the registry pod's node. */
  readonly sameNode: boolean;
  readonly options: GarbageCollectionOptions;
}

/**
 * A CronJob whose pod, holding no right beyond scaling its own registry:
 *  1. scales the registry Deployment to 0 (the `deployments/scale` subresource of that one Deployment) and waits
 *     until its pods are gone, so no upload races the collector and nothing serves from a stale blob cache;
 *  2. runs `registry garbage-collect` itself, with the registry's image, config.yml, storage env and volume, and
 *     records the exit code;
 *  3. scales the registry back up whatever the collection returned, and fails the Job if the collection failed.
 * Why not read-only mode: switching it means rewriting the Deployment (`patch`, which can also change its
 * ServiceAccount or mount any Secret of the namespace) and running the collector through `pods/exec`, which cannot
 * be narrowed to one Deployment's pods. The price is one outage of the registry while the collection runs.
 */
export function garbageCollectionJob(scope: Construct, props: GarbageCollectionJobProps): void {
  const { registryName: name, namespace, options } = props;
  const jobName = `${name}-gc`;
  const labels = { ...props.labels, 'app.kubernetes.io/component': 'garbage-collector' };
  const kubectl = options.kubectlImage ?? KUBECTL_IMAGE;
  const selector = Object.entries(props.selectorLabels).map(([k, v]) => `${k}=${v}`).join(',');

  new k8s.KubeServiceAccount(scope, 'gc-service-account', {
    metadata: { name: jobName, namespace, labels },
  });
  new k8s.KubeRole(scope, 'gc-role', {
    metadata: { name: jobName, namespace, labels },
    rules: [
      // `kubectl scale` reads the Deployment and patches its scale subresource: replicas, nothing else.
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [name], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], resourceNames: [name], verbs: ['get', 'patch', 'update'] },
      // `kubectl wait --for=delete` lists and watches the registry's pods (read only).
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  new k8s.KubeRoleBinding(scope, 'gc-role-binding', {
    metadata: { name: jobName, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: jobName },
    subjects: [{ kind: 'ServiceAccount', name: jobName, namespace }],
  });

  const resources = {
    requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
    limits: { memory: k8s.Quantity.fromString('128Mi') },
  };
  const status = { name: 'gc-status', mountPath: STATUS_DIR };
  const kubectlStep = (stepName: string, args: string[]): k8s.Container => ({
    name: stepName,
    image: kubectl,
    imagePullPolicy: 'IfNotPresent',
    command: ['kubectl', '--namespace', namespace, ...args],
    resources,
    securityContext: restrictedContainerSecurity(true),
  });
  const registryStep = (stepName: string, script: string, args: string[], mounts: k8s.VolumeMount[], env?: k8s.EnvVar[]): k8s.Container => ({
    name: stepName,
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', '-c', script, stepName, ...args],
    env: env && env.length > 0 ? env : undefined,
    resources: { ...resources, limits: { memory: k8s.Quantity.fromString('1Gi') } },
    securityContext: restrictedContainerSecurity(true),
    volumeMounts: mounts,
  });
  const gcArgs = ['garbage-collect', ...(options.deleteUntagged ? ['--delete-untagged'] : []), `${props.configDir}/config.yml`];

  new k8s.KubeCronJob(scope, 'gc', {
    metadata: { name: jobName, namespace, labels },
    spec: {
      schedule: options.schedule ?? '0 3 * * 0',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: jobName,
              restartPolicy: 'Never',
              enableServiceLinks: false,
              securityContext: restrictedPodSecurity(props.uid),
              // A ReadWriteOnce volume is attached to the registry pod's node until it stops: start there.
              affinity: props.sameNode ? {
                podAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [{
                    topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: props.selectorLabels },
                  }],
                },
              } : undefined,
              initContainers: [
                kubectlStep('stop-registry', ['scale', `deployment/${name}`, '--replicas=0']),
                kubectlStep('wait-stopped', ['wait', 'pod', '--for=delete', `--selector=${selector}`, '--timeout=15m']),
                // Never fails itself: the registry must come back whatever the collection does.
                registryStep('garbage-collect', `/bin/registry "$@"; echo $? > ${STATUS_DIR}/exit-code`, gcArgs,
                  [{ name: 'config', mountPath: props.configDir, readOnly: true }, ...props.mounts, status], props.env),
              ],
              containers: [
                kubectlStep('start-registry', ['scale', `deployment/${name}`, `--replicas=${props.replicas}`]),
                registryStep('report', `code=$(cat ${STATUS_DIR}/exit-code); echo "registry garbage-collect exited with $code"; exit "$code"`,
                  [], [status]),
              ],
              volumes: [
                { name: 'config', configMap: { name: props.configMapName } },
                ...props.volumes,
                { name: 'gc-status', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } },
              ],
            },
          },
        },
      },
    },
  });
}
