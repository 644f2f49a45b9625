import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { committedInput, synthEstate } from '../helpers';

/*
 * An extra to the behaviour tests: the committed estate synthesizes byte for byte to the digests
 * recorded in __tests__/fixtures/synth-digests.json, in both postures. A refactor must not move
 * them (nothing deployed changes); a change meant to alter the output updates them on purpose:
 * UPDATE_DIGESTS=1 npx jest __tests__/stacks/output-digest.test.ts, and the diff shows which
 * stacks it touched.
 */

const file = join(__dirname, '..', 'fixtures', 'synth-digests.json');
const recorded = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
const digests = (byName: ReturnType<typeof synthEstate>['byName']) =>
  Object.fromEntries(Object.keys(byName).sort().map((name) => [name, createHash('sha256').update(byName[name].text).digest('hex')]));
const current = {
  normal: digests(synthEstate().byName),
  failover: digests(synthEstate(committedInput, { activeRegionOverride: 'us-west-1' }).byName),
};

if (process.env.UPDATE_DIGESTS === '1') writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);

test.each(['normal', 'failover'] as const)('the committed estate, %s, synthesizes to the recorded digests', (posture) => {
  expect(current[posture]).toEqual(recorded[posture]);
});
