import { z } from 'zod';
import { estateConfigSchema } from '../../config/schema';
test('j', () => {
  const j = z.toJSONSchema(estateConfigSchema, { io: 'input', unrepresentable: 'any' }) as any;
  const out: string[] = [];
  const walk = (node: any, path: string) => {
    if (node.type === 'object' && node.properties) { for (const [k, v] of Object.entries(node.properties)) walk(v, path ? `${path}.${k}` : k); return; }
    out.push(`${path} default=${JSON.stringify(node.default)}`);
  };
  walk(j, '');
  console.log(out.join('\n'));
});
