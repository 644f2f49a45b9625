import type { EstateConfigInput } from './schema';

/**
 * The estate. This file is the one place to change what is deployed; every field is
 * documented in docs/configuration.md and validated at synth.
 *
 * The DR switch is `activeRegion` (with its counter `switches`). In an emergency with the Git
 * server unreachable, set `DR_ACTIVE_REGION` in the environment instead of editing this file:
 * naming the other region, it counts as one switch more than committed.
 */
export const estate: EstateConfigInput = {
  project: 'dr-estate',
  // The estate's AWS account (a documentation account here: replace it). It is part of every
  // bucket name, which S3 keeps global, and the only account the providers will act in.
  accountId: '111122223333',
  environment: 'prod',
  primary: { region: 'us-east-2', vpcCidr: '10.20.0.0/16', azCount: 3 },
  dr: { region: 'us-west-1', vpcCidr: '10.30.0.0/16', azCount: 2 },
  activeRegion: 'us-east-2',
  // The DR history (config/dr.ts): failovers plus failbacks, and rebuilds of a recovered site.
  // Change them only as `npm run dr -- plan` prints; an unsafe combination fails the synth.
  switches: 0,
  reprotects: 0,
  // State locks: the DynamoDB table and, as Terraform >= 1.10 recommends, an S3 lock file beside
  // the state (both are taken; the table can be dropped once every user runs Terraform >= 1.10).
  // The bootstrap stacks' own state is in the buckets they created (moved there after the first
  // bootstrap, docs/architecture.md "Bootstrap"), so the CI roles they hold are drift-reviewed like the rest.
  stateBackend: { s3Lockfile: true, bootstrapStateInS3: true },
  // Replace with the estate's real Route 53 zone before the first deploy.
  dns: { zoneName: 'estate.example.org' },
  // Roles given cluster-admin access to both EKS clusters (the SRE role; CI's deploy role is
  // added by the estate itself). Replace the documentation account below with the estate's own.
  eks: { adminRoleArns: ['arn:aws:iam::111122223333:role/estate-admin'] },
  // Where alarms go (each address confirms its subscription once); prod requires one. Replace
  // with the on-call address or a pager's email integration.
  monitoring: { alertEmails: ['oncall@estate.example.org'] },
  // The repository whose workflows deploy the estate (GitHub OIDC; replace with the real one).
  ci: { githubRepository: 'example-org/dr-estate' },
};
