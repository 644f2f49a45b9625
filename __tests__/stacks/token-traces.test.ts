import { runInNewContext } from 'node:vm';

/*
 * stacks/token-traces.ts (installed by main.ts, and by jest.setup.js for the tests): cdktf's
 * per-token creation stacks are left empty, every real error keeps its trace.
 */

test('a stack captured on a plain object, as cdktf does for each token, is left empty', () => {
  const target = { stack: 'unset' };
  Error.captureStackTrace(target);
  expect(target.stack).toBe('');
});

test('a real error keeps its whole trace, from this realm or another', () => {
  const here = new Error('here');
  expect(here.stack).toMatch(/^Error: here\n\s+at .*token-traces\.test\.ts:\d+:\d+/);
  const elsewhere = runInNewContext('(function thrower() { return new TypeError("elsewhere"); })()') as Error;
  expect(elsewhere.stack).toMatch(/^TypeError: elsewhere\n\s+at thrower/);
  expect(() => JSON.parse('{')).toThrow(expect.objectContaining({ stack: expect.stringMatching(/^SyntaxError: .*\n\s+at JSON\.parse/) }));
});
