import { headingAnchor } from '../docs/anchor';
import type { DrCycleStep, DrPosition, DrState } from '../../config/dr';

/*
 * The DR runbook's steps, written once, as an operator runs them on the committed estate
 * (us-east-2 primary, us-west-1 DR). `npm run docs` renders them into docs/runbook.md (the
 * decision tree, the state diagram and one section per step), and __tests__/dr/runbook.test.ts
 * walks them through the whole cycle: each step's `commit` must be what `dr plan` prints, must
 * synthesize, and its commands must be the ones `dr plan` prints and the drill runs. A step
 * written wrong here fails the suite.
 */

/** One step of the runbook: a DR transition, from deciding to take it to verifying it. */
export interface RunbookStep {
  /** The drill step this is (config/dr.ts DR_CYCLE_STEPS). */
  readonly step: Exclude<DrCycleStep, 'normal'>;
  /** Its title in the runbook. */
  readonly title: string;
  /** The decision tree's condition that leads here. */
  readonly when: string;
  /** The state the estate is in before, and after. */
  readonly from: DrState;
  readonly to: DrState;
  /** Who may run it, and which approval it needs. */
  readonly who: string;
  /** What to do or check before deploying (sentences). */
  readonly before: readonly string[];
  /** The `dr plan` command that shows the step (run with the committed config, no override). */
  readonly plan: string;
  /** The DR position to commit in config/estate.ts: every field, exactly as `dr plan` prints it. */
  readonly commit: DrPosition;
  /** The commands that carry it out, in order, exactly as `dr plan` prints them. */
  readonly commands: readonly string[];
  /** What follows once the commands succeeded (sentences). */
  readonly after: readonly string[];
}

const PIPELINE =
  'Through the pipeline: dispatch the `estate` workflow on main (GitHub Actions) with `active_region` set as below; the `production` environment\'s reviewers approve each phase\'s deploy job, and each stack is applied as its scoped CI role. When github.com is down: an administrator runs the same commands from a workstation (each phase is planned, shown and applied once you type `yes`).';

const MERGED =
  'A pull request that commits the change is reviewed and merged to main; its push deploy plans each phase (the plan role) and the `production` environment\'s reviewers approve each deploy job. By hand, an administrator runs the commands below from a workstation.';

