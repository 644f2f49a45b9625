// The verdict of npm run bench (scripts/bench.mjs), apart so a test can show it alive.

/** The q-quantile of numbers (linear between the two nearest ranks). */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  return s[Math.floor(at)] + (s[Math.ceil(at)] - s[Math.floor(at)]) * (at - Math.floor(at));
}

const median = (xs) => quantile(xs, 0.5);

/**
 * Judges interleaved runs of `npm run synth` (`synth`) and of the built bundle (`direct`), each
 * `{ cpu, rssMb }`. The fastest run of each is compared: load only ever adds time, so the
 * minimum CPU time is the steadiest estimate of what each costs. The bundle's own spread (its
 * median run over its fastest) is the machine's noise at the time: a ratio over the target by
 * less than that is `noisy`, judged neither way.
 * @returns the CPU ratio, the noise, the peak RSS and `within`, `over` or `noisy`
 */
function benchVerdict(synth, direct, targets) {
  const fastestDirect = Math.min(...direct.map((d) => d.cpu));
  const fastest = Math.min(...synth.map((s) => s.cpu)) / fastestDirect;
  const noise = median(direct.map((d) => d.cpu)) / fastestDirect - 1;
  const peak = Math.max(...synth.map((s) => s.rssMb));
  const verdict = peak > targets.rssMb || fastest > targets.ratio + noise ? 'over' : fastest <= targets.ratio ? 'within' : 'noisy';
  return { fastest, noise, peak, verdict };
}

exports.benchVerdict = benchVerdict;
exports.quantile = quantile;
exports.median = median;
