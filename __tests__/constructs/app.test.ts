import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appPython } from '../../constructs/user-data';
import { freeLoopbackPort } from '../../scripts/drill/emulator';

/*
 * The reference app, run for real (python3, loopback only) against a fake `aws` and `psql`
 * first on PATH: the database is up as the writer, up as a replica, or down.
 */

jest.setTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), 'estate-app-'));
const bin = join(dir, 'bin');
const stateFile = join(dir, 'db-state');
const script = (name: string, body: string) => {
  writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
};
mkdirSync(bin);
script(
  'aws',
  `case "$1 $2" in
  "rds describe-db-instances") echo "db-1.example.internal" ;;
  "secretsmanager get-secret-value") echo '{"username":"estate_admin","password":"s3cret"}' ;;
  *) echo "unexpected aws $*" >&2; exit 1 ;;
esac`,
);
script(
  'psql',
  `state=$(cat "${stateFile}")
[ "$PGPASSWORD" = "s3cret" ] || { echo "password authentication failed" >&2; exit 2; }
[ "$state" = down ] && { echo "could not connect to server: Connection timed out" >&2; exit 2; }
sql="\${@: -1}"
case "$sql" in
  "SELECT 1") echo 1 ;;
  *pg_is_in_recovery*) [ "$state" = replica ] && echo f || echo t ;;
  CREATE*) ;;
  INSERT*) [ "$state" = replica ] && { echo "ERROR:  cannot execute INSERT in a read-only transaction" >&2; exit 1; }; echo 42 ;;
  "SELECT region FROM estate_roundtrip WHERE id = 42") echo us-east-2 ;;
  *) echo "unexpected SQL $sql" >&2; exit 1 ;;
esac`,
);

let app: ChildProcess;
let base: string;

beforeAll(async () => {
  const appFile = join(dir, 'app.py');
  writeFileSync(
    appFile,
    appPython({
      appPort: 8080,
      healthCheckPath: '/healthz',
      region: 'us-east-2',
      artifactBucket: 'unused',
      database: { engine: 'postgres', identifier: 'dr-estate-prod-db-1', name: 'app', port: 5432, secretId: 'dr-estate-prod/db-master' },
    }),
  );
  writeFileSync(stateFile, 'writer');
  const port = await freeLoopbackPort();
  base = `http://127.0.0.1:${port}`;
  // The interpreter itself, not a version-manager shim (a shim puts its own bin folder, which
  // may hold a real aws CLI, in front of PATH).
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  app = spawn(python, [appFile], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ESTATE_APP_BIND: '127.0.0.1', ESTATE_APP_PORT: String(port) },
    stdio: 'ignore',
  });
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`${base}/nothing`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('the app did not start');
});

afterAll(() => {
  app?.kill();
});

const get = async (path: string, method = 'GET') => {
  const response = await fetch(`${base}${path}`, { method });
  return { status: response.status, text: await response.text() };
};

test('with its database up as the writer: healthy, reports the writer, and a row written is read back', async () => {
  writeFileSync(stateFile, 'writer');
  expect(await get('/healthz')).toEqual({ status: 200, text: 'ok\n' });
  expect(JSON.parse((await get('/')).text)).toMatchObject({ region: 'us-east-2', database: 'dr-estate-prod-db-1', databaseRole: 'writer' });
  const roundtrip = await get('/roundtrip', 'POST');
  expect(roundtrip.status).toBe(200);
  expect(JSON.parse(roundtrip.text)).toEqual({ region: 'us-east-2', database: 'dr-estate-prod-db-1', wrote: 42, read: 'us-east-2' });
});

test('with its database down: the health check fails (Route 53 and the ALB stop sending traffic here)', async () => {
  writeFileSync(stateFile, 'down');
  const health = await get('/healthz');
  expect(health.status).toBe(503);
  expect(health.text).toMatch(/^database unusable: could not connect/);
  expect(JSON.parse((await get('/')).text)).toMatchObject({ databaseRole: 'unreachable' });
});

test('with a read replica: healthy and says so, but a write is refused', async () => {
  writeFileSync(stateFile, 'replica');
  expect((await get('/healthz')).status).toBe(200);
  expect(JSON.parse((await get('/')).text)).toMatchObject({ databaseRole: 'replica' });
  const roundtrip = await get('/roundtrip', 'POST');
  expect(roundtrip.status).toBe(503);
  expect(JSON.parse(roundtrip.text).error).toContain('read-only transaction');
});

test('/metrics counts requests per method, route and status, with a latency histogram per route (Prometheus text format)', async () => {
  const metrics = (await get('/metrics')).text;
  const count = (labels: string) => Number(new RegExp(`^estate_app_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
  // The tests above: /healthz 200 twice and 503 once; POST /roundtrip 200 once and 503 once.
  expect(count('method="GET",route="/healthz",code="200"')).toBe(2);
  expect(count('method="GET",route="/healthz",code="503"')).toBe(1);
  expect(count('method="POST",route="/roundtrip",code="503"')).toBe(1);
  // Unknown paths share one label, so a scan cannot blow up the series count.
  expect(count('method="GET",route="other",code="404"')).toBeGreaterThanOrEqual(1);
  expect(metrics).toContain('# TYPE estate_app_request_duration_seconds histogram');
  const buckets = [...metrics.matchAll(/^estate_app_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="([^"]+)"\} (\d+)$/gm)];
  expect(buckets.at(-1)?.slice(1)).toEqual(['+Inf', '3']);
  // Cumulative: never decreasing.
  const values = buckets.map((b) => Number(b[2]));
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(metrics).toMatch(/^estate_app_request_duration_seconds_count\{method="GET",route="\/healthz"\} 3$/m);
});
