#!/usr/bin/env python3
"""Stand-in container images for the cluster suite, built from this machine's binaries.

Public registries are out of reach, so each image the manifests name is assembled from Debian's (or the suite's own)
binaries plus the shared libraries `ldd` lists, and written as a single-layer OCI archive that
`ctr -n k8s.io images import` tags with exactly the name the manifests use. What each stand-in is:

  registry  for registry:2.x tags Debian's docker-registry (distribution 2.8.2), for registry:3.x tags the real
            registry 3.1.2 built by scripts/build-registry-v3.sh (--registry-binary), as /bin/registry; busybox as
            /bin/sh (the official alpine images have sh); the official images' config directories.
  nginx     Debian's nginx 1.22 with uid/gid 101 "nginx" in /etc/passwd: the nginx-unprivileged image's contract
            (`nginx -c FILE` as uid 101). Not alpine, not 1.28.
  ui        NOT the joxit UI (it cannot be built here): Debian's nginx serving a page that says it is a stand-in, on
            8080 as uid 101, so only what the manifests decide (admission, probes, Service routing) is exercised.
  legacy-proxy  NOT the 2016 kube-registry-proxy image: Debian's nginx as root on port 80, configured at start from
            REGISTRY_HOST and REGISTRY_PORT as that image was, so a live install of the proxy chart can be taken over.
  busybox   Debian's static busybox (busybox-static) with a link per applet it has, as the official busybox image.
  kubectl   the suite's own kubectl build, as the kubectl image the garbage-collection job names.
  pause     a static pause binary compiled from pause.c, as the kubelet's sandbox image.
  app       a test image to push: the pause binary (so a pod Runs) and a layer of random bytes.

Usage: images.py KIND --out ARCHIVE --name REFERENCE [--kubectl PATH] [--random-bytes N]
Only the Python standard library; output is deterministic except the `app` image's random layer.
"""
import argparse, gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def need(path, package):
    if not os.path.exists(path):
        sys.exit(f"images.py: missing {path}; install Debian package {package} (bash scripts/install-cluster-deps.sh)")


