import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estate } from '../../config/estate';
import { DECISIONS, RUNBOOK, renderRunbook, type RunbookStep } from '../../scripts/dr/runbook';
import { runbookProblems } from '../../scripts/dr/runbook-check';
import { synthesizeConfig } from '../helpers';

/*
 * The runbook is executed, not just written: docs/runbook.md is rendered from one table
 * (scripts/dr/runbook.ts), and that table is walked here through the whole DR cycle from the
 * committed config (scripts/dr/runbook-check.ts). Syntheses come from the shared cache.
 */

const walk = (steps: readonly RunbookStep[]) => runbookProblems(steps, estate, synthesizeConfig);

test('every step of the runbook runs as written through the whole cycle: dr plan accepts it, its config change synthesizes, its commands are the ones dr plan prints and the drill runs', () => {
  expect(RUNBOOK.map((s) => s.step)).toEqual(['failover', 'reprotect', 'failback', 'normal-again']);
  expect(walk(RUNBOOK)).toEqual([]);
});

test('a failback that commits activeRegion without switches (the step as it once was written) fails the walk, naming the step', () => {
  const broken = RUNBOOK.map((s) => (s.step === 'failback' ? { ...s, commit: { ...s.commit, switches: 1 } } : s));
  const problems = walk(broken);
  expect(problems).toHaveLength(2);
  expect(problems[0]).toBe(
    `runbook step "Failback: serve from us-east-2 again" commits "activeRegion: 'us-east-2', switches: 1, reprotects: 1", but "npm run dr -- plan --to us-east-2" prints "activeRegion: 'us-east-2', switches: 2, reprotects: 1".`,
  );
  expect(problems[1]).toMatch(/^runbook step "Failback: serve from us-east-2 again": its config change is not accepted: activeRegion is "us-east-2", expected "us-west-1" after 1 switch/);
});

test('a step whose commands differ from what dr plan prints (a stack deployed with the raw cdktf CLI) fails the walk', () => {
  const broken = RUNBOOK.map((s) =>
    s.step === 'reprotect' ? { ...s, commands: ['npx cdktf deploy regional-us-east-2 --ignore-missing-stack-dependencies', 'npm run deploy:phase -- dns'] } : s,
  );
  expect(walk(broken)).toEqual([
    'runbook step "Reprotect: us-east-2 is back" runs ["npx cdktf deploy regional-us-east-2 --ignore-missing-stack-dependencies","npm run deploy:phase -- dns"], but "npm run dr -- plan --reprotect" prints ["npm run deploy:phase -- regional","npm run deploy:phase -- dns"].',
  ]);
});

test('a step the plan refuses (a switch planned where a reprotect is due) stops the walk there', () => {
  const [failover, reprotect, ...rest] = RUNBOOK;
  const problems = walk([failover, { ...reprotect, plan: 'npm run dr -- plan --to us-east-2' }, ...rest]);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^runbook step "Reprotect: us-east-2 is back": "npm run dr -- plan --to us-east-2" is refused on the config the step before committed: --to us-east-2 is refused in state "failover"/);
});

test('the decision tree starts from every state dr status reports, and each step it names starts from that state', () => {
  expect(DECISIONS.map((d) => d.state)).toEqual(['normal', 'failover', 'reprotected', 'failback']);
  for (const decision of DECISIONS) {
    for (const answer of decision.answers) {
      if (!answer.step) continue;
      expect([decision.state, answer.step, RUNBOOK.find((s) => s.step === answer.step)?.from]).toEqual([decision.state, answer.step, decision.state]);
    }
  }
  expect(DECISIONS.flatMap((d) => d.answers.map((a) => a.step)).filter(Boolean).sort()).toEqual(RUNBOOK.map((s) => s.step).sort());
});

test('docs/runbook.md holds the rendered steps, the decision tree and the state diagram (npm run docs)', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'runbook.md'), 'utf8');
  const rendered = renderRunbook();
  expect(doc).toContain(rendered);
  expect(rendered).toContain('stateDiagram-v2\n  [*] --> normal\n  normal --> failover: Failover\n  failover --> reprotected: Reprotect\n  reprotected --> failback: Failback\n  failback --> normal: Reprotect the DR site');
  expect(rendered).toContain('flowchart TD');
  for (const step of RUNBOOK) expect(rendered).toContain(`\`\`\`sh\n${[step.plan, ...step.commands].join('\n')}\n\`\`\``);
});
