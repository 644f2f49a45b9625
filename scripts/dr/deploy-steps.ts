import { DEPLOY_PHASES, deploySequence, type DeployPhase } from '../deploy/order';
import { activeAndPassive, sitePosture } from '../../config/dr';
import type { EstateConfig } from '../../config/load';
import type { PlanOptions } from './cli';
import { positionText } from './runbook';

/* What `npm run dr -- plan` says to do: the DR position to commit and the deploy commands. */

/**
 * The config change to commit and the deploy, one `deploy:phase` command per phase with a changed
 * stack, in the target posture's order (scripts/deploy/order.ts), then the smoke check: the one
 * deploy path (saved plans, scoped roles, the live-DNS guard), the one the runbook and the
 * pipelines take.
 */
export function deploySteps(config: EstateConfig, target: EstateConfig, options: PlanOptions, changed: string[]): string[] {
  const lines = ['Commit (config/estate.ts; every field of the DR position):', `  ${positionText(target)}`];
  if (options.kind === 'switch') lines.push(`  until the config can be committed (Git unreachable), prefix each command below with DR_ACTIVE_REGION=${target.activeRegion}`);
  lines.push('', 'Deploy (each phase planned, shown, and applied once approved; npm run deploy:phase -- all --list shows the stacks):');
  if (options.kind === 'switch' && config.primary.region === target.activeRegion) {
    lines.push(
      `  a planned failback: the regional phase stops writes in ${config.activeRegion} first, then promotes at once (it does not wait on replica lag): check the replica's ReplicaLag is at its usual few seconds before approving it`,
    );
  }
  deployCommands(target, options, changed).forEach((command, i) => lines.push(`  ${i + 1}. ${command}`));
  return lines;
}

/** What each phase does in this transition, for the plan's deploy list. */
function phaseSummary(target: EstateConfig, options: PlanOptions, phase: DeployPhase): string {
  const { active, passive } = activeAndPassive(target);
  if (phase === 'regional') {
    return options.kind === 'switch'
      ? `${passive.region} first, if reachable (scale the app tier down, stop the Git server: its final backup is the handover; dark, it is skipped with a warning), then ${active.region} (promote the database, start the Git server, scale the app tier up)`
      : `${passive.region}: create the new replica database, stop managing the old writer (it stays in AWS)`;
  }
  if (phase === 'dns') {
    if (options.kind === 'reprotect') return `Route 53: the standby route to ${passive.region} again (its database replicates ${active.region} now)`;
    const standby = sitePosture(target, passive).routable ? '' : `, and remove the standby route to ${passive.region} (its database is the detached old writer)`;
    return `Route 53: the PRIMARY app record and the monitoring name to ${active.region}${standby}`;
  }
  if (phase === 'monitoring') return `the monitoring of ${active.region} (best effort: it needs the cluster's private API)`;
  return `the monitoring of ${passive.region}, the site left (best effort: its region may be dark)`;
}

/** The commands that carry out a transition, in order: one per phase with a changed stack, then `dr verify`. */
export function deployCommands(target: EstateConfig, options: PlanOptions, changed: readonly string[]): string[] {
  const env = options.kind === 'switch' ? `DR_ACTIVE_REGION=${target.activeRegion} ` : '';
  const phases = DEPLOY_PHASES.filter((phase) => deploySequence(target).some((step) => step.phase === phase && changed.includes(step.stack)));
  return [
    ...phases.map((phase) => `${env}npm run deploy:phase -- ${phase}    # ${phaseSummary(target, options, phase)}`),
    ...(options.kind === 'switch' ? [`${env}npm run dr -- verify    # ${target.activeRegion} serves from its writer, a write/read round trip`] : []),
  ];
}
