/*
 * The estate as checkov sees it: every resource, data source and provider block of every
 * synthesized stack, with the few graph questions checkov's CKV2 rules ask (is this bucket
 * referred to by a logging resource, is this security group used by anything).
 */
import type { SynthesizedStack } from '../helpers';

/** What a checkov rule inspects: a resource, a data source or a provider block. */
export type Block = 'resource' | 'data' | 'provider';

/** One block of one stack. */
export interface Entity {
  readonly stack: string;
  readonly block: Block;
  readonly type: string;
  readonly name: string;
  /** `type.name` (`data.type.name` for data sources, `provider.aws` for providers). */
  readonly address: string;
  /** The block's arguments as synthesized (snake_case, nested blocks as objects or lists). */
  readonly values: Record<string, any>;
  /** The block as text, for reference searches. */
  readonly text: string;
}

/** Everything of every stack, and the questions asked across blocks. */
export class Estate {
  readonly entities: readonly Entity[];

  constructor(stacks: readonly SynthesizedStack[]) {
    const entities: Entity[] = [];
    for (const stack of stacks) {
      for (const block of ['resource', 'data'] as const) {
        const byType = (stack.json[block] ?? {}) as Record<string, Record<string, Record<string, any>>>;
        for (const [type, byName] of Object.entries(byType)) {
          for (const [name, values] of Object.entries(byName)) {
            const address = block === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
            entities.push({ stack: stack.name, block, type, name, address, values, text: JSON.stringify(values) });
          }
        }
      }
      for (const [type, configs] of Object.entries(stack.json.provider ?? {})) {
        for (const values of configs) {
          const alias = typeof values.alias === 'string' ? `.${values.alias}` : '';
          entities.push({
            stack: stack.name,
            block: 'provider',
            type,
            name: `${type}${alias}`,
            address: `provider.${type}${alias}`,
            values,
            text: JSON.stringify(values),
          });
        }
      }
    }
    this.entities = entities;
  }

  /** The resources of one stack of a type. */
  resources(stack: string, type: string): Entity[] {
    return this.entities.filter((e) => e.stack === stack && e.block === 'resource' && e.type === type);
  }

  /** Resources of `type` in the entity's stack whose arguments refer to the entity. */
  referrers(entity: Entity, type: string): Entity[] {
    const ref = `\${${entity.address}.`;
    return this.resources(entity.stack, type).filter((r) => r.text.includes(ref));
  }

  /** Resources of `type` in the entity's stack that the entity's arguments refer to. */
  referenced(entity: Entity, type: string): Entity[] {
    return this.resources(entity.stack, type).filter((r) => entity.text.includes(`\${${r.address}.`));
  }

  /** Whether the entity and a resource of one of `types` refer to each other, either way. */
  connected(entity: Entity, types: readonly string[]): boolean {
    return types.some((t) => this.referrers(entity, t).length > 0 || this.referenced(entity, t).length > 0);
  }

  /**
   * An IAM policy argument as a document: a JSON string, or a reference to a
   * `data.aws_iam_policy_document` of the same stack (read from its statements).
   */
  policy(entity: Entity, value: unknown): PolicyStatement[] | undefined {
    if (typeof value !== 'string') return undefined;
    const ref = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(value);
    if (ref) {
      const doc = this.entities.find(
        (e) => e.stack === entity.stack && e.block === 'data' && e.type === 'aws_iam_policy_document' && e.name === ref[1],
      );
      return doc ? statementsOfDocument(doc.values) : undefined;
    }
    try {
      const parsed = JSON.parse(value) as { Statement?: unknown };
      return list(parsed.Statement).map((s: any) => ({
        effect: s.Effect ?? 'Allow',
        actions: list(s.Action),
        notActions: list(s.NotAction),
        resources: list(s.Resource),
        principals: principalsOf(s.Principal),
        conditions: s.Condition ? Object.keys(s.Condition).length : 0,
      }));
    } catch {
      return undefined;
    }
  }
}

/** One IAM statement, normalized. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  /** `type:identifier` pairs, `*` for a bare wildcard principal. */
  readonly principals: string[];
  /** Number of conditions. */
  readonly conditions: number;
}

/** A value or a list of values as a list (Terraform JSON writes single blocks as objects). */
export function list(value: unknown): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first block of a nested block argument. */
export function first(value: unknown): Record<string, any> | undefined {
  return list(value)[0];
}

function principalsOf(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['*'];
  return Object.entries(principal as Record<string, unknown>).flatMap(([type, ids]) => list(ids).map((id) => `${type}:${id}`));
}

/** Statements of a `data.aws_iam_policy_document`. */
export function statementsOfDocument(values: Record<string, any>): PolicyStatement[] {
  return list(values.statement).map((s: any) => ({
    effect: s.effect ?? 'Allow',
    actions: list(s.actions),
    notActions: list(s.not_actions),
    resources: list(s.resources),
    principals: list(s.principals).flatMap((p: any) => list(p.identifiers).map((id: string) => `${p.type}:${id}`)),
    conditions: list(s.condition).length,
  }));
}
