// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
require('cdktf/lib/testing/adapters/jest').setupJest();

// Many tests synthesize the whole estate (several times for a DR cycle); on two cores shared
// with other work that can take longer than jest's 5 s default.
jest.setTimeout(30_000);

// cdktf's per-token creation stacks are left empty (real errors keep jest's full, source-mapped
// traces): under jest they were two thirds of every synthesis. See stacks/token-traces.ts.
require('./stacks/token-traces').skipTokenCreationTraces();
