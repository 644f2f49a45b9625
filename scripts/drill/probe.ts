import { spawn } from 'node:child_process';
import { drillScript } from './emulator';

/** Runs aws_probe.py against the emulator and parses its JSON answer. */
export function probe<T>(ctx: { readonly python: string; readonly emulator: string }, command: string, argument: unknown): Promise<T> {
  const script = drillScript('aws_probe.py');
  return new Promise((resolve, reject) => {
    const child = spawn(ctx.python, [script, ctx.emulator, command, JSON.stringify(argument)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', NO_PROXY: '127.0.0.1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`aws_probe.py ${command} failed: ${err.trim().split('\n').slice(-2).join(' | ')}`));
    });
  });
}

