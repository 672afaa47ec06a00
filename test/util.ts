import { App, Chart, Testing } from 'cdk8s';

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

// Models of the Kubernetes schemas (kubernetes-models 4.x): `kubernetes-models/<apiVersion>` exports one class per kind.
type Model = new (data: unknown) => { validate(): void };
function modelFor(apiVersion: string, kind: string): Model | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`kubernetes-models/${apiVersion}`) as Record<string, Model>)[kind];
  } catch {
    return undefined;
  }
}

/** Validates each object against its Kubernetes schema; returns the problems, named by kind and name. */
export function schemaProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const obj of objects) {
    const Model = modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      problems.push(`${obj.apiVersion} ${obj.kind} ${obj.metadata?.name}: no schema to validate against`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      problems.push(`${obj.kind} ${obj.metadata?.name}: ${(e as Error).message}`);
    }
  }
  return problems;
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
