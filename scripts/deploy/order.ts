import { activeAndPassive, databasePlacement } from '../../config/dr';
import type { EstateConfig } from '../../config/load';
import { DNS_STACK_NAME, stackName } from '../../config/naming';

/* The order the DR posture (config/dr.ts) deploys the stacks in: one policy, used by the deploy, the drill, the DR plan and the drift review. */

/**
 * The deploy phases, in order. Bootstrap stacks are deployed by hand and are in none. The DNS
 * flip (`dr`) comes right after the regional stacks: the monitoring stacks talk to the clusters'
 * private Kubernetes APIs, which a hosted runner cannot reach, so they never stand between a
 * failover and the DNS that completes it. `passive` holds the monitoring stack of a site a
 * switch left, which may be dark.
 */
export const DEPLOY_PHASES = ['regional', 'dns', 'monitoring', 'passive'] as const;

/** A deploy phase: the regional stacks, the DNS stack, the monitoring stacks, a dark passive site. */
export type DeployPhase = (typeof DEPLOY_PHASES)[number];

/** One stack deploy of {@link deploySequence}. */
export interface DeployStep {
  /** The stack, e.g. `regional-us-west-1`. */
  readonly stack: string;
  /** The phase it is deployed in. */
  readonly phase: DeployPhase;
  /** True when a failure must not stop the deploy (see {@link DeployStep.bestEffortReason}). */
  readonly bestEffort: boolean;
  /** Why a best-effort step may fail, and what to do then: one sentence. */
  readonly bestEffortReason?: string;
  /** True for a stack of the site a switch leaves (failover, failback): its region may be dark. */
  readonly leftBehind?: boolean;
}

const DARK_REGION =
  'it is the site being left, whose region may be down: the switch goes on without it (its pushes since its last complete Git backup are at risk); deploy it again once the region is reachable (npm run deploy:phase -- regional).';
const DARK_REGION_MONITORING = 'its region is the passive one and may be down: deploy it again once the region is reachable (npm run deploy:phase -- passive).';
const PRIVATE_API =
  "it talks to the cluster's private Kubernetes API: run it from inside the region's VPC (a runner there, or over VPN), or list the runner's network in eks.publicAccessCidrs (npm run deploy:phase -- monitoring).";

/**
 * The order every stack but the bootstrap ones is deployed in. The active site comes first in
 * each phase (a replica needs its source), but in a switch (failover, failback): then the
 * regional phase starts with the site being left, best effort. Reachable (a planned switch), it
 * stops its app tier and its Git server first, whose final backup is the handover the new
 * writer waits for (constructs/user-data/git-data.sh): no write lands on the old site after the
 * new one took over, and no push is lost. Dark (an unplanned one), its failure does not stop the
 * switch, which never waits on the region it leaves. Its monitoring stack goes last.
 */
export function deploySequence(config: EstateConfig): DeployStep[] {
  const { active, passive } = activeAndPassive(config);
  const dark = databasePlacement(config, passive).kind !== 'replica';
  const required = (stack: string, phase: DeployPhase): DeployStep => ({ stack, phase, bestEffort: false });
  const bestEffort = (stack: string, phase: DeployPhase, reason: string, leftBehind = false): DeployStep => ({
    stack,
    phase,
    bestEffort: true,
    bestEffortReason: reason,
    ...(leftBehind ? { leftBehind } : {}),
  });
  const steps: DeployStep[] = [];
  if (dark) steps.push(bestEffort(stackName('regional', passive.region), 'regional', DARK_REGION, true));
  steps.push(required(stackName('regional', active.region), 'regional'));
  if (!dark) steps.push(required(stackName('regional', passive.region), 'regional'));
  steps.push(required(DNS_STACK_NAME, 'dns'));
  steps.push(bestEffort(stackName('monitoring', active.region), 'monitoring', PRIVATE_API));
  if (!dark) steps.push(bestEffort(stackName('monitoring', passive.region), 'monitoring', PRIVATE_API));
  if (dark) steps.push(bestEffort(stackName('monitoring', passive.region), 'passive', DARK_REGION_MONITORING, true));
  return steps;
}