/** The runbook's steps, in the order of the DR cycle. */
export const RUNBOOK: readonly RunbookStep[] = [
  {
    step: 'failover',
    title: 'Failover: us-east-2 is lost',
    when: 'us-east-2 is down or unreachable (or is about to be) while it serves',
    from: 'normal',
    to: 'failover',
    who: `The on-call SRE. ${PIPELINE} Set \`active_region: us-west-1\`; the Git server holding this repository may be dark with us-east-2, so the switch runs before it is committed.`,
    before: [
      'Check the DR site is as configured: `npm run drift -- regional-us-west-1 dns-global` shows no change.',
      'If us-east-2 still answers, the regional phase stops its app tier and its Git server first (their final backup is the handover); dark, those stacks fail with a warning and the switch goes on.',
    ],
    plan: 'npm run dr -- plan --to us-west-1',
    commit: { activeRegion: 'us-west-1', switches: 1, reprotects: 0 },
    commands: [
      'DR_ACTIVE_REGION=us-west-1 npm run deploy:phase -- regional',
      'DR_ACTIVE_REGION=us-west-1 npm run deploy:phase -- dns',
      'DR_ACTIVE_REGION=us-west-1 npm run dr -- verify',
    ],
    after: [
      'Commit the DR position above as soon as Git answers (the us-west-1 Git mirror started in the regional phase, restored from the last replicated backup): until then every command needs the `DR_ACTIVE_REGION=us-west-1` prefix, and a push deploy refuses to move the live DNS back (`--guard-live-dns`).',
      'When us-east-2 answers again, run `DR_ACTIVE_REGION=us-west-1 npm run deploy:phase -- regional` once more: its app tier goes to 0 and its Git server stops, so nothing writes there.',
    ],
  },
  {
    step: 'reprotect',
    title: 'Reprotect: us-east-2 is back',
    when: 'us-west-1 serves and us-east-2 answers again',
    from: 'failover',
    to: 'reprotected',
    who: `The on-call SRE, in working hours. ${MERGED}`,
    before: [
      'Compare what `dr-estate-prod-db-1` (us-east-2, the detached old writer) holds that `dr-estate-prod-db-2` does not: the writes that never replicated. Carry over what matters; the reprotect does not touch `db-1`, it only stops managing it.',
    ],
    plan: 'npm run dr -- plan --reprotect',
    commit: { activeRegion: 'us-west-1', switches: 1, reprotects: 1 },
    commands: ['npm run deploy:phase -- regional', 'npm run deploy:phase -- dns'],
    after: [
      '`dr-estate-prod-db-3` replicates `db-2` in us-east-2, and the standby route to us-east-2 is back. Delete `db-1` once nothing in it is needed, always with a final snapshot (below, "Deleting a retired database").',
    ],
  },
  {
    step: 'failback',
    title: 'Failback: serve from us-east-2 again',
    when: 'us-west-1 serves, us-east-2 is reprotected, and a change window is agreed (or us-west-1 is lost: its stacks then fail with a warning and the switch goes on)',
    from: 'reprotected',
    to: 'failback',
    who: `The on-call SRE. Planned, in a change window: ${MERGED.charAt(0).toLowerCase()}${MERGED.slice(1)} With us-west-1 lost, as in the failover: ${PIPELINE} Set \`active_region: us-east-2\`.`,
    before: [
      'Check `ReplicaLag` of `dr-estate-prod-db-3` (CloudWatch) is at its usual few seconds before approving the regional phase.',
      'The regional phase applies us-west-1 first: its app tier goes to 0 and its Git server stops, so there are no more writes, and the final Git backup is the handover. It then promotes `db-3` at once, about a minute after the last write, without waiting on the replica lag.',
      'A write that had not replicated by then stays in `db-2`, which is kept and detached, for salvage.',
    ],
    plan: 'npm run dr -- plan --to us-east-2',
    commit: { activeRegion: 'us-east-2', switches: 2, reprotects: 1 },
    commands: [
      'DR_ACTIVE_REGION=us-east-2 npm run deploy:phase -- regional',
      'DR_ACTIVE_REGION=us-east-2 npm run deploy:phase -- dns',
      'DR_ACTIVE_REGION=us-east-2 npm run dr -- verify',
    ],
    after: ['Reprotect the DR site next: until then nothing replicates us-east-2.'],
  },
  {
    step: 'normal-again',
    title: 'Reprotect the DR site: back to normal',
    when: 'us-east-2 serves again and us-west-1 holds the detached old writer',
    from: 'failback',
    to: 'normal',
    who: `The on-call SRE, in working hours. ${MERGED}`,
    before: ['Compare what `dr-estate-prod-db-2` (us-west-1, the detached old writer) holds that `dr-estate-prod-db-3` does not, as in the first reprotect.'],
    plan: 'npm run dr -- plan --reprotect',
    commit: { activeRegion: 'us-east-2', switches: 2, reprotects: 2 },
    commands: ['npm run deploy:phase -- regional', 'npm run deploy:phase -- dns'],
    after: ['`dr-estate-prod-db-4` replicates `db-3` in us-west-1: the estate is as it started, one cycle on. Delete `db-2` as `db-1` above.'],
  },
];

/** One branch of the decision tree: an answer, and the step it leads to (or what to do instead). */
export interface DecisionAnswer {
  readonly answer: string;
  readonly step?: RunbookStep['step'];
  readonly otherwise?: string;
}

/**
 * The decision tree: from the state `npm run dr -- status` reports, one question, and where each
 * answer leads. A test checks every step it names starts from that state.
 */
