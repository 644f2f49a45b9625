import { main } from '../../scripts/drill/cli';

/*
 * `npm run drill` refuses bad usage before starting anything, and says in one sentence when
 * the emulator cannot run. (The drill itself takes about 20 minutes: CI runs it after the unit
 * suite, see .ci/run.)
 */

let errors: string[];
let spy: jest.SpyInstance;

beforeEach(() => {
  errors = [];
  spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
});

afterEach(() => spy.mockRestore());

test('an unknown option is refused with the usage (exit 2)', async () => {
  expect(await main(['--fast'], process.env)).toBe(2);
  expect(errors.join('\n')).toMatch(/^drill: Unknown option '--fast'.*; usage: npm run drill -- \[--report FILE\]/);
});

test('a step that is not in the DR cycle is refused, naming the allowed ones (exit 2)', async () => {
  expect(await main(['--until', 'reprotected'], process.env)).toBe(2);
  expect(errors).toEqual(['drill: --until is "reprotected", expected one of normal, failover, reprotect, failback, normal-again.']);
  expect(await main(['--break', 'everything'], process.env)).toBe(2);
  expect(errors[1]).toBe('drill: --break is "everything", expected one of normal, failover, reprotect, failback, normal-again.');
});

test('without terraform on PATH it stops before starting the emulator (exit 1)', async () => {
  expect(await main([], { ...process.env, PATH: '/nonexistent', TF_PROVIDER_MIRROR: '/nonexistent' })).toBe(1);
  expect(errors[0]).toMatch(/^drill: cannot run terraform here: no terraform executable on PATH/);
});

test('without moto it fails with one sentence saying so (exit 1)', async () => {
  const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    expect(await main(['--until', 'normal'], { ...process.env, DRILL_PYTHON: '/nonexistent/python3' })).toBe(1);
  } finally {
    logs.mockRestore();
  }
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^drill: moto_server is not installed for \/nonexistent\/python3 \(the drill's AWS emulator/);
});
