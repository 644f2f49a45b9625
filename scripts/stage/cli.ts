import { resolve } from 'node:path';
import { estate } from '../../config/estate';
import { resolveConfig } from '../../config/load';
import { gitBackupBucketName } from '../../config/naming';
import { EXIT, runCommand, UsageError, type CommandSpec } from '../cli';
import { awsCli, bootArtifacts, stageArtifacts, VerificationError } from './artifacts';

/*
 * npm run stage -- [--from DIR]   (--help)
 *
 * Stages the boot artifacts (the Gitea release, its signature and signing key, node_exporter)
 * into both regions' backup buckets, under artifacts/, after the bootstrap stacks and before
 * the first regional deploy (./artifacts.ts). Run with credentials of the estate's account that
 * may write both buckets (an administrator, as for the bootstrap).
 */

export const STAGE_COMMAND: CommandSpec = {
  invocation: 'npm run stage --',
  name: 'stage',
  summary: [
    "Fetches the boot artifacts every instance installs from its region's backup bucket (Gitea, its",
    'signature and signing key, node_exporter), verifies them (signature by the release key; published',
    "SHA-256) and uploads them to both regions' buckets (artifacts/). Run it after the bootstrap stacks,",
    'before the first regional deploy, and again after changing gitServer.giteaVersion.',
  ].join('\n'),
  options: {
    from: { type: 'string', value: 'DIR', description: 'take the files from DIR (named as under artifacts/) instead of downloading them' },
  },
  exitCodes: {
    ok: 'every artifact verified and present in both buckets',
    failure: 'an artifact failed verification (nothing was uploaded) or an upload failed',
  },
};

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runCommand(STAGE_COMMAND, argv, env, async ({ values }) => {
    const config = resolveConfig(estate, { activeRegionOverride: env.DR_ACTIVE_REGION });
    const folder = values.from as string | undefined;
    if (folder === '') throw new UsageError('--from needs a folder.');
    const buckets = [config.primary.region, config.dr.region].map((region) => ({ bucket: gitBackupBucketName(config, region), region }));
    const source = folder
      ? { folder: resolve(folder) }
      : {
          fetch: async (url: string) => {
            const response = await fetch(url);
            if (!response.ok) throw new Error(`downloading ${url}: HTTP ${response.status}; download it by hand and pass --from <folder>.`);
            return Buffer.from(await response.arrayBuffer());
          },
        };
    try {
      const staged = await stageArtifacts(bootArtifacts(config.gitServer.giteaVersion), source, buckets, awsCli(env), (line) => console.log(line));
      const uploaded = staged.filter((s) => s.action === 'uploaded').length;
      console.log(`stage: ${staged.length} objects in place (${uploaded} uploaded, ${staged.length - uploaded} already there).`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof VerificationError) {
        console.error(`stage: ${error.message}`);
        return EXIT.failure;
      }
      throw error;
    }
  });
}
