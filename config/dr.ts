import type { EstateConfig, SiteConfig, SiteRole } from './load';
import type { AwsRegion } from './regions';
import { namePrefix } from './naming';

/*
 * The DR switch as data. Three committed values, the DR position ({@link DrPosition}), decide
 * everything: `activeRegion` (which site serves), `switches` (failovers plus failbacks) and
 * `reprotects` (how many times a recovered site has been rebuilt as the passive site). Each next
 * position comes from one function, {@link nextPosition}: `dr plan`, the runbook, the drill and
 * the tests all take their steps through it.
 *
 * Databases come in incarnations that alternate between the sites: 1 is the original primary
 * (primary site), 2 its cross-region replica (DR site), and every reprotect adds the next one,
 * born as a replica of the one before it, on the other site. The latest is `reprotects + 2`;
 * each site runs its newest. A passive site's database is a replica exactly when it is newer
 * than the active site's (it was born from it); otherwise it is the old writer, left detached
 * until a reprotect replaces it. So every (activeRegion, reprotects) pair is a valid state:
 *
 *   normal       primary active, DR replicating          (activeRegion = primary)
 *   failover     DR active, old primary detached          (change activeRegion)
 *   reprotected  DR active, primary rebuilt as a replica  (reprotects + 1)
 *   failback     primary active again, old DR detached    (change activeRegion back)
 *   normal       after a reprotect of the DR site         (reprotects + 1)
 *
 * `activeRegion` and `reprotects` alone cannot tell "never failed over" from "failed back without a
 * reprotect" (both are the primary active with reprotects 0), and the second would re-attach
 * replication onto the database that took every write since the failover. So the config also
 * counts `switches` (failovers plus failbacks), and the history must be one the cycle above can
 * produce: the primary site is active exactly after an even number of switches, and a switch
 * is only possible from a replicating state, so `reprotects` is `switches` (replicating) or
 * `switches - 1` (the passive site is the detached old writer). Anything else is refused
 * before a stack is synthesized; see {@link drHistoryProblems}.
 */

/** The four states of the estate. */
export type DrState = 'normal' | 'failover' | 'reprotected' | 'failback';

/** What a site's database is in the current state. */
export type DatabaseRoleKind =
  /** The writer, created as the original primary (incarnation 1). */
  | 'primary'
  /** The writer, created as a replica and since promoted. */
  | 'promoted'
  /** A cross-region replica of the active site's database. */
  | 'replica';

/** Auto Scaling sizes of a site's app tier. */
export interface AppCapacity {
  /** Minimum instances. */
  readonly min: number;
  /** Desired instances. */
  readonly desired: number;
  /** Maximum instances. */
  readonly max: number;
}

/** Auto Scaling sizes of a site: the configured ones when active, the DR posture's when passive. */
export function appCapacity(config: EstateConfig, site: SiteConfig): AppCapacity {
  const app = config.appTier;
  if (site.region === config.activeRegion) {
    return { min: app.minSize, desired: app.desiredCapacity, max: app.maxSize };
  }
  return { min: app.passiveDesiredCapacity, desired: app.passiveDesiredCapacity, max: app.maxSize };
}

/** A site's database in the current state. */
export interface DatabasePlacement {
  /** The incarnation this site runs. */
  readonly incarnation: number;
  /** Its DB instance identifier, `<project>-<environment>-db-<incarnation>`. */
  readonly identifier: string;
  /** Writer, promoted writer or replica. A detached old writer keeps its writer kind. */
  readonly kind: DatabaseRoleKind;
  /** True for the passive site's old writer, not yet replaced by a reprotect. */
  readonly detached: boolean;
  /** For a replica: the active site's database it replicates. */
  readonly source?: { readonly region: string; readonly identifier: string };
  /** The incarnation this site ran before (handed to a `removed` block, never destroyed). */
  readonly retiredIncarnation?: number;
}

/** The latest database incarnation. */
export function latestIncarnation(config: EstateConfig): number {
  return config.reprotects + 2;
}

/** The incarnation a site runs: odd incarnations live on the primary site, even on the DR site. */
export function siteIncarnation(config: EstateConfig, role: SiteRole): number {
  const latest = latestIncarnation(config);
  const latestIsPrimary = latest % 2 === 1;
  return (role === 'primary') === latestIsPrimary ? latest : latest - 1;
}

