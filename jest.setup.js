// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
require('cdktf/lib/testing/adapters/jest').setupJest();

// Many tests synthesize the whole estate (several times for a DR cycle); on two loaded cores
// (CI runs the drill beside nothing else, but a developer may) that can pass jest's 5 s default.
jest.setTimeout(30_000);
