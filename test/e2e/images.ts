// OCI image layouts made on the fly, and skopeo to push and pull them.
import { execFile } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import * as zlib from 'zlib';

const execFileAsync = promisify(execFile);

export interface OciImage {
  /** The OCI layout directory; `oci:<dir>:<tag>` for skopeo. */
  readonly dir: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly layerDigests: string[];
  readonly layerSizes: number[];
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex')}`;
}

function writeBlob(dir: string, data: Buffer | string): string {
  const digest = sha256(data);
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), data);
  return digest;
}

/** A ustar header for one regular file. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text.padEnd(length, '\0').slice(0, length), offset, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8); // checksum field counts as spaces while summing
  put('0', 156, 1);
  put('ustar\0' + '00', 257, 8);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(octal(sum, 7) + ' ', 148, 8);
  return header;
}

/**
 * Writes a gzip-compressed tar layer holding `size` random bytes. Random data does not compress, so the
 * layer is about `size` bytes, and since it is already compressed its digest survives the push.
 */
async function writeRandomLayer(dir: string, size: number): Promise<{ digest: string; diffId: string; size: number }> {
  const tmp = path.join(dir, `layer-${randomBytes(4).toString('hex')}.tar.gz`);
  const diffHash = createHash('sha256');
  const gzip = zlib.createGzip({ level: 1 });
  const out = fs.createWriteStream(tmp);
  const done = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); gzip.on('error', reject); });
  gzip.pipe(out);
  const write = async (chunk: Buffer) => {
    diffHash.update(chunk);
    if (!gzip.write(chunk)) {
      await new Promise(r => gzip.once('drain', r));
    }
  };
  await write(tarHeader('payload.bin', size));
  for (let left = size; left > 0; left -= 1 << 20) {
    await write(randomBytes(Math.min(left, 1 << 20)));
  }
  await write(Buffer.alloc((512 - (size % 512)) % 512 + 1024)); // pad the file, then two empty blocks
  gzip.end();
  await done;
  const digest = await sha256File(tmp);
  fs.renameSync(tmp, path.join(dir, 'blobs', 'sha256', digest.slice(7)));
  return { digest, diffId: `sha256:${diffHash.digest('hex')}`, size: fs.statSync(path.join(dir, 'blobs', 'sha256', digest.slice(7))).size };
}

/** An OCI image layout with one random layer per entry of `layerSizes` (bytes). */
export async function makeImage(dir: string, tag: string, layerSizes: number[]): Promise<OciImage> {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layers = [];
  for (const size of layerSizes) {
    layers.push(await writeRandomLayer(dir, size));
  }
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: layers.map(l => l.diffId) },
  });
  const configDigest = writeBlob(dir, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
    layers: layers.map(l => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
  });
  const manifestDigest = writeBlob(dir, manifest);
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: Buffer.byteLength(manifest),
      annotations: { 'org.opencontainers.image.ref.name': tag },
    }],
  }));
  return { dir, tag, manifestDigest, layerDigests: layers.map(l => l.digest), layerSizes: layers.map(l => l.size) };
}

/**
 * A multi-arch image: an OCI image index tagged `tag` listing an amd64 and an arm64 image (one random layer each),
 * as `docker buildx` publishes them. Push it with `pushAll`.
 */
export async function makeMultiArchImage(dir: string, tag: string, layerSize: number): Promise<{ dir: string; tag: string; indexDigest: string; manifestDigests: string[] }> {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const entries = [];
  for (const architecture of ['amd64', 'arm64']) {
    const layer = await writeRandomLayer(dir, layerSize);
    const config = JSON.stringify({ architecture, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.diffId] } });
    const configDigest = writeBlob(dir, config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
    });
    entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: writeBlob(dir, manifest), size: Buffer.byteLength(manifest),
      platform: { architecture, os: 'linux' } });
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries });
  const indexDigest = writeBlob(dir, index);
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: indexDigest, size: Buffer.byteLength(index),
      annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { dir, tag, indexDigest, manifestDigests: entries.map(e => e.digest) };
}

/** `skopeo copy --all`: an image index and every image it lists. */
export function pushAll(image: { dir: string; tag: string }, hostPort: string, name: string): Promise<SkopeoResult> {
  return skopeo(['copy', '--all', '--retry-times', '0', '--dest-tls-verify=false', `oci:${image.dir}:${image.tag}`, `docker://${hostPort}/${name}:${image.tag}`]);
}

/** What an OCI layout directory holds for `tag`: manifest digest and layer digests. */
export function readImage(dir: string, tag: string): { manifestDigest: string; layerDigests: string[] } {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const entry = index.manifests.find((m: any) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) {
    throw new Error(`no manifest tagged ${tag} in ${dir}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'blobs', 'sha256', entry.digest.slice(7)), 'utf8'));
  return { manifestDigest: entry.digest, layerDigests: manifest.layers.map((l: any) => l.digest) };
}

export interface SkopeoResult {
  readonly ok: boolean;
  readonly output: string;
}

/** skopeo's blob-info cache remembers which registry has which blob; clear it so each run really transfers. */
export function clearSkopeoCache(): void {
  for (const dir of ['/var/lib/containers/cache', path.join(process.env.HOME ?? '/root', '.local/share/containers/cache')]) {
    if (fs.existsSync(dir)) {
      for (const f of fs.readdirSync(dir).filter(n => n.startsWith('blob-info-cache'))) {
        fs.rmSync(path.join(dir, f), { force: true });
      }
    }
  }
}

/** skopeo with `--insecure-policy`, and extra env (`CONTAINERS_REGISTRIES_CONF`). */
export async function skopeo(args: string[], env: Record<string, string> = {}): Promise<SkopeoResult> {
  try {
    const { stdout, stderr } = await execFileAsync('skopeo', ['--insecure-policy', ...args], {
      maxBuffer: 16 << 20, timeout: 600_000, env: { ...process.env, ...env },
    });
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** `skopeo copy oci:<dir>:<tag> docker://<hostPort>/<name>:<tag>` over plain HTTP. */
export function push(image: OciImage, hostPort: string, name: string, creds?: string): Promise<SkopeoResult> {
  return skopeo(['copy', '--retry-times', '0', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []),
    `oci:${image.dir}:${image.tag}`, `docker://${hostPort}/${name}:${image.tag}`]);
}

/** `skopeo copy docker://<hostPort>/<name>:<tag> oci:<dir>:<tag>` over plain HTTP. */
export function pull(hostPort: string, name: string, tag: string, dir: string, creds?: string): Promise<SkopeoResult> {
  return skopeo(['copy', '--retry-times', '0', '--src-tls-verify=false', ...(creds ? ['--src-creds', creds] : []),
    `docker://${hostPort}/${name}:${tag}`, `oci:${dir}:${tag}`]);
}

/** `skopeo list-tags` over plain HTTP. */
export async function listTags(hostPort: string, name: string): Promise<string[]> {
  const result = await skopeo(['list-tags', '--tls-verify=false', `docker://${hostPort}/${name}`]);
  if (!result.ok) {
    throw new Error(result.output);
  }
  return JSON.parse(result.output.slice(result.output.indexOf('{'))).Tags;
}