def copy_with_libs(rootfs, src, dest):
    """Copies an executable and every shared library ldd lists, at the same paths."""
    target = os.path.join(rootfs, dest.lstrip("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copy2(src, target)
    out = subprocess.run(["ldd", src], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        lib = parts[2] if "=>" in parts and len(parts) > 2 else parts[0] if parts and parts[0].startswith("/") else None
        if lib and os.path.isabs(lib):
            real = os.path.realpath(lib)
            for path in {lib, real}:
                t = os.path.join(rootfs, path.lstrip("/"))
                os.makedirs(os.path.dirname(t), exist_ok=True)
                if not os.path.exists(t):
                    shutil.copy2(real, t)


def write(rootfs, rel, text, mode=0o644):
    path = os.path.join(rootfs, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def mkdirs(rootfs, *dirs, mode=0o755):
    for d in dirs:
        p = os.path.join(rootfs, d.lstrip("/"))
        os.makedirs(p, exist_ok=True)
        os.chmod(p, mode)


def pause_binary(workdir):
    need("/usr/bin/gcc", "gcc")
    out = os.path.join(workdir, "pause")
    subprocess.run(["gcc", "-Os", "-static", "-o", out, os.path.join(HERE, "pause.c")], check=True)
    subprocess.run(["strip", out], check=False)
    return out


def busybox(rootfs, applets):
    """Debian's static busybox as /bin/busybox, with a link per applet (the official images' shell)."""
    need("/bin/busybox", "busybox-static")
    mkdirs(rootfs, "/bin")
    shutil.copy2("/bin/busybox", os.path.join(rootfs, "bin/busybox"))
    for applet in applets:
        os.symlink("busybox", os.path.join(rootfs, "bin", applet))


def passwd(rootfs, users):
    write(rootfs, "/etc/passwd", "".join(f"{n}:x:{u}:{u}:{n}:/nonexistent:/sbin/nologin\n" for n, u in users))
    write(rootfs, "/etc/group", "".join(f"{n}:x:{u}:\n" for n, u in users))


def layer(rootfs):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                full = os.path.join(dirpath, name)
                info = t.gettarinfo(full, arcname=os.path.relpath(full, rootfs))
                info.mtime = 0
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                if info.isfile():
                    with open(full, "rb") as f:
                        t.addfile(info, f)
                else:
                    t.addfile(info)
    diff = raw.getvalue()
    return diff, gzip.compress(diff, compresslevel=1, mtime=0)


def archive(rootfs, out, name, entrypoint=None, cmd=None, user=None, ports=(), stop_signal=None):
    diff, gz = layer(rootfs)
    cfg = {"Env": [PATH_ENV]}
    if entrypoint:
        cfg["Entrypoint"] = entrypoint
    if cmd:
        cfg["Cmd"] = cmd
    if user:
        cfg["User"] = user
    if ports:
        cfg["ExposedPorts"] = {p: {} for p in ports}
    if stop_signal:
        cfg["StopSignal"] = stop_signal
    config = {
        "created": "1970-01-01T00:00:00Z", "architecture": "amd64", "os": "linux", "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(diff).hexdigest()]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "test/cluster/images.py (stand-in)"}],
    }

    def blob(t, data):
        d = hashlib.sha256(data).hexdigest()
        info = tarfile.TarInfo("blobs/sha256/" + d)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
        return "sha256:" + d, len(data)

    with tarfile.open(out, "w") as t:
        ld, ls = blob(t, gz)
        cd, cs = blob(t, json.dumps(config, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls}],
        }
        md, ms = blob(t, json.dumps(manifest, sort_keys=True).encode())
        last = name.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else "latest"
        index = {"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag},
        }]}
        for fname, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", json.dumps(index).encode())):
            info = tarfile.TarInfo(fname)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return md


UI_CONF = """# Stand-in for joxit/docker-registry-ui: NOT the UI. Serves one page on 8080 for probes and Service routing.
daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  server {
    listen 8080;
    location / {
      default_type text/html;
      return 200 "<!doctype html><title>stand-in for joxit/docker-registry-ui</title><p>cluster-suite stand-in: not the registry UI</p>\\n";
    }
  }
}
"""


LEGACY_PROXY_CONF = """# Stand-in for k8s.gcr.io/kube-registry-proxy:0.4: nginx on port 80 forwarding to REGISTRY_HOST:REGISTRY_PORT.
user root;
daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  server {
    listen 80;
    client_max_body_size 0;
    location / {
      proxy_pass http://@HOST@:@PORT@;
      proxy_set_header Host $http_host;
    }
  }
}
"""

LEGACY_PROXY_RUN = """#!/bin/sh
sed -e "s/@HOST@/$REGISTRY_HOST/" -e "s/@PORT@/$REGISTRY_PORT/" /etc/nginx/proxy.conf.in > /tmp/nginx.conf
exec /usr/sbin/nginx -c /tmp/nginx.conf -e stderr
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["registry", "nginx", "ui", "legacy-proxy", "busybox", "kubectl", "pause", "app"])
    p.add_argument("--out", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--kubectl")
    p.add_argument("--random-bytes", type=int, default=4096)
    p.add_argument("--registry-binary", default="/usr/bin/docker-registry")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        rootfs = os.path.join(work, "rootfs")
        os.makedirs(rootfs)
        mkdirs(rootfs, "/tmp", mode=0o1777)
        kw = {}
        if a.kind == "pause":
            shutil.copy2(pause_binary(work), os.path.join(rootfs, "pause"))
            kw = dict(entrypoint=["/pause"])
        elif a.kind == "app":
            shutil.copy2(pause_binary(work), os.path.join(rootfs, "pause"))
            with open(os.path.join(rootfs, "random.bin"), "wb") as f:
                f.write(os.urandom(a.random_bytes))
            kw = dict(entrypoint=["/pause"])
        elif a.kind == "registry":
            if a.registry_binary == "/usr/bin/docker-registry":
                need(a.registry_binary, "docker-registry")
            elif not os.path.exists(a.registry_binary):
                sys.exit(f"images.py: missing {a.registry_binary}; build it with: bash scripts/build-registry-v3.sh")
            copy_with_libs(rootfs, a.registry_binary, "/bin/registry")
            busybox(rootfs, ("sh", "cat", "echo", "ls", "sleep", "test"))
            mkdirs(rootfs, "/etc/docker/registry", "/etc/distribution", "/var/lib/registry")
            passwd(rootfs, [("root", 0)])
            config = "/etc/docker/registry/config.yml" if a.registry_binary == "/usr/bin/docker-registry" else "/etc/distribution/config.yml"
            kw = dict(entrypoint=["/bin/registry"], cmd=["serve", config], ports=["5000/tcp"])
        elif a.kind in ("nginx", "ui"):
            need("/usr/sbin/nginx", "nginx")
            copy_with_libs(rootfs, "/usr/sbin/nginx", "/usr/sbin/nginx")
            passwd(rootfs, [("root", 0), ("nginx", 101)])
            mkdirs(rootfs, "/var/log/nginx", "/var/lib/nginx", "/etc/nginx")
            write(rootfs, "/etc/nginx/nginx.conf", UI_CONF)
            if a.kind == "nginx":
                # As the nginx images declare: graceful shutdown, so started pulls finish.
                kw = dict(cmd=["nginx", "-g", "daemon off;"], user="101", ports=["8080/tcp"], stop_signal="SIGQUIT")
            else:
                kw = dict(entrypoint=["/usr/sbin/nginx", "-c", "/etc/nginx/nginx.conf", "-e", "stderr"], user="101",
                          ports=["8080/tcp"])
        elif a.kind == "legacy-proxy":
            need("/usr/sbin/nginx", "nginx")
            copy_with_libs(rootfs, "/usr/sbin/nginx", "/usr/sbin/nginx")
            busybox(rootfs, ("sh", "sed"))
            passwd(rootfs, [("root", 0)])
            mkdirs(rootfs, "/var/log/nginx", "/var/lib/nginx")
            write(rootfs, "/etc/nginx/proxy.conf.in", LEGACY_PROXY_CONF)
            write(rootfs, "/run.sh", LEGACY_PROXY_RUN, mode=0o755)
            kw = dict(entrypoint=["/run.sh"], ports=["80/tcp"])
        elif a.kind == "busybox":
            need("/bin/busybox", "busybox-static")
            applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True, check=True).stdout.split()
            busybox(rootfs, [x for x in applets if x != "busybox"])
            passwd(rootfs, [("root", 0)])
            kw = dict(cmd=["sh"])
        elif a.kind == "kubectl":
            if not a.kubectl:
                sys.exit("images.py: kubectl needs --kubectl PATH (the suite's own build)")
            copy_with_libs(rootfs, a.kubectl, "/bin/kubectl")
            passwd(rootfs, [("root", 0), ("nonroot", 65532)])
            kw = dict(entrypoint=["/bin/kubectl"], user="65532")
        digest = archive(rootfs, a.out, a.name, **kw)
    print(a.out, a.name, digest)


if __name__ == "__main__":
    main()
