import type { EstateConfig } from './load';
import { ciRoleArn } from './naming';

/** True when anything may run the estate's CI: a GitHub repository or Gitea runners are configured. */
export function ciEnabled(config: EstateConfig): boolean {
  const { githubRepository, giteaRunnerRoleArns, giteaDeployRunnerRoleArns } = config.ci;
  return githubRepository !== undefined || giteaRunnerRoleArns.length > 0 || giteaDeployRunnerRoleArns.length > 0;
}

/** The roles given cluster-admin on the EKS clusters: the configured ones, and CI's deploy role. */
export function clusterAdminRoleArns(config: EstateConfig): readonly string[] {
  return [...config.eks.adminRoleArns, ...(ciEnabled(config) ? [ciRoleArn(config, 'deploy')] : [])];
}
