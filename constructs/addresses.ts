import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/*
 * How the estate names Terraform addresses: the construct path below the stack, in
 * snake_case, without cdktf's hash suffix (`network_public_0`). One function, used by the
 * stacks to allocate ids and by constructs that must name an address no construct holds
 * any more (a `removed` block).
 */

/** The logical id of a path of construct ids below a stack. `Default` parts are skipped. */
export function logicalIdFromPath(components: readonly string[]): string {
  return components
    .filter((c) => c !== 'Default')
    .map((c) => c.replace(/[^A-Za-z0-9_]+/g, '_'))
    .join('_');
}

/** The address a child with id `childId` of `scope` would have, as `<type>.<logical id>`. */
export function addressOfChild(scope: Construct, childId: string, resourceType: string): string {
  const stack = TerraformStack.of(scope);
  const scopes = scope.node.scopes;
  const below = scopes.slice(scopes.indexOf(stack) + 1).map((c) => c.node.id);
  return `${resourceType}.${logicalIdFromPath([...below, childId])}`;
}

/**
 * Tells Terraform to stop managing a resource whose construct is gone, without destroying it
 * (a `removed` block with `destroy = false`, Terraform >= 1.7).
 */
export function forgetWithoutDestroying(scope: Construct, address: string): void {
  const stack = TerraformStack.of(scope);
  const blocks = removedBlocks.get(stack) ?? [];
  blocks.push({ from: address, lifecycle: { destroy: false } });
  removedBlocks.set(stack, blocks);
  // Escape hatch: cdktf 0.21 has no construct for `removed` blocks; the whole list is set
  // each time, so several constructs can add to it.
  stack.addOverride('removed', blocks);
}

const removedBlocks = new WeakMap<TerraformStack, object[]>();
