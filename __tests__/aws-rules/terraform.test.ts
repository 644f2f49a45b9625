import { deploySequence } from '../../scripts/deploy/order';
import { synthesizeCycle } from './postures';

/*
 * Terraform rules the estate relies on (the language, not AWS), each checked in every posture
 * of a full DR cycle. Both were found by applying the estate to the emulator (npm run drill):
 * the JSON was valid and planned offline, and the first deploy failed.
 */

const cycle = synthesizeCycle();
type Json = Record<string, any>;
const blocks = (json: Json, kind: string, type: string): [string, Json][] => Object.entries(json[kind]?.[type] ?? {});

describe.each(cycle)('$label', (posture) => {
  // terraform_remote_state fails the plan with "Unable to find remote state" when the state
  // object does not exist; `defaults` only stand in for outputs missing from a state that
  // exists (hashicorp/terraform#22211). A stack deployed after this one, or best effort, may
  // have no state yet, so it is read only when a listing of the bucket finds its state. A state
  // persists across postures, so what counts is the first deploy (the normal posture's order).
  test('Terraform: a remote state that the first deploy may not have written is counted on the state object existing', () => {
    const sequence = deploySequence(cycle[0].config);
    for (const [stackName, json] of Object.entries(posture.stacks) as [string, Json][]) {
      const position = sequence.findIndex((s) => s.stack === stackName);
      for (const [name, state] of blocks(json, 'data', 'terraform_remote_state')) {
        const source = String(state.config.key).split('/').slice(-2)[0];
        const sourceStep = sequence.find((s) => s.stack === source);
        const surelyBefore = sourceStep && !sourceStep.bestEffort && sequence.indexOf(sourceStep) < position;
        if (surelyBefore) continue;
        expect({ name, count: state.count }).toEqual({ name, count: expect.stringContaining('data.aws_s3_objects.') });
      }
    }
  });

  // An ephemeral resource is opened at plan time whenever its arguments are known; depends_on
  // does not defer it, an unknown argument does ("Defer provisioning", developer.hashicorp.com/
  // terraform/language/v1.11.x/resources/ephemeral/reference). One that reads what the same
  // stack creates must take an argument from that resource, or the first plan reads nothing.
  test('Terraform: an ephemeral read of something the stack creates refers to it', () => {
    for (const json of Object.values(posture.stacks) as Json[]) {
      const created = new Set(Object.values((json.resource?.aws_secretsmanager_secret ?? {}) as Record<string, Json>).map((s) => s.name));
      for (const [name, read] of blocks(json, 'ephemeral', 'aws_secretsmanager_secret_version')) {
        expect({ name, readsLiteralNameOfOwnSecret: created.has(read.secret_id) }).toEqual({ name, readsLiteralNameOfOwnSecret: false });
      }
    }
  });

  // Terraform docs, "Use temporary write-only arguments": write-only arguments (password_wo,
  // secret_string_wo, data_wo) need Terraform 1.11; an older one fails on them. Every stack says so.
  test('Terraform: every stack requires Terraform 1.11 or later (its write-only arguments need it)', () => {
    for (const [stackName, json] of Object.entries(posture.stacks) as [string, Json][]) {
      expect([stackName, json.terraform.required_version]).toEqual([stackName, '>= 1.11.0']);
    }
    const writeOnly = Object.values(posture.stacks as Record<string, Json>).some((json) => /"\w+_wo"/.test(JSON.stringify(json)));
    expect(writeOnly).toBe(true);
  });
});
