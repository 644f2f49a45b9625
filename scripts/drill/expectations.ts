import type { DrCycleStep } from '../../config/dr';
import type { EstateConfig } from '../../config/load';
import type { Observation } from './checks';

/*
 * What each step of the DR cycle must show, written out by hand for the committed estate
 * (config/estate.ts) from the spec and the runbook, not computed: the drill's other verdicts
 * (checks.ts postureProblems) ask config/dr.ts, the same model the stacks are built from, so a
 * bug there (the active site sized like the passive one) would pass them. These literals do not
 * share it. They are for one config: {@link WRITTEN_FOR} says which, and the drill refuses to
 * compare another (write the table again for it).
 */

/** The config these expectations were written for: the fields they depend on. */
export const WRITTEN_FOR = {
  project: 'dr-estate',
  environment: 'prod',
  accountId: '111122223333',
  primary: 'us-east-2',
  dr: 'us-west-1',
  app: { minSize: 2, desiredCapacity: 3, maxSize: 3, passiveDesiredCapacity: 0 },
  zone: 'estate.example.org',
} as const;

const EAST = 'us-east-2';
const WEST = 'us-west-1';
const db = (n: number) => `dr-estate-prod-db-${n}`;
const ACTIVE_APP = { min: 2, desired: 3, max: 3 };
const PASSIVE_APP = { min: 0, desired: 0, max: 3 };

/** One region after a step. */
export interface RegionExpectation {
  readonly app: { readonly min: number; readonly desired: number; readonly max: number };
  readonly git: 'running' | 'stopped';
  /** Every database of the estate in the region: identifier -> `region:identifier` it replicates, or null for a writer. */
  readonly databases: Readonly<Record<string, string | null>>;
  /** The database the app tier's launch template names. */
  readonly appDatabase: string;
}

/** One step: each region, where the app name's PRIMARY and SECONDARY records lead, and what the step creates. */
export interface StepExpectation {
  readonly regions: Readonly<Record<string, RegionExpectation>>;
  readonly primary: string;
  /** The standby route's region, or null: no SECONDARY record (the passive database is the detached old writer). */
  readonly secondary: string | null;
  /** Databases the step creates (new stateful ids are allowed only for them); 'everything' for the first deploy. */
  readonly creates: 'everything' | readonly string[];
}

const site = (app: RegionExpectation['app'], git: RegionExpectation['git'], databases: RegionExpectation['databases'], appDatabase: string): RegionExpectation => ({ app, git, databases, appDatabase });

/** The five steps, by hand. */
export const EXPECTED: Readonly<Record<DrCycleStep, StepExpectation>> = {
  // us-east-2 serves on the original writer; us-west-1 is a pilot light replicating it.
  normal: {
    regions: {
      [EAST]: site(ACTIVE_APP, 'running', { [db(1)]: null }, db(1)),
      [WEST]: site(PASSIVE_APP, 'stopped', { [db(2)]: `${EAST}:${db(1)}` }, db(2)),
    },
    primary: EAST,
    secondary: WEST,
    creates: 'everything',
  },
  // us-east-2 dark: nothing there may change (it still reads as normal); us-west-1 serves on its promoted replica.
  failover: {
    regions: {
      [EAST]: site(ACTIVE_APP, 'running', { [db(1)]: null }, db(1)),
      [WEST]: site(ACTIVE_APP, 'running', { [db(2)]: null }, db(2)),
    },
    primary: WEST,
    secondary: null,
    creates: [],
  },
  // us-east-2 rebuilt as a replica of us-west-1's writer; its old writer kept, detached.
  reprotect: {
    regions: {
      [EAST]: site(PASSIVE_APP, 'stopped', { [db(1)]: null, [db(3)]: `${WEST}:${db(2)}` }, db(3)),
      [WEST]: site(ACTIVE_APP, 'running', { [db(2)]: null }, db(2)),
    },
    primary: WEST,
    secondary: EAST,
    creates: [db(3)],
  },
  // Back to us-east-2 on its promoted replica; us-west-1's writer detached, no standby route.
  failback: {
    regions: {
      [EAST]: site(ACTIVE_APP, 'running', { [db(1)]: null, [db(3)]: null }, db(3)),
      [WEST]: site(PASSIVE_APP, 'stopped', { [db(2)]: null }, db(2)),
    },
    primary: EAST,
    secondary: null,
    creates: [],
  },
  // us-west-1 rebuilt as a replica again.
  'normal-again': {
    regions: {
      [EAST]: site(ACTIVE_APP, 'running', { [db(1)]: null, [db(3)]: null }, db(3)),
      [WEST]: site(PASSIVE_APP, 'stopped', { [db(2)]: null, [db(4)]: `${EAST}:${db(3)}` }, db(4)),
    },
    primary: EAST,
    secondary: WEST,
    creates: [db(4)],
  },
};

