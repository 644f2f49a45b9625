import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EstateConfigInput } from '../../config/schema';
import { main, runDrCommand as runWith } from '../../scripts/dr/cli';
import { afterSafeHistory, synthesizeConfig } from '../helpers';

/*
 * The commands run in this process, their syntheses served by the shared cache
 * (__tests__/synth-cache.ts); one test runs `npm run dr` as a process, synthesizing afresh.
 */
const root = join(__dirname, '..', '..');
const runDrCommand = (argv: string[], env: NodeJS.ProcessEnv, committed?: EstateConfigInput) =>
  runWith(argv, env, { committed, synthesize: synthesizeConfig });

/** `npm run dr -- <args>` in this process: the exit code and what it printed. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(`${a.join(' ')}\n`));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(`${a.join(' ')}\n`));
  try {
    const status = await main(args, { ...process.env, DR_ACTIVE_REGION: '', ...env }, { synthesize: synthesizeConfig });
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('dr status', () => {
  test('shows the normal state of the committed config', () => {
    const out = runDrCommand(['status'], {});
    expect(out).toContain('state:  normal (the primary site serves, the DR site replicates it)');
    expect(out).toContain('us-west-1 (dr site): passive');
    expect(out).toContain('  database:    dr-estate-prod-db-2, replica of dr-estate-prod-db-1 in us-east-2');
    expect(out).toContain('  app servers: desired 0 (min 0, max 3)');
  });

  test('shows the failover state under DR_ACTIVE_REGION, and says where it came from', () => {
    const out = runDrCommand(['status'], { DR_ACTIVE_REGION: 'us-west-1' });
    expect(out).toContain('state:  failover');
    expect(out).toContain('active: us-west-1 (from DR_ACTIVE_REGION, not the committed config)');
    expect(out).toContain('  database:    dr-estate-prod-db-1, old writer, detached (replace it with plan --reprotect)');
  });
});

describe('dr plan --to us-west-1 (failover)', () => {
  const out = runDrCommand(['plan', '--to', 'us-west-1'], {});

  test('names the states it moves between', () => {
    expect(out.split('\n')[0]).toBe('DR plan: normal (active us-east-2) -> failover (active us-west-1)');
  });

  test('lists every resource the switch changes', () => {
    expect(out).toContain('Resource changes (11), from synthesizing both postures:');
    expect(out).toMatch(/update regional-us-west-1 +aws_db_instance\.database_instance_2\n/);
    expect(out).toMatch(/update dns-global +aws_route53_record\.failover_app_active\n +alias\.name: .*\n +alias\.zone_id: .*\n +health_check_id: /);
  });

  test('gives the complete config change to commit, every field of the DR position', () => {
    expect(out).toContain("Commit (config/estate.ts; every field of the DR position):\n  activeRegion: 'us-west-1', switches: 1, reprotects: 0\n");
  });

  test('deploys through deploy:phase only (the one deploy path), one command per changed phase, then dr verify; no monitoring phase (nothing in it follows the posture)', () => {
    const commands = out.split('\n').filter((l) => /^ {2}\d+\. /.test(l)).map((l) => l.replace(/^ {2}\d+\. /, '').split('    #')[0]);
    expect(commands).toEqual([
      'DR_ACTIVE_REGION=us-west-1 npm run deploy:phase -- regional',
      'DR_ACTIVE_REGION=us-west-1 npm run deploy:phase -- dns',
      'DR_ACTIVE_REGION=us-west-1 npm run dr -- verify',
    ]);
    expect(out).not.toContain('cdktf deploy');
  });

  test('computes the RTO and RPO budget from config', () => {
    expect(out).toContain('  detection  30 s health-check interval x 3 failures = 90 s');
    expect(out).toContain('  recovery   max(app warm-up 300 s, database promotion 10 min) = 600 s');
    expect(out).toContain('  total      750 s (12.5 min), plus the time to run the deploys above');
  });

  test('shows each changed value, before and after', () => {
    expect(out).toMatch(/update regional-us-west-1 +aws_autoscaling_group\.app_asg\n +desired_capacity: 0 -> 3\n +min_size: 0 -> 2\n/);
    expect(out).toMatch(/update regional-us-east-2 +aws_autoscaling_group\.app_asg\n +desired_capacity: 3 -> 0\n/);
    expect(out).toContain('      state: "stopped" -> "running"');
    expect(out).toContain('      replicate_source_db: \"arn:aws:rds:us-east-2:111122223333:db:dr-estate-prod-db-1\" -> (not set)');
    expect(out).toContain('      health_check_id: aws_route53_health_check.failover_health_us_east_2.id -> aws_route53_health_check.failover_health_us_west_1.id');
  });

  test('the RPO names the data at risk: the old writer\'s unreplicated writes and the pushes since the last replicated backup', () => {
    expect(out).toContain('  database   writes to dr-estate-prod-db-1 in us-east-2 not yet replicated to dr-estate-prod-db-2 in us-west-1: the replica lag, 5 s expected;');
    expect(out).toContain('  Git        none if us-east-2 is reachable (its Git server\'s final backup is the handover); else pushes to it since its last complete backup replicated to us-west-1: up to 15 min backup interval + S3 replication lag (no SLA; usually minutes), reported by the new server');
    expect(out).not.toMatch(/^ {2}planned /m);
  });
});

describe('dr plan --to us-east-2 (planned failback)', () => {
  test('says how to put nothing at risk', () => {
    const out = runDrCommand(['plan', '--to', 'us-east-2'], {}, afterSafeHistory('us-west-1', 1));
    expect(out).toContain('  planned    stop writes in us-west-1, wait for ReplicaLag 0 on dr-estate-prod-db-3 and a fresh Git backup: then nothing is at risk');
  });
});

describe('dr plan --reprotect', () => {
  test('after a failover: the primary site gets a new replica, the old writer is only forgotten', () => {
    const out = runDrCommand(['plan', '--reprotect'], { DR_ACTIVE_REGION: 'us-west-1' });
    expect(out.split('\n')[0]).toBe('DR plan: failover (active us-west-1) -> reprotected (active us-west-1)');
    expect(out).toMatch(/forget regional-us-east-2 +aws_db_instance\.database_instance_1/);
    expect(out).toMatch(/create regional-us-east-2 +aws_db_instance\.database_instance_3/);
    expect(out).toContain("Commit (config/estate.ts; every field of the DR position):\n  activeRegion: 'us-west-1', switches: 1, reprotects: 1\n");
    expect(out).toMatch(/ {2}1\. npm run deploy:phase -- regional {4}# us-east-2: create the new replica database/);
    // The launch template's user data, decoded: the one line that changes, not two cut base64 strings.
    expect(out).toContain(
      '  update regional-us-east-2   aws_launch_template.app_launch_template\n      user_data (base64, decoded: the lines that differ):\n        - DB_IDENTIFIER = "dr-estate-prod-db-1"\n        + DB_IDENTIFIER = "dr-estate-prod-db-3"\n',
    );
  });

  test('fails if there is nothing to reprotect', () => {
    expect(() => runDrCommand(['plan', '--reprotect'], {})).toThrow(
      'Nothing to reprotect in state "normal": the passive site (us-west-1) already replicates the active one.',
    );
  });
});

describe('the dr command line', () => {
  test('npm run dr -- plan runs without terraform or AWS and exits 0', () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), 'scripts/dr/cli.ts', 'plan', '--to', 'us-west-1'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DR_ACTIVE_REGION: '', PATH: '/usr/bin:/bin' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('DR plan: normal (active us-east-2) -> failover (active us-west-1)');
  });

  test('fails if the target region is already active: one sentence, exit 2', async () => {
    const result = await run(['plan', '--to', 'us-east-2']);
    expect([result.status, result.stderr.trim()]).toEqual([
      2,
      'dr: --to is "us-east-2", which is already the active region; nothing to switch.',
    ]);
  });

  test('fails if the target region is not an estate region', async () => {
    const result = await run(['plan', '--to', 'eu-west-1']);
    expect([result.status, result.stderr.trim()]).toEqual([
      2,
      'dr: --to is "eu-west-1", expected one of the estate\'s regions: us-east-2, us-west-1.',
    ]);
  });

  test('DR_ACTIVE_REGION=us-west-1 npm run dr -- plan --to us-east-2 (failback without reprotect) exits 2 naming the reprotect', async () => {
    const result = await run(['plan', '--to', 'us-east-2'], { DR_ACTIVE_REGION: 'us-west-1' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toMatch(/^dr: --to us-east-2 is refused in state "failover": .*reprotect first \(npm run dr -- plan --reprotect\), then switch\.$/);
  });

  test('fails if the command is unknown', async () => {
    const result = await run(['flip']);
    expect([result.status, result.stderr.trim()]).toEqual([
      2,
      'dr: Unknown command "flip"; use "status", "plan --to <region>", "plan --reprotect", "quotas" or "verify".',
    ]);
  });

  test('fails if DR_ACTIVE_REGION is not an estate region, naming it', async () => {
    const result = await run(['status'], { DR_ACTIVE_REGION: 'eu-west-1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('dr: invalid estate config: DR_ACTIVE_REGION (which overrides activeRegion) is "eu-west-1"');
  });
});

describe('dr verify (the post-switch smoke check)', () => {
  // A stand-in for the app on loopback, answering as the real one does.
  const serve = (identity: object, roundtrip: { status: number; body: object }) =>
    new Promise<{ url: string; close: () => void }>((resolve) => {
      const server = createServer((request, response) => {
        const [status, body] = request.method === 'POST' ? [roundtrip.status, roundtrip.body] : [200, identity];
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      }).listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
      });
    });
  const runVerify = (url: string, env: NodeJS.ProcessEnv = {}) => run(['verify', '--url', url], env);

  test('passes when the active region serves from its writer and a row makes the round trip', async () => {
    const app = await serve(
      { region: 'us-east-2', database: 'dr-estate-prod-db-1', databaseRole: 'writer' },
      { status: 200, body: { region: 'us-east-2', wrote: 7, read: 'us-east-2' } },
    );
    const r = await runVerify(app.url);
    app.close();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('serving:    us-east-2 (active region in config: us-east-2)');
    expect(r.stdout).toContain('database:   dr-estate-prod-db-1, writer');
    expect(r.stdout).toContain('round trip: wrote row 7 in us-east-2, read back "us-east-2"');
  });

  test('fails, saying why, when the wrong region serves or its database is a replica', async () => {
    const app = await serve(
      { region: 'us-east-2', database: 'dr-estate-prod-db-1', databaseRole: 'replica' },
      { status: 503, body: { error: 'cannot execute INSERT in a read-only transaction' } },
    );
    const r = await runVerify(app.url, { DR_ACTIVE_REGION: 'us-west-1' });
    app.close();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('dr verify: the app is served from us-east-2, expected the active region us-west-1.');
    expect(r.stderr).toContain("dr verify: the serving region's database is replica, expected the writer.");
    expect(r.stderr).toContain('dr verify: the write/read round trip failed.');
  });

  test('fails with one clear sentence when the app does not answer', async () => {
    const closed = await serve({}, { status: 200, body: {} });
    closed.close(); // a loopback port nothing listens on any more
    const r = await runVerify(closed.url);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `dr verify: ${closed.url} did not answer (ECONNREFUSED); run the check from a network that resolves and reaches the app's public name, or give --url.`,
    );
  });
});
