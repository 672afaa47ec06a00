import { App, Chart, Testing } from 'cdk8s';
const { objectProblems } = require('../validation/kubernetes-schema');

/** A synthesized Kubernetes object, as plain JSON. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** Every object of every chart of an app, in output order. */
export function synthApp(app: App): KubeObject[] {
  return app.charts.flatMap(chart => Testing.synth(chart) as KubeObject[]);
}

/** A fresh test app with one chart in `namespace`. */
export function testChart(namespace?: string): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace });
  return { app, chart };
}

/**
 * Validates the app (app-wide validations included, as `cdk8s synth` runs them) and every object against
 * its Kubernetes schema, and returns the objects. Every test app goes through here or `schemaProblems`.
 */
export function synthValidated(app: App): KubeObject[] {
  app.synthYaml();
  const objects = synthApp(app);
  const problems = schemaProblems(objects);
  if (problems.length > 0) {
    throw new Error(`objects that fail the Kubernetes schemas:\n${problems.join('\n')}`);
  }
  return objects;
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter(o => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    const have = objects.map(o => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`expected exactly one ${kind}/${name}, found ${found.length} among: ${have}`);
  }
  return found[0];
}

/**
 * Validates each object against its Kubernetes schema; returns the problems, named by kind and name. The rules are the
 * shipped validation plugin's own (validation/kubernetes-schema.js): one validator for the tests and for users.
 */
export function schemaProblems(objects: KubeObject[]): string[] {
  return objects.flatMap(obj => objectProblems(obj).map((p: string) => `${obj.kind} ${obj.metadata?.name}: ${p}`));
}

/** The container named `name` in a Deployment or DaemonSet. */
export function container(workload: KubeObject, name: string): any {
  const found = workload.spec.template.spec.containers.find((c: any) => c.name === name);
  if (!found) {
    throw new Error(`no container ${name} in ${workload.kind}/${workload.metadata.name}`);
  }
  return found;
}

/** Whether every selector label has the same value among the pod labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Every pod spec in the objects (Deployments, DaemonSets, CronJobs), with where it came from. */
export function podSpecs(objects: KubeObject[]): Array<{ owner: string; spec: any }> {
  return objects.flatMap(o => {
    const owner = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'Deployment' || o.kind === 'DaemonSet') return [{ owner, spec: o.spec.template.spec }];
    if (o.kind === 'CronJob') return [{ owner, spec: o.spec.jobTemplate.spec.template.spec }];
    return [];
  });
}

/**
 * Violations of the Pod Security Standards' `restricted` profile (v1.27) in one pod spec. `allowHostPorts`
 * exempts hostPort, which the node proxy needs by design.
 */
export function restrictedViolations(spec: any, options: { allowHostPorts?: boolean } = {}): string[] {
  const v: string[] = [];
  const podSc = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push('host namespaces');
  for (const vol of spec.volumes ?? []) {
    const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
    const kind = Object.keys(vol).find(k => k !== 'name');
    if (!kind || !allowed.includes(kind)) v.push(`volume ${vol.name} of type ${kind}`);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) v.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${where}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${where}: must drop ALL capabilities`);
    if ((sc.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE')) v.push(`${where}: adds capabilities`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) v.push(`${where}: runAsNonRoot must be true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) v.push(`${where}: runs as uid 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${where}: seccompProfile must be RuntimeDefault`);
    if (!options.allowHostPorts && (c.ports ?? []).some((p: any) => p.hostPort)) v.push(`${where}: hostPort`);
  }
  return v;
}
