import type { AwsRegion } from './regions';
import type { EstateConfig } from './load';
import { ciRoleArn, DNS_STACK_NAME, stackName, type CiRolePurpose } from './naming';

/** True when the estate's CI runs: a GitHub repository is configured (its workflows assume the CI roles). */
export function ciEnabled(config: EstateConfig): boolean {
  return config.ci.githubRepository !== undefined;
}

/** True when CI deploys: GitHub's deploy jobs can assume the scoped deploy roles. */
export function ciDeploys(config: EstateConfig): boolean {
  return ciEnabled(config);
}

/** The roles given cluster-admin on a region's EKS cluster: the configured ones, and the region's CI deploy role. */
export function clusterAdminRoleArns(config: EstateConfig, region: AwsRegion): readonly string[] {
  return [...config.eks.adminRoleArns, ...(ciDeploys(config) ? [ciRoleArn(config, `deploy-${region}`)] : [])];
}

/** The roles given read access to the clusters (Secrets included): CI's plan role, whose plans of the monitoring stacks read them. */
export function clusterViewRoleArns(config: EstateConfig): readonly string[] {
  return ciEnabled(config) ? [ciRoleArn(config, 'plan')] : [];
}

/**
 * The scoped CI role a stack is deployed with: its region's for the regional and monitoring
 * stacks, the DNS role for the DNS stack; undefined for a stack CI never deploys (bootstrap).
 */
export function deployRoleScope(config: EstateConfig, stack: string): CiRolePurpose | undefined {
  if (stack === DNS_STACK_NAME) return 'deploy-dns';
  for (const region of [config.primary.region, config.dr.region]) {
    if (stack === stackName('regional', region) || stack === stackName('monitoring', region)) return `deploy-${region}`;
  }
  return undefined;
}