/** The DB instance identifier of an incarnation. */
export function databaseIdentifierOf(config: EstateConfig, incarnation: number): string {
  return `${namePrefix(config)}-db-${incarnation}`;
}

/** The active and the passive site (the site whose region is `activeRegion` serves). */
export function activeAndPassive(config: EstateConfig): { active: SiteConfig; passive: SiteConfig } {
  return config.primary.region === config.activeRegion
    ? { active: config.primary, passive: config.dr }
    : { active: config.dr, passive: config.primary };
}

/** Whether a site's Git server runs: the active site's serves, the passive site's is a stopped mirror. */
export type GitServerState = 'running' | 'stopped';

/**
 * What a site runs in the current DR state: the one place that decides it. Stacks build from
 * it, the `dr` command prints it, the drill checks an applied estate against it.
 */
export interface SitePosture {
  /** The site. */
  readonly site: SiteConfig;
  /** True on the active site: it serves, and the app's PRIMARY failover record points at it. */
  readonly serves: boolean;
  /** Its app tier's Auto Scaling sizes. */
  readonly app: AppCapacity;
  /** Its Git server's instance state. */
  readonly gitServer: GitServerState;
  /** Its database: writer, detached old writer or replica, and which incarnation. */
  readonly database: DatabasePlacement;
  /**
   * True when DNS may send the app's traffic to it: the active site, or a passive site whose
   * database is a replica of the active one. Never a passive site holding the detached old
   * writer (failover, failback): the standby route (the SECONDARY failover record) would send writes there whenever
   * the active site's health check blinks (Route 53 Developer Guide, "Active-passive failover":
   * with the primary unhealthy, Route 53 answers with the secondary), and split the data.
   */
  readonly routable: boolean;
}

/** What a site runs in the current DR state. */
export function sitePosture(config: EstateConfig, site: SiteConfig): SitePosture {
  const serves = site.region === activeAndPassive(config).active.region;
  const database = databasePlacement(config, site);
  return {
    site,
    serves,
    app: appCapacity(config, site),
    gitServer: serves ? 'running' : 'stopped',
    database,
    routable: serves || database.kind === 'replica',
  };
}

/** The state the estate is in. */
export function drState(config: EstateConfig): DrState {
  const { active, passive } = activeAndPassive(config);
  const replicating = siteIncarnation(config, passive.role) > siteIncarnation(config, active.role);
  if (active.role === 'primary') return replicating ? 'normal' : 'failback';
  return replicating ? 'reprotected' : 'failover';
}

/** A site's database in the current state. */
export function databasePlacement(config: EstateConfig, site: SiteConfig): DatabasePlacement {
  const { active } = activeAndPassive(config);
  const incarnation = siteIncarnation(config, site.role);
  const identifier = databaseIdentifierOf(config, incarnation);
  const retired = incarnation - 2 >= 1 ? incarnation - 2 : undefined;
  const writerKind: DatabaseRoleKind = incarnation === 1 ? 'primary' : 'promoted';
  if (site.role === active.role) {
    return { incarnation, identifier, kind: writerKind, detached: false, retiredIncarnation: retired };
  }
  const activeIncarnation = siteIncarnation(config, active.role);
  if (incarnation > activeIncarnation) {
    return {
      incarnation,
      identifier,
      kind: 'replica',
      detached: false,
      source: { region: active.region, identifier: databaseIdentifierOf(config, activeIncarnation) },
      retiredIncarnation: retired,
    };
  }
  // The passive site's newest database is older than the active one's: the old writer.
  return { incarnation, identifier, kind: writerKind, detached: true, retiredIncarnation: retired };
}

/** The DR history of a config: which region is active after how many switches and reprotects. */
export interface DrHistory {
  /** The primary site's region. */
  readonly primaryRegion: AwsRegion;
  /** The DR site's region. */
  readonly drRegion: AwsRegion;
  /** The region that serves. */
  readonly activeRegion: AwsRegion;
  /** Failovers plus failbacks so far. */
  readonly switches: number;
  /** Rebuilds of a recovered site as the passive site so far. */
  readonly reprotects: number;
  /** How the active region is named to the user (`activeRegion`, or the override's label). */
  readonly activeRegionLabel: string;
}

