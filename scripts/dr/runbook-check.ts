import { deploySequence } from '../deploy/order';
import { drCycle, drState } from '../../config/dr';
import { ConfigError, resolveConfig, type EstateConfig, type EstateConfigInput } from '../../config/load';
import { runDrCommand } from './cli';
import { positionText, type RunbookStep } from './runbook';
import type { StackJson } from './synthesize';

/*
 * The runbook executed, not just written: its steps are walked from the committed config through
 * the whole cycle, as an operator would take them. Each step's `dr plan` must be accepted on the
 * config the step before committed; the DR position the step commits must be the one `dr plan`
 * prints, and applied to a copy of the config it must be valid, synthesize, and reach the step's
 * state; the step's commands must be exactly the ones `dr plan` prints; and the drill must run
 * the same step at the same position, applying every phase the commands deploy.
 */

/** Why the runbook's steps cannot be run as written (empty when they can), one sentence each. */
export function runbookProblems(
  steps: readonly RunbookStep[],
  committed: EstateConfigInput,
  synthesize: (config: EstateConfig) => Record<string, StackJson>,
): string[] {
  const problems: string[] = [];
  let current = committed;
  const base = resolveConfig(committed);
  const cycle = drCycle(base.primary.region, base.dr.region);
  for (const [i, step] of steps.entries()) {
    const where = `runbook step "${step.title}"`;
    let out: string;
    try {
      out = runDrCommand(argvOf(step.plan), {}, { committed: current, synthesize });
    } catch (error) {
      problems.push(`${where}: "${step.plan}" is refused on the config the step before committed: ${messageOf(error)}`);
      break;
    }
    const printed = /^Commit .*\n {2}(.*)$/m.exec(out)?.[1];
    if (printed !== positionText(step.commit)) {
      problems.push(`${where} commits "${positionText(step.commit)}", but "${step.plan}" prints "${printed ?? '(nothing)'}".`);
    }
    const edited: EstateConfigInput = { ...current, ...step.commit };
    let config: EstateConfig;
    try {
      config = resolveConfig(edited);
      synthesize(config);
    } catch (error) {
      problems.push(`${where}: its config change is not accepted: ${messageOf(error)}`);
      break;
    }
    if (drState(config) !== step.to) problems.push(`${where} says it leads to "${step.to}", but its config change is in state "${drState(config)}".`);
    const printedCommands = out
      .split('\n')
      .filter((line) => /^ {2}\d+\. /.test(line))
      .map((line) => line.replace(/^ {2}\d+\. /, '').split('    #')[0]);
    if (JSON.stringify(printedCommands) !== JSON.stringify(step.commands)) {
      problems.push(`${where} runs ${JSON.stringify(step.commands)}, but "${step.plan}" prints ${JSON.stringify(printedCommands)}.`);
    }
    const drill = cycle[i + 1];
    if (!drill || drill.step !== step.step || positionText(drill.position) !== positionText(step.commit)) {
      problems.push(`${where} is the drill's step "${step.step}" at ${positionText(step.commit)}, but the drill runs ${drill ? `"${drill.step}" at ${positionText(drill.position)}` : 'nothing'} there.`);
    }
    const drilledPhases = new Set(deploySequence(config).map((s) => s.phase));
    for (const command of step.commands) {
      const phase = /deploy:phase -- (\S+)/.exec(command)?.[1];
      if (phase && !drilledPhases.has(phase as never)) problems.push(`${where} deploys the phase "${phase}", which the drill never applies in this state.`);
    }
    current = edited;
  }
  return problems;
}

/** `npm run dr -- plan --to us-west-1` as the arguments after `--`. */
export function argvOf(command: string): string[] {
  const match = /^npm run dr -- (.+)$/.exec(command);
  if (!match) throw new Error(`"${command}" is not an npm run dr command`);
  return match[1].split(/\s+/);
}

function messageOf(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join(' ');
  return error instanceof Error ? error.message : String(error);
}
