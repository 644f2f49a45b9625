// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
require('cdktf/lib/testing/adapters/jest').setupJest();
