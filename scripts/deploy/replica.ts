import { join } from 'node:path';
import { backendFolder, parseState } from '../terraform/state';
import { lastLine } from './live-dns';

/*
 * A stack that reads another stack's state from a replica (the DNS stack reads the primary's
 * regional and monitoring states from the DR bucket, so a failover needs nothing from the
 * primary region) would plan from whatever S3 replication has copied so far: replication is
 * asynchronous (S3 User Guide, "Replicating objects": most objects in seconds, S3 Replication
 * Time Control 99.99% within 15 minutes). A load balancer replaced by the regional phase moments
 * before could be planned into DNS under its old name. So before such a plan, each replica is
 * compared with its source, by the state's lineage and serial: while the source can be read,
 * the plan waits until the replica has caught up (or fails, naming both serials); when the
 * source cannot be read (its region is dark), the plan reads the replica as it is, and says so.
 */

/** A state a stack reads from a bucket other than the one its own stack writes it to. */
export interface ReplicaRead {
  /** The stack that reads it (`dns-global`). */
  readonly reader: string;
  /** The stack whose state it is. */
  readonly stack: string;
  readonly key: string;
  /** The writer's own backend (the source). */
  readonly source: Readonly<Record<string, unknown>>;
  /** Where the reader reads it (the replica). */
  readonly replica: Readonly<Record<string, unknown>>;
}

type Json = {
  terraform?: { backend?: { s3?: Record<string, unknown> } };
  data?: { terraform_remote_state?: Record<string, { backend?: string; config?: Record<string, unknown> }> };
};

/** The replica reads of the given stacks, found in the synthesized configuration of every stack. */
export function replicaReads(texts: Readonly<Record<string, string>>, readers: readonly string[]): ReplicaRead[] {
  const parsed = Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, JSON.parse(text) as Json]));
  const writerOf = (key: unknown) => Object.entries(parsed).find(([, json]) => json.terraform?.backend?.s3?.key === key);
  return readers.flatMap((reader) =>
    Object.values(parsed[reader]?.data?.terraform_remote_state ?? {}).flatMap((remote) => {
      const config = remote.config ?? {};
      const writer = remote.backend === 's3' ? writerOf(config.key) : undefined;
      const source = writer?.[1].terraform?.backend?.s3;
      if (!writer || !source || source.bucket === config.bucket) return [];
      return [{ reader, stack: writer[0], key: String(config.key), source, replica: { bucket: config.bucket, key: config.key, region: config.region } }];
    }),
  );
}

/** A state's identity: its lineage and serial. */
interface StateVersion {
  readonly lineage: string;
  readonly serial: number;
}

/** Options of {@link awaitReplicas}. */
export interface ReplicaOptions {
  readonly terraform: string;
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** How long to wait for a replica to catch up. */
  readonly waitMs: number;
  /** How long between two reads of a replica. */
  readonly pollMs: number;
  /** Longest one read of a state may take (a dark region's endpoint may never answer). */
  readonly readTimeoutMs: number;
  readonly log: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Reads a state (terraform state pull, with only the backend configured: no provider is installed). */
async function stateVersion(options: ReplicaOptions, name: string, backend: Readonly<Record<string, unknown>>, timeoutMs: number): Promise<StateVersion | string> {
  const folder = await backendFolder(options.terraform, join(options.workDir, 'replica-check', name), backend, { env: options.env, timeoutMs });
  if (folder.init.code !== 0) return lastLine(folder.init.stderr || folder.init.stdout);
  const pulled = await folder.run(['state', 'pull']);
  if (pulled.code !== 0) return lastLine(pulled.stderr || pulled.stdout);
  const state = parseState(pulled.stdout);
  return { lineage: state?.lineage ?? '', serial: state?.serial ?? 0 };
}

/**
 * Waits until every replica a plan will read holds its source's state; returns what was read,
 * one line each. Throws when a replica stays behind a readable source longer than `waitMs`.
 */
export async function awaitReplicas(reads: readonly ReplicaRead[], options: ReplicaOptions): Promise<string[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const lines: string[] = [];
  for (const read of reads) {
    const where = `${read.stack}'s state (${read.key})`;
    const source = await stateVersion(options, `source-${read.stack}`, read.source, options.readTimeoutMs);
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      const replica = await stateVersion(options, `replica-${read.stack}`, read.replica, options.readTimeoutMs);
      if (typeof replica === 'string') throw new Error(`${read.reader} reads ${where} from ${String(read.replica.bucket)}, which cannot be read: ${replica}`);
      if (typeof source === 'string') {
        lines.push(`${read.reader} reads ${where} from the replica in ${String(read.replica.bucket)} as it is (serial ${replica.serial}): its source in ${String(read.source.bucket)} cannot be read (${source})`);
        break;
      }
      if (replica.lineage === source.lineage && replica.serial >= source.serial) {
        lines.push(`${read.reader} reads ${where} from the replica in ${String(read.replica.bucket)}: serial ${replica.serial}, the same as its source in ${String(read.source.bucket)}`);
        break;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `${read.reader} would read ${where} from a replica behind its source: serial ${replica.serial} in ${String(read.replica.bucket)}, ${source.serial} in ${String(read.source.bucket)}` +
            `${replica.lineage === source.lineage ? '' : ' (another lineage)'}, still after ${Math.round(options.waitMs / 1000)} s. Check the state bucket's replication, then plan again.`,
        );
      }
      options.log(`deploy: ${read.reader}: the replica of ${where} is at serial ${replica.serial}, its source at ${source.serial}: waiting for replication`);
      await sleep(options.pollMs);
    }
  }
  return lines;
}

/** S3 Replication Time Control replicates 99.99% of objects within 15 minutes: how long a plan waits. */
export const REPLICA_WAIT_MS = 15 * 60_000;

/**
 * Before planning `stacks`: waits for the replicas they read (see {@link awaitReplicas}) and
 * prints which copy each read. Returns false, having said why, when a replica stayed behind.
 */
export async function replicasReady(texts: Readonly<Record<string, string>>, stacks: readonly string[], options: Omit<ReplicaOptions, 'log'>): Promise<boolean> {
  const reads = replicaReads(texts, stacks);
  if (!reads.length) return true;
  try {
    for (const line of await awaitReplicas(reads, { ...options, log: (l) => console.log(l) })) console.log(`deploy: ${line}`);
    return true;
  } catch (error) {
    console.error(`deploy: ${(error as Error).message}`);
    return false;
  }
}
