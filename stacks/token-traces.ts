/**
 * cdktf records where every token was created (thousands of times per synthesis) by formatting
 * the whole call stack onto a plain object; those records only feed cdktf's own error messages
 * and never reach the synthesized JSON, yet formatting them is about a tenth of a synthesis (two
 * thirds under jest, whose formatter also maps every frame through source maps).
 *
 * After this call, a stack trace captured on anything but an Error is left empty, while every
 * real Error (of any realm) is formatted exactly as before, by the formatter that was in place.
 * It does nothing while Node applies source maps (`process.sourceMapsEnabled`): a failed synth
 * is re-run that way, and then the creation stacks in cdktf's messages are worth their cost.
 */
export function skipTokenCreationTraces(): void {
  const format = Error.prepareStackTrace;
  if (typeof format !== 'function' || process.sourceMapsEnabled) return;
  Error.prepareStackTrace = (target: Error, frames: NodeJS.CallSite[]) =>
    Object.prototype.toString.call(target) === '[object Error]' ? format(target, frames) : '';
}
