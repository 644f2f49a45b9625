import { lockIdOf } from './recovery';
import { lastLines, run, stackDir, startTerraform, type DrillTerraform } from './terraform';

/*
 * The state lock on a real stack's state, in the step it matters most (the failover, with the
 * primary region dark): one session holds the stack's lock (`terraform console`, which keeps it
 * for as long as it runs), a second writer is refused with Terraform's lock error naming the holder's lock ID, and once the
 * first gives up the lock is released and the state is as it was (an empty plan). The state
 * bucket, lock table and lock file are the DR region's, as the stack's backend says.
 */

/** What the live lock check saw. */
export interface LiveLockReport {
  readonly stack: string;
  /** The second writer was refused with the lock error, naming the first one's lock ID. */
  readonly refused: boolean;
  /** After the first gave up, a plan took the lock and found nothing to do. */
  readonly released: boolean;
  readonly problems: readonly string[];
}

/** Holds `stack`'s lock with `terraform console`, and tries a second writer. */
export async function liveLockCheck(tf: DrillTerraform, stack: string, targets: readonly string[], accessKey: string): Promise<LiveLockReport> {
  const problems: string[] = [];
  const { child: holder, output: held, closed } = startTerraform(tf, stackDir(tf, stack), ['console', '-no-color'], { accessKey, stdin: true });
  holder.stdin!.write('6 * 7\n');
  // The console takes the lock as it starts (it answers only when its input ends): the second
  // writer tries a few times, a second apart, until it meets the lock.
  let refused = false;
  let second: Awaited<ReturnType<typeof run>> | undefined;
  for (let attempt = 0; attempt < 5 && !refused && holder.exitCode === null; attempt += 1) {
    await new Promise((r) => setTimeout(r, attempt === 0 ? 2000 : 1000));
    second = await run(tf, stack, ['plan', '-input=false', '-no-color', '-lock-timeout=0s', ...targets], accessKey);
    const output = second.stdout + second.stderr;
    refused = second.code !== 0 && /Error acquiring the state lock/.test(output) && lockIdOf(output) !== undefined;
  }
  if (!refused) problems.push(`${stack}: a second writer was not refused while terraform console held the lock (exit ${second?.code ?? 'none'}): ${second ? lastLines(second, 3) : held().trim()}`);
  holder.stdin!.end();
  const timer = setTimeout(() => process.kill(-holder.pid!, 'SIGKILL'), 60_000);
  const code = await closed;
  clearTimeout(timer);
  tf.record(`${stack}: terraform console (holding the lock)`, { code, stdout: held(), stderr: '' });
  if (!/^42$/m.test(held())) problems.push(`${stack}: the session holding the lock was not a working terraform console (exit ${code}): ${held().trim().split('\n').slice(-3).join(' | ')}`);
  const after = await run(tf, stack, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock-timeout=0s', ...targets], accessKey);
  const released = after.code === 0;
  if (!released) problems.push(`${stack}: once the holder ended, the plan did not take the lock and find nothing to do (exit ${after.code}): ${lastLines(after, 3)}`);
  return { stack, refused, released, problems };
}
