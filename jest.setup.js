// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
require('cdktf/lib/testing/adapters/jest').setupJest();

// Many tests synthesize the whole estate (several times for a DR cycle); on two cores shared
// with other work that can take longer than jest's 5 s default.
jest.setTimeout(30_000);

// cdktf records where every token was created (thousands per synthesis) by formatting the whole
// call stack onto a plain object; under jest each frame also goes through its source-map
// lookup, which made that two thirds of every synthesis. Those records only feed cdktf's own
// error messages, never the synthesized JSON. So stack traces of plain objects are left empty
// here, while every real Error (of any realm) keeps jest's full, source-mapped trace.
const jestPrepareStackTrace = Error.prepareStackTrace;
if (typeof jestPrepareStackTrace === 'function') {
  Error.prepareStackTrace = (target, frames) =>
    Object.prototype.toString.call(target) === '[object Error]' ? jestPrepareStackTrace(target, frames) : '';
}
