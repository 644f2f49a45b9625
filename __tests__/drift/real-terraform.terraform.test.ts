import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../scripts/drift/cli';
import { detectToolchain } from '../../scripts/terraform/toolchain';
import { terraformSuiteMayRun } from '../terraform/harness/gate';

/*
 * `npm run drift` with the real terraform and AWS provider, and no AWS credentials: every
 * stack must end in a one-line "could not authenticate" error and the run must exit 1, without
 * a stack trace or a hang. Providers come from the local mirror (--provider-mirror). Without
 * terraform or a mirror this file says so loudly and skips, unless ESTATE_REQUIRE_TERRAFORM=1.
 */

jest.setTimeout(300_000);

const toolchain = detectToolchain();

if (terraformSuiteMayRun('drift against the real terraform', toolchain.missing)) {
  test('without AWS credentials every stack reports, in one line, that it could not authenticate: exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'estate-drift-real-'));
    // The bootstrap stacks' local state (empty), where their backend looks for it.
    const emptyState = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'drift-test', outputs: {}, resources: [] };
    for (const region of ['us-west-1', 'us-east-2']) {
      writeFileSync(join(dir, `terraform.bootstrap-${region}.tfstate`), JSON.stringify(emptyState));
    }
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
    let code: number;
    try {
      code = await main(['--parallel', '2', '--timeout-minutes', '3', '--report-dir', join(dir, 'reports')], {
        PATH: `${dirname(toolchain.terraform!)}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: dir,
        CDKTF_OUTDIR: join(dir, 'out'),
        TF_PROVIDER_MIRROR: toolchain.mirror,
        // No credentials anywhere, and no instance role to find.
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      });
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    const output = lines.join('\n');
    expect([code, output]).toEqual([1, expect.stringContaining('drift review failed')]);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'drift.json'), 'utf8')) as {
      stacks: { stack: string; result: string; error?: string }[];
    };
    expect(report.stacks).toHaveLength(7);
    for (const stack of report.stacks) {
      expect([stack.stack, stack.result, stack.error]).toEqual([
        stack.stack,
        'error',
        expect.stringMatching(/^(init|plan) could not authenticate to AWS: no valid credentials/),
      ]);
    }
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });
}
