import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estate } from '../../config/estate';
import { freeLoopbackPort, startEmulator } from '../../scripts/drill/emulator';
import { gitDataDrill } from '../../scripts/drill/git-data';
export async function main(argv: string[]) { const mode = argv[0];
  await (async () => {
  const emulator = await startEmulator({ accountId: '111122223333' });
  const t = Date.now();
  try {
    const report = await gitDataDrill({ emulator: emulator.endpoint, closedEndpoint: `http://127.0.0.1:${await freeLoopbackPort()}`, workDir: mkdtempSync(join(tmpdir(), 'gd-')), input: estate, log: console.log, switchOrder: (mode as any) ?? 'deploy' });
    console.log(JSON.stringify(report, null, 1));
  } catch (e) { console.error('ERR', e); }
  finally { await emulator.stop(); console.log('s', (Date.now()-t)/1000); }
  })(); return 0; }
