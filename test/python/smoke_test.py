"""Python smoke test of the jsii bindings: the classic app (examples/classic.ts, written to dist/ by main.ts) and the
second tutorial (examples/private-tutorial.ts, dist-private/) synthesized from Python must equal the committed YAML
byte for byte. Run by test/python/run.sh, which installs the generated wheel into a venv first."""
import difflib
import pathlib
import sys
import tempfile

from cdk8s import App, Chart
from cdk8s_private_registry import (
    PrivateRegistry,
    RegistryProps,
    RegistryProxyDaemonSetOptions,
    RegistryServiceType,
    RegistryUIOptions,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def classic_chart(app, version=None):
    """examples/classic.ts in Python."""
    chart = Chart(app, "registry", namespace="kube-system")
    PrivateRegistry(
        chart,
        "registry",
        registry=RegistryProps(name="registry-docker-registry", node_port=31500, port=5000, version=version),
        proxy=RegistryProxyDaemonSetOptions(name="kube-registry-proxy", host_port=5000),
        ui=RegistryUIOptions(name="registry-ui", deployment_name="registry-ui-deployment", node_port=31000, title="Private registry"),
    )
    return chart


def private_tutorial_chart(app):
    """examples/private-tutorial.ts in Python."""
    chart = Chart(app, "private", namespace="kube-system")
    PrivateRegistry(
        chart,
        "private",
        registry=RegistryProps(name="private-docker-registry", service_type=RegistryServiceType.CLUSTER_IP, port=5000),
        proxy=RegistryProxyDaemonSetOptions(name="registry-proxy-kube-registry-proxy", host_port=5000),
        ui=RegistryUIOptions(name="registry-ui", deployment_name="registry-ui-deployment", node_port=31000, title="Private registry"),
    )
    return chart


def compare(expected_dir, actual_dir):
    """Problems found comparing two synth outputs: missing or extra files, and a diff of each file that differs."""
    problems = []
    expected = sorted(p.name for p in expected_dir.iterdir())
    actual = sorted(p.name for p in actual_dir.iterdir())
    if expected != actual:
        problems.append(f"files: {expected_dir.name}/ has {expected}, Python wrote {actual}")
    for name in sorted(set(expected) & set(actual)):
        want = (expected_dir / name).read_bytes()
        got = (actual_dir / name).read_bytes()
        if want != got:
            diff = difflib.unified_diff(
                want.decode().splitlines(), got.decode().splitlines(),
                f"{expected_dir.name}/{name}", f"python/{name}", lineterm="")
            problems.append("\n".join(list(diff)[:40]))
    return problems


def main():
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for expected, build in (("dist", classic_chart), ("dist-private", private_tutorial_chart)):
            outdir = pathlib.Path(tmp, expected)
            app = App(outdir=str(outdir))
            build(app)
            app.synth()
            found = compare(ROOT / expected, outdir)
            print(f"{'FAIL' if found else 'ok'}: Python synth equals {expected}/ "
                  f"({', '.join(sorted(p.name for p in outdir.iterdir()))})")
            problems += found
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