/** Why the committed config is not the one the table was written for, or null when it is. */
export function expectationsMismatch(config: EstateConfig): string | null {
  const actual = {
    project: config.project,
    environment: config.environment,
    accountId: config.accountId,
    primary: config.primary.region,
    dr: config.dr.region,
    app: { minSize: config.appTier.minSize, desiredCapacity: config.appTier.desiredCapacity, maxSize: config.appTier.maxSize, passiveDesiredCapacity: config.appTier.passiveDesiredCapacity },
    zone: config.dns.zoneName,
  };
  return JSON.stringify(actual) === JSON.stringify(WRITTEN_FOR)
    ? null
    : `the drill's hand-written expectations (scripts/drill/expectations.ts) are for ${JSON.stringify(WRITTEN_FOR)}, the config is ${JSON.stringify(actual)}: write them again for this config.`;
}

const arn = (ref: string) => {
  const [region, identifier] = ref.split(':');
  return `arn:aws:rds:${region}:${WRITTEN_FOR.accountId}:db:${identifier}`;
};

/** The step's observation against the table, one line per difference (prefixed "expected by hand"). */
export function expectationProblems(step: DrCycleStep, observed: Observation): string[] {
  const expected = EXPECTED[step];
  const problems: string[] = [];
  const say = (line: string) => problems.push(`expected by hand (${step}): ${line}`);
  for (const [region, want] of Object.entries(expected.regions)) {
    const seen = observed.regions[region];
    if (!seen) {
      say(`${region} was not read.`);
      continue;
    }
    if (JSON.stringify(seen.asg) !== JSON.stringify(want.app)) say(`${region} app group is ${JSON.stringify(seen.asg)}, not ${JSON.stringify(want.app)}.`);
    if (seen.git !== want.git) say(`${region} Git server is ${JSON.stringify(seen.git)}, not ${want.git}.`);
    const databases = Object.fromEntries(seen.databases.map((d) => [d.identifier, d.replicaOf]));
    for (const [identifier, source] of Object.entries(want.databases)) {
      if (!(identifier in databases)) say(`${region} has no database ${identifier}.`);
      else if ((databases[identifier] ?? null) !== (source ? arn(source) : null)) {
        say(`${region} database ${identifier} replicates ${databases[identifier] ?? 'nothing (a writer)'}, not ${source ?? 'nothing (a writer)'}.`);
      }
    }
    for (const extra of Object.keys(databases).filter((id) => !(id in want.databases))) {
      say(`${region} has a database nobody expects: ${extra}${databases[extra] ? ` (replicating ${databases[extra]})` : ' (a writer)'}.`);
    }
    const template = seen.launchTemplate;
    if (!template) say(`${region} app group has no launch template.`);
    else {
      if (template.versionNumber !== template.latest) say(`${region} app group launches version ${template.versionNumber} of its template, not the latest (${template.latest}).`);
      if (template.database !== want.appDatabase) say(`${region} app launch template names database ${template.database ?? 'none'}, not ${want.appDatabase}.`);
    }
  }
  const app = `app.${WRITTEN_FOR.zone}`;
  const records = observed.failover?.[app] ?? [];
  const check = (kind: 'PRIMARY' | 'SECONDARY', region: string | null) => {
    const found = records.filter((r) => r.failover === kind);
    if (region === null) {
      if (found.length) say(`${app} has ${found.length} ${kind} record(s) (to ${found.map((r) => r.region).join(', ')}), expected none.`);
      return;
    }
    if (found.length !== 1) say(`${app} has ${found.length} ${kind} records (to ${found.map((r) => r.region).join(', ') || 'nowhere'}), expected one to ${region}.`);
    for (const record of found) {
      if (record.region !== region) say(`${app} ${kind} leads to ${record.region ?? 'an unknown target'}, not ${region}.`);
      if (record.healthCheck !== region) say(`${app} ${kind}'s health check probes ${record.healthCheck ?? 'nothing'}, not ${region}'s load balancer.`);
    }
  };
  check('PRIMARY', expected.primary);
  check('SECONDARY', expected.secondary);
  return problems;
}

/** Stateful ids present after a step and not before, that the step was not expected to create. */
export function unexpectedIds(step: DrCycleStep, before: Record<string, string>, after: Record<string, string>): string[] {
  const creates = EXPECTED[step].creates;
  if (creates === 'everything') return [];
  return Object.keys(after)
    .filter((key) => !(key in before))
    .filter((key) => !creates.some((identifier) => key.includes(identifier)))
    .map((key) => `a stateful resource the step was not expected to create: ${key} (${after[key]})`);
}
