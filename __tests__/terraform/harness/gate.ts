import { skipBecause } from '../../skips';

/**
 * Whether a suite that runs terraform may run. When something it needs is missing, it never
 * passes silently: with ESTATE_REQUIRE_TERRAFORM=1 (as in CI) it registers a failing test, else
 * it registers a skipped one and records why, which the skipped-test reporter prints with it. `suite` names what is skipped ("transition plans"); `missing` says why.
 */
export function terraformSuiteMayRun(suite: string, missing: readonly string[]): boolean {
  if (!missing.length) return true;
  const reason = `${suite}: ${missing.join('; ')}`;
  if (process.env.ESTATE_REQUIRE_TERRAFORM === '1') {
    test('the terraform toolchain is present (ESTATE_REQUIRE_TERRAFORM=1)', () => {
      throw new Error(reason);
    });
  } else {
    skipBecause(expect.getState().testPath ?? suite, reason);
    test.skip(`${suite} (toolchain missing)`, () => undefined);
  }
  return false;
}