export const DECISIONS: readonly { readonly state: DrState; readonly question: string; readonly answers: readonly DecisionAnswer[] }[] = [
  { state: 'normal', question: 'Is us-east-2 down or unreachable?', answers: [{ answer: 'yes', step: 'failover' }, { answer: 'no', otherwise: 'nothing to do' }] },
  {
    state: 'failover',
    question: 'Does us-east-2 answer again?',
    answers: [{ answer: 'yes', step: 'reprotect' }, { answer: 'no', otherwise: 'wait: us-west-1 serves alone, and no switch is possible before the reprotect' }],
  },
  {
    state: 'reprotected',
    question: 'Is a change window agreed to serve from us-east-2, or is us-west-1 lost?',
    answers: [{ answer: 'yes', step: 'failback' }, { answer: 'no', otherwise: 'stay: us-west-1 serves, us-east-2 replicates it' }],
  },
  {
    state: 'failback',
    question: 'Does us-west-1 answer?',
    answers: [{ answer: 'yes', step: 'normal-again' }, { answer: 'no', otherwise: 'wait: us-east-2 serves alone until us-west-1 is back' }],
  },
];

/** The DR position as config/estate.ts spells it (the same as `dr plan` prints). */
export function positionText(p: DrPosition): string {
  return `activeRegion: '${p.activeRegion}', switches: ${p.switches}, reprotects: ${p.reprotects}`;
}

/** The runbook's generated part: the decision tree, the state diagram and every step. */
export function renderRunbook(steps: readonly RunbookStep[] = RUNBOOK): string {
  const id = (s: RunbookStep) => s.step.replace(/-/g, '_');
  const anchor = (s: RunbookStep) => headingAnchor(s.title);
  const stepOf = (name: string) => steps.find((s) => s.step === name);
  const out = [
    '## Which step',
    '',
    'Start from the state `npm run dr -- status` reports:',
    '',
    '```mermaid',
    'flowchart TD',
    '  status{"npm run dr -- status: which state?"}',
    ...DECISIONS.flatMap((d) => [
      `  status -- ${d.state} --> ${d.state}_q{"${d.question}"}`,
      ...d.answers.map((a, i) => {
        const step = a.step ? stepOf(a.step) : undefined;
        return step ? `  ${d.state}_q -- ${a.answer} --> ${id(step)}["${step.title}"]` : `  ${d.state}_q -- ${a.answer} --> ${d.state}_${i}(["${a.otherwise}"])`;
      }),
    ]),
    '```',
    '',
    ...DECISIONS.map((d) => {
      const answers = d.answers.map((a) => {
        const step = a.step ? stepOf(a.step) : undefined;
        return `${a.answer}: ${step ? `[${step.title}](#${anchor(step)})` : a.otherwise}`;
      });
      return `- **${d.state}**: ${d.question} ${answers.join('; ')}.`;
    }),
    '',
    '## The states',
    '',
    '```mermaid',
    'stateDiagram-v2',
    `  [*] --> ${steps[0].from}`,
    ...steps.map((s) => `  ${s.from} --> ${s.to}: ${s.title.split(':')[0]}`),
    '```',
    '',
  ];
  for (const s of steps) {
    out.push(
      `## ${s.title}`,
      '',
      `**When:** ${s.when}. **From** ${s.from} **to** ${s.to}.`,
      '',
      `**Who:** ${s.who}`,
      '',
      '**Before:**',
      ...s.before.map((b) => `- ${b}`),
      '',
      `**The config change** (\`config/estate.ts\`, every field of the DR position; \`${s.plan}\` prints it):`,
      '',
      '```ts',
      positionText(s.commit),
      '```',
      '',
      '**Run:**',
      '',
      '```sh',
      s.plan,
      ...s.commands,
      '```',
      '',
      '**After:**',
      ...s.after.map((a) => `- ${a}`),
      '',
    );
  }
  return out.join('\n').trimEnd();
}
