import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveConfig } from '../../config/load';
import { stackRoles } from '../../scripts/deploy/stack-roles';
import { committedInput } from '../helpers';

/*
 * The AWS profiles `deploy:phase --apply DIR --assume-stack-roles` applies each stack with
 * (scripts/deploy/stack-roles.ts). That the provider and the backend really assume them is
 * shown against the emulator in stack-roles.test.ts.
 */

const config = resolveConfig(committedInput);
const job = { AWS_ACCESS_KEY_ID: 'ASIAJOB', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_PROFILE: 'mine', PATH: '/usr/bin', RUNNER_TEMP: '' };
const stacks = ['regional-us-east-2', 'regional-us-west-1', 'dns-global', 'monitoring-us-west-1'];

test('each stack selects the profile of its scope; the job\'s keys and profile are gone from its environment', () => {
  const roles = stackRoles(config, stacks, 'env', { ...job, RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'estate-roles-')) }, 'deploy-42');
  try {
    const profiles = Object.fromEntries(stacks.map((s) => [s, roles.envFor(s).AWS_PROFILE]));
    expect(profiles).toEqual({
      'regional-us-east-2': 'estate-deploy-us-east-2',
      'regional-us-west-1': 'estate-deploy-us-west-1',
      'dns-global': 'estate-deploy-dns',
      'monitoring-us-west-1': 'estate-deploy-us-west-1',
    });
    const env = roles.envFor('dns-global');
    expect([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.PATH]).toEqual([undefined, undefined, undefined, '/usr/bin']);
    expect(readFileSync(env.AWS_CONFIG_FILE!, 'utf8')).toContain(
      '[profile estate-deploy-dns]\nrole_arn = arn:aws:iam::111122223333:role/dr-estate-prod-ci-deploy-dns\nrole_session_name = deploy-42-deploy-dns\nsource_profile = estate-ci-source',
    );
    expect(readFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8')).toBe('[estate-ci-source]\naws_access_key_id = ASIAJOB\naws_secret_access_key = secret\naws_session_token = token\n');
    for (const file of [env.AWS_CONFIG_FILE!, env.AWS_SHARED_CREDENTIALS_FILE!]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(env.AWS_CONFIG_FILE!)).mode & 0o777).toBe(0o700);
    expect(roles.summary).toEqual([
      'regional-us-east-2 as dr-estate-prod-ci-deploy-us-east-2',
      'regional-us-west-1 as dr-estate-prod-ci-deploy-us-west-1',
      'dns-global as dr-estate-prod-ci-deploy-dns',
      'monitoring-us-west-1 as dr-estate-prod-ci-deploy-us-west-1',
    ]);
  } finally {
    roles.dispose();
  }
});

test('fails for a stack CI never deploys, and for the env source without keys', () => {
  expect(() => stackRoles(config, ['bootstrap-us-west-1'], 'env', job, 's')).toThrow('bootstrap-us-west-1 has no CI deploy role (CI deploys the regional, monitoring and DR stacks only).');
  expect(() => stackRoles(config, ['dns-global'], 'env', { PATH: '/usr/bin' }, 's')).toThrow(/^--assume-stack-roles env: no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
});
