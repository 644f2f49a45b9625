import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../scripts/drill/emulator';

/*
 * The drill's AWS emulator: moto_server on loopback with the fixes the DR cycle needs. Without
 * them, moto gives every instance one DbiResourceId, leaves a promoted replica naming its source,
 * and refuses to create again a failover record that was deleted (all seen with plain moto_server
 * 5.2.1).
 */

jest.setTimeout(60_000);

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('binds to 127.0.0.1 only, at a port of its own', () => {
  expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(processAlive(emulator.pid)).toBe(true);
});

test('RDS: each instance has its own DbiResourceId, and a promoted replica no longer names its source', () => {
  const port = emulator.endpoint.split(':').pop()!;
  const out = execFileSync('python3', [join(__dirname, '..', 'fixtures', 'emulator', 'rds-check.py'), port], { encoding: 'utf8' });
  const seen = JSON.parse(out) as { ids: string[]; replicaOfBefore: string; replicaOfAfter: string | null; sourceReplicasAfter: string[] };
  expect(new Set(seen.ids).size).toBe(3);
  expect(seen.replicaOfBefore).toMatch(/^arn:aws:rds:us-east-2:\d{12}:db:db-1$/);
  expect(seen.replicaOfAfter).toBeNull();
  expect(seen.sourceReplicasAfter).toEqual([]);
});

test('Route 53: a failover record deleted and created again as it was is accepted, and a true duplicate (same name, type and set identifier) refused, as on AWS', () => {
  const port = emulator.endpoint.split(':').pop()!;
  const out = execFileSync('python3', [join(__dirname, '..', 'fixtures', 'emulator', 'route53-check.py'), port], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ createActive: 'ok', createStandby: 'ok', deleteStandby: 'ok', createStandbyAgain: 'ok', createDuplicate: 'InvalidChangeBatch' });
});

test('S3: a replication rule reads back as it was put (prefix, delete markers, SSE-KMS selection, replica key); Auto Scaling: an instance refresh starts and reads back finished, and a group launches from a later template version', () => {
  const port = emulator.endpoint.split(':').pop()!;
  const out = execFileSync('python3', [join(__dirname, '..', 'fixtures', 'emulator', 'launch-and-replication-check.py'), port], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({
    filter: { Prefix: 'git/' },
    deleteMarkerReplication: { Status: 'Enabled' },
    sourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
    replicaKey: 'arn:aws:kms:us-west-1:111122223333:alias/storage',
    refresh: [{ id: true, status: 'Successful' }],
    launchedFromVersion2: 1,
  });
});

test('stops by its PID', async () => {
  const { pid } = emulator;
  await emulator.stop();
  expect(processAlive(pid)).toBe(false);
});

test('fails with one clear sentence when moto is not installed', async () => {
  await expect(startEmulator({ python: '/nonexistent/python3' })).rejects.toThrow(
    /^moto_server is not installed for \/nonexistent\/python3 \(the drill's AWS emulator, moto 5\.2\.1, comes with this kind of machine and cannot be installed from here\)/,
  );
});

test('a server that never answers is stopped after the start timeout, which the message names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'estate-emulator-'));
  try {
    // moto imports, but its server hangs instead of listening.
    const python = join(dir, 'python3');
    writeFileSync(python, '#!/bin/sh\nif [ "$1" = "-c" ]; then exec python3 "$@"; fi\nexec sleep 60\n', { mode: 0o755 });
    const started = Date.now();
    await expect(startEmulator({ python, startTimeoutMs: 2000 })).rejects.toThrow(/^moto_server did not answer on http:\/\/127\.0\.0\.1:\d+ within 2 s: no output$/);
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
