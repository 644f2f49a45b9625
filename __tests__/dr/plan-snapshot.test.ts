import { estate } from '../../config/estate';
import type { EstateConfigInput } from '../../config/load';
import { runDrCommand } from '../../scripts/dr/cli';
import { RUNBOOK } from '../../scripts/dr/runbook';
import { argvOf } from '../../scripts/dr/runbook-check';
import { synthesizeConfig } from '../helpers';

/*
 * An extra to the behaviour tests, read like a review: what `npm run dr -- plan` shows for each
 * transition of the cycle, from the committed config (__snapshots__/). A change to the estate
 * that moves any of it shows up here as a diff of the plan an operator would read; one made on
 * purpose is recorded with `npx jest __tests__/dr/plan-snapshot.test.ts -u`.
 */

let config: EstateConfigInput = estate;
const plans = RUNBOOK.map((step) => {
  const out = runDrCommand(argvOf(step.plan), {}, { committed: config, synthesize: synthesizeConfig });
  config = { ...config, ...step.commit };
  return [step.step, step.plan, out] as const;
});

test.each(plans)('%s: %s', (_step, _plan, out) => {
  expect(out).toMatchSnapshot();
});
