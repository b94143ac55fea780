/**
 * Handler bundle figures: size on disk, and the time to load each bundle in a fresh Node.js process
 * against a bare `node -e 0` measured in the same run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { median } from './synth';

const ASSETS = path.join(__dirname, '..', 'assets');

/** The bundle directories under assets/ (beside them: the third-party notices). */
function bundleDirs(): string[] {
  return fs.readdirSync(ASSETS).filter((entry) => fs.statSync(path.join(ASSETS, entry)).isDirectory());
}

/** Bundles loaded only on first use (`*.lazy.js`), by service and file: reported beside the entry bundles. */
export function lazyBundleKb(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const service of bundleDirs()) {
    for (const file of fs.readdirSync(path.join(ASSETS, service)).filter((f) => f.endsWith('.lazy.js'))) {
      sizes[`${service}/${file}`] = Math.round((fs.statSync(path.join(ASSETS, service, file)).size / 1024) * 10) / 10;
    }
  }
  return sizes;
}

export function bundleKb(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const service of bundleDirs()) {
    const file = path.join(ASSETS, service, 'index.js');
    if (fs.existsSync(file)) sizes[service] = Math.round((fs.statSync(file).size / 1024) * 10) / 10;
  }
  return sizes;
}

function timeNode(script: string, env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, ...env } });
  if (result.status !== 0) throw new Error(`node -e ${script} failed with ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * What a cold start of each service's handler code loads: the entry bundle, and the service's chunk
 * (loaded on first use of one of its resource types). `handlers` is the entry bundle alone.
 */
export function coldLoads(): Record<string, string[]> {
  const loads: Record<string, string[]> = {};
  for (const dir of bundleDirs()) {
    const entry = path.join(ASSETS, dir, 'index.js');
    if (!fs.existsSync(entry)) continue;
    loads[dir] = [entry];
    for (const chunk of fs.readdirSync(path.join(ASSETS, dir)).filter((f) => f.endsWith('.lazy.js'))) {
      loads[chunk.replace(/\.lazy\.js$/, '')] = [entry, path.join(ASSETS, dir, chunk)];
    }
  }
  return loads;
}

interface ProcessTimes { baselineMs: number; ms: Record<string, number>; ratio: Record<string, number> }

/**
 * Median process time of each script, interleaved with a bare `node -e 0` in the same run so that
 * both see the same machine, and each one's ratio to that baseline.
 */
function interleavedMedians(scripts: Record<string, string>, runs: number, env?: NodeJS.ProcessEnv): ProcessTimes {
  const samples: Record<string, number[]> = { baseline: [] };
  for (const name of Object.keys(scripts)) samples[name] = [];
  for (let i = 0; i < runs; i++) {
    samples.baseline.push(timeNode('0'));
    for (const [name, script] of Object.entries(scripts)) samples[name].push(timeNode(script, env));
  }
  const baselineMs = median(samples.baseline);
  const ms: Record<string, number> = {};
  const ratio: Record<string, number> = {};
  for (const name of Object.keys(scripts)) {
    ms[name] = median(samples[name]);
    ratio[name] = ms[name] / baselineMs;
  }
  return { baselineMs, ms, ratio };
}

/** Median process time to load each service's handler code, interleaved with the bare baseline in the same run. */
export function coldInit(runs = 15): ProcessTimes {
  const scripts: Record<string, string> = {};
  for (const [service, files] of Object.entries(coldLoads())) {
    scripts[service] = files.map((f) => `require(${JSON.stringify(f)});`).join('');
  }
  return interleavedMedians(scripts, runs);
}

/**
 * What a first request of each service costs on top of loading its code: a fresh process loads the
 * handler code as coldInit does and makes one call of the service, through the handler, against a
 * local HTTPS server that answers every request with a not-found error (a Delete of a resource that
 * is gone: one call, answered, and done). What the bundles load on first use (the HTTPS stack, the
 * SDK's request path, TLS with its root certificates) is paid here, so this is the honest figure
 * beside coldInit: the cold start of an invocation that calls its service once.
 */
export async function coldFirstCall(runs = 15): Promise<ProcessTimes> {
  const loads = coldLoads();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-datasets-bench-'));
  const server = await startNotFoundServer(dir);
  try {
    const env = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL: `https://127.0.0.1:${server.port}`,
      NODE_EXTRA_CA_CERTS: server.certFile,
      // Lambda's nodejs22.x does not print the SDK's notice about Node.js 20; the bench machine may run 20.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const scripts: Record<string, string> = {};
    for (const [service, files] of Object.entries(loads)) {
      const call = FIRST_CALLS[service];
      if (call) scripts[service] = call(files[0], files[files.length - 1]);
    }
    return interleavedMedians(scripts, runs, env);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const LAMBDA_CONTEXT = '{ getRemainingTimeInMillis: () => 60000 }';
const deleteOf = (resourceType: string, physicalId: string) => JSON.stringify({
  RequestType: 'Delete',
  ResourceType: resourceType,
  LogicalResourceId: 'Bench',
  RequestId: 'bench',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Bench/00000000-0000-0000-0000-000000000000',
  PhysicalResourceId: physicalId,
  ResourceProperties: {},
});
/** onEvent for the Delete of a resource that is gone: one call, and an exit 0 only when it ended as that call answered "not found" ends. */
const onEventDelete = (resourceType: string, physicalId: string) => (entry: string) =>
  `require(${JSON.stringify(entry)}).onEvent(${deleteOf(resourceType, physicalId)}, ${LAMBDA_CONTEXT})`
  + '.then((r) => process.exit(r.Action === "delete" ? 0 : 2), (e) => { console.error(e); process.exit(1); });';

/** Per service measured by coldInit: the first call (the entry bundle, and the chunk the call loads). */
const FIRST_CALLS: Record<string, (entry: string, chunk: string) => string> = {
  // DeleteDatasetGroup (awsJson1_1), through onEvent.
  personalize: onEventDelete('Custom::PersonalizeDatasetGroup', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/bench'),
  // DeleteDataset (restJson1), through onEvent.
  agentcore: onEventDelete('Custom::AgentCoreEvaluationDataset', 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/bench-0123456789'),
  // HeadObject, as objects.ts calls the S3 chunk.
  s3: (entry, chunk) => `require(${JSON.stringify(entry)});require(${JSON.stringify(chunk)}).objectExists({ bucket: 'bench', key: 'gone.jsonl' })`
    + '.then((found) => process.exit(found ? 2 : 0), (e) => { console.error(e); process.exit(1); });',
};

/**
 * An HTTPS server on the loopback interface, in a worker thread (the bench's own thread is blocked in
 * spawnSync while a measured process runs), with a self-signed certificate made by openssl, that
 * answers every request with a not-found error every protocol of the handlers reads as one: status
 * 404, the error type as the restJson1 header and as awsJson's `__type`.
 */
async function startNotFoundServer(dir: string): Promise<{ port: number; certFile: string; close: () => Promise<void> }> {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (openssl.status !== 0) throw new Error(`openssl could not make the bench server's certificate: ${openssl.stderr ?? openssl.error}`);
  const worker = new Worker(`
    const https = require('https');
    const fs = require('fs');
    const { parentPort, workerData } = require('worker_threads');
    const body = JSON.stringify({ __type: 'ResourceNotFoundException', message: 'cdk-datasets bench: not found' });
    const server = https.createServer({ key: fs.readFileSync(workerData.keyFile), cert: fs.readFileSync(workerData.certFile) }, (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
        'x-amzn-requestid': 'bench',
        'content-length': Buffer.byteLength(body),
      }).end(req.method === 'HEAD' ? undefined : body));
    });
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
  `, { eval: true, workerData: { keyFile, certFile } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { port, certFile, close: async () => { await worker.terminate(); } };
}

/** The package as `npm pack` would make it: tarball size, and how much of its JavaScript is inline source maps. */
export function packageFigures(): { packageKb: number; jsKb: number; inlineSourceMapKb: number; libBuilt: boolean } {
  const root = path.join(__dirname, '..');
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm pack --dry-run failed: ${result.stderr}`);
  const [pack] = JSON.parse(result.stdout) as Array<{ size: number; files: Array<{ path: string; size: number }> }>;
  let jsBytes = 0;
  let mapBytes = 0;
  for (const file of pack.files.filter((f) => f.path.endsWith('.js'))) {
    jsBytes += file.size;
    const text = fs.readFileSync(path.join(root, file.path), 'utf8');
    const inline = /\/\/# sourceMappingURL=data:[^\n]*/.exec(text);
    if (inline) mapBytes += Buffer.byteLength(inline[0]);
  }
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return { packageKb: kb(pack.size), jsKb: kb(jsBytes), inlineSourceMapKb: kb(mapBytes), libBuilt: pack.files.some((f) => f.path.startsWith('lib/')) };
}
