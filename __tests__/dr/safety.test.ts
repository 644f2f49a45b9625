import { drState } from '../../config/dr';
import { ConfigError, resolveConfig } from '../../config/load';
import { DrCommandError, runDrCommand, targetOf } from '../../scripts/dr/cli';
import { committedInput, DR_CYCLE, inPosition } from '../helpers';

/*
 * Which DR transitions are safe, for every (state, transition) pair. A switch is safe only
 * while the passive site replicates the active one; from failover or failback (the passive
 * site holds the old writer, which missed every write since it stopped serving) the only safe
 * step is a reprotect. Unsafe transitions are refused by `npm run dr -- plan` and, should
 * someone edit the config by hand, at synth.
 */

const states = DR_CYCLE.slice(0, 4);
const other = (region: string) => (region === 'us-east-2' ? 'us-west-1' : 'us-east-2');

type Outcome = { to: string } | { refused: RegExp };
const TABLE: Record<string, { switch: Outcome; reprotect: Outcome }> = {
  normal: { switch: { to: 'failover' }, reprotect: { refused: /^Nothing to reprotect in state "normal"/ } },
  failover: {
    switch: { refused: /^--to us-east-2 is refused in state "failover": dr-estate-prod-db-1 .* reprotect first \(npm run dr -- plan --reprotect\), then switch\.$/ },
    reprotect: { to: 'reprotected' },
  },
  reprotected: { switch: { to: 'failback' }, reprotect: { refused: /^Nothing to reprotect in state "reprotected"/ } },
  failback: {
    switch: { refused: /^--to us-west-1 is refused in state "failback": dr-estate-prod-db-2 .* reprotect first/ },
    reprotect: { to: 'normal' },
  },
};

describe.each(states)('from $label (active $activeRegion, switches $switches, reprotects $reprotects)', (posture) => {
  const config = resolveConfig(inPosition(posture));
  const expected = TABLE[posture.label];

  test(`a switch to the other region ${'to' in expected.switch ? `leads to ${expected.switch.to}` : 'is refused'}`, () => {
    const options = { kind: 'switch', to: other(posture.activeRegion) } as const;
    if ('to' in expected.switch) expect(drState(targetOf(config, options))).toBe(expected.switch.to);
    else expect(() => targetOf(config, options)).toThrow(expected.switch.refused);
  });

  test(`a reprotect ${'to' in expected.reprotect ? `leads to ${expected.reprotect.to}` : 'is refused'}`, () => {
    const options = { kind: 'reprotect' } as const;
    if ('to' in expected.reprotect) expect(drState(targetOf(config, options))).toBe(expected.reprotect.to);
    else expect(() => targetOf(config, options)).toThrow(DrCommandError);
    if (!('to' in expected.reprotect)) expect(() => targetOf(config, options)).toThrow(expected.reprotect.refused);
  });

  test('a switch to the region already active is refused', () => {
    expect(() => targetOf(config, { kind: 'switch', to: posture.activeRegion })).toThrow(/already the active region/);
  });
});

describe('an unsafe state is refused at synth, whoever wrote it', () => {
  const problems = (input: unknown, override?: string) => {
    try {
      resolveConfig(input, { activeRegionOverride: override });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('config was accepted');
  };

  test('fails if the config fails back without a reprotect (switches 2, reprotects 0)', () => {
    expect(problems({ ...committedInput, activeRegion: 'us-east-2', switches: 2, reprotects: 0 })).toEqual([
      'switches is 2, expected at most reprotects + 1 (1): switching to us-east-2 without a reprotect would make its old database, which missed every write since it stopped serving, the writer again and re-attach replication onto the one that took them; reprotect first (npm run dr -- plan --reprotect, reprotects: 1), then switch.',
    ]);
  });

  test('fails if activeRegion is flipped back without counting the switch', () => {
    expect(problems({ ...committedInput, activeRegion: 'us-east-2', switches: 1, reprotects: 0 })).toEqual([
      'activeRegion is "us-east-2", expected "us-west-1" after 1 switch (the primary site serves after an even number): a switch changes activeRegion and adds one to switches together, as npm run dr -- plan --to <region> prints.',
    ]);
  });

  test('fails if DR_ACTIVE_REGION fails back from a committed failover', () => {
    const [problem] = problems({ ...committedInput, activeRegion: 'us-west-1', switches: 1, reprotects: 0 }, 'us-east-2');
    expect(problem).toMatch(/^switches is 2, expected at most reprotects \+ 1 \(1\): .* reprotect first/);
  });

  test('fails if there are more reprotects than switches', () => {
    expect(problems({ ...committedInput, reprotects: 1 })).toEqual([
      'reprotects is 1, expected at most switches (0): a reprotect rebuilds the site a switch left behind, so there is one at most per switch.',
    ]);
  });

  test('fails if switches is negative', () => {
    expect(problems({ ...committedInput, switches: -1 })).toEqual(['switches is -1, expected a whole number of switches, 0 or more.']);
  });
});

describe('the dr command refuses a failback without reprotect', () => {
  test('DR_ACTIVE_REGION=us-west-1 npm run dr -- plan --to us-east-2 is refused naming the reprotect', () => {
    expect(() => runDrCommand(['plan', '--to', 'us-east-2'], { DR_ACTIVE_REGION: 'us-west-1' })).toThrow(
      /^--to us-east-2 is refused in state "failover": dr-estate-prod-db-1 in us-east-2 stopped replicating when us-west-1 took over and has missed every write since, so it cannot serve again; reprotect first/,
    );
  });
});