/**
 * Why a DR history cannot be (empty when it can): one sentence per problem, naming the field,
 * its value, what is allowed and the safe path. A switch from a state whose passive site is the
 * detached old writer (failover, failback) is refused: that database missed every write since
 * it stopped serving, so it must be replaced by a reprotect before it may serve again.
 */
export function drHistoryProblems(h: DrHistory): string[] {
  const expectedActive = h.switches % 2 === 0 ? h.primaryRegion : h.drRegion;
  if (h.reprotects > h.switches) {
    return [
      `reprotects is ${h.reprotects}, expected at most switches (${h.switches}): a reprotect rebuilds the site a switch left behind, so there is one at most per switch.`,
    ];
  }
  if (h.reprotects < h.switches - 1) {
    return [
      `switches is ${h.switches}, expected at most reprotects + 1 (${h.reprotects + 1}): switching to ${h.activeRegion} without a reprotect would make its old database, which missed every write since it stopped serving, the writer again and re-attach replication onto the one that took them; reprotect first (npm run dr -- plan --reprotect, reprotects: ${h.reprotects + 1}), then switch.`,
    ];
  }
  if (h.activeRegion !== expectedActive) {
    return [
      `${h.activeRegionLabel} is "${h.activeRegion}", expected "${expectedActive}" after ${h.switches} switch${h.switches === 1 ? '' : 'es'} (the primary site serves after an even number): a switch changes activeRegion and adds one to switches together, as npm run dr -- plan --to <region> prints.`,
    ];
  }
  return [];
}

/** The three committed values that place the estate in the DR cycle. */
export interface DrPosition {
  /** The region that serves. */
  readonly activeRegion: AwsRegion;
  /** Failovers plus failbacks so far. */
  readonly switches: number;
  /** Rebuilds of a recovered site as the passive site so far. */
  readonly reprotects: number;
}

/** A DR transition: a switch of the active region (failover, failback) or a reprotect. */
export type DrTransition = 'switch' | 'reprotect';

/**
 * The position a transition leads to. A switch moves `activeRegion` to the other site and adds
 * one to `switches`; a reprotect adds one to `reprotects`. Whether the transition is safe from
 * `from` is {@link drHistoryProblems}'s to say of the result (a switch without a reprotect
 * breaks its rule), so a refused transition is one whose result is not a valid history.
 */
export function nextPosition(from: DrPosition, transition: DrTransition, regions: { primaryRegion: AwsRegion; drRegion: AwsRegion }): DrPosition {
  if (transition === 'reprotect') return { activeRegion: from.activeRegion, switches: from.switches, reprotects: from.reprotects + 1 };
  const other = from.activeRegion === regions.primaryRegion ? regions.drRegion : regions.primaryRegion;
  return { activeRegion: other, switches: from.switches + 1, reprotects: from.reprotects };
}

/** The steps of one full DR cycle, each one `npm run dr -- plan` transition from the one before. */
export const DR_CYCLE_STEPS = ['normal', 'failover', 'reprotect', 'failback', 'normal-again'] as const;

/** A step of the DR cycle. */
export type DrCycleStep = (typeof DR_CYCLE_STEPS)[number];

/** The transition that leads to each step of the cycle from the step before it. */
export const DR_CYCLE_TRANSITIONS: Readonly<Record<Exclude<DrCycleStep, 'normal'>, DrTransition>> = {
  failover: 'switch',
  reprotect: 'reprotect',
  failback: 'switch',
  'normal-again': 'reprotect',
};

/**
 * The safe DR cycle from a fresh estate: normal, failover to the DR site, reprotect (the primary
 * site rebuilt as a replica), failback, and normal again (the DR site rebuilt as a replica),
 * each position the {@link nextPosition} of the one before.
 */
export function drCycle(primaryRegion: AwsRegion, drRegion: AwsRegion): readonly { step: DrCycleStep; position: DrPosition }[] {
  let position: DrPosition = { activeRegion: primaryRegion, switches: 0, reprotects: 0 };
  return DR_CYCLE_STEPS.map((step) => {
    if (step !== 'normal') position = nextPosition(position, DR_CYCLE_TRANSITIONS[step], { primaryRegion, drRegion });
    return { step, position };
  });
}
