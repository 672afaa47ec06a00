// Kubernetes 1.27 API types. `cdk8s import k8s@1.27.0` (see cdk8s.yaml) regenerates an identical
// file when the network is available; offline builds re-export the copy that cdk8s-plus-27 ships.
export * from 'cdk8s-plus-27/lib/imports/k8s';
