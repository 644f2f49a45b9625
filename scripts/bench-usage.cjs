// Preloaded by npm run bench (node --require) into each synth it times: at exit, the process's
// own CPU time (user + system, in seconds) and peak RSS (MB) go to ESTATE_BENCH_USAGE_FILE.
// CPU time, unlike wall time, barely moves with the machine's load.
const { writeFileSync } = require('node:fs');

const file = process.env.ESTATE_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6, rssMb: usage.maxRSS / 1024 }));
  });
}
