import { resolveConfig, type EstateConfig } from '../../config/load';
import type { StackJson } from '../../scripts/dr/synthesize';
import { DR_CYCLE, inPosition, synthesizedStacks } from '../helpers';

/** Every posture of the safe DR cycle, synthesized. */
export interface SynthesizedPosture {
  readonly label: string;
  readonly config: EstateConfig;
  readonly stacks: Record<string, StackJson>;
}

/** The five postures of a full cycle: normal, failover, reprotected, failback, normal again. */
export function synthesizeCycle(): SynthesizedPosture[] {
  return DR_CYCLE.map((p, i) => {
    const input = inPosition(p);
    return { label: `${i}: ${p.label}`, config: resolveConfig(input), stacks: synthesizedStacks(input) };
  });
}

/** Every resource of a type across the stacks of a posture, keyed `<stack> <type>.<name>`. */
export function resourcesOfType(posture: SynthesizedPosture, type: string): [string, Record<string, any>][] {
  return Object.entries(posture.stacks).flatMap(([stack, json]) =>
    Object.entries(json.resource?.[type] ?? {}).map(([name, body]) => [`${stack} ${type}.${name}`, body] as [string, Record<string, any>]),
  );
}
