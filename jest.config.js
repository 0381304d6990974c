/** Type checking is done once by `tsc --noEmit` in `npm test`; jest only transpiles. */
module.exports = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", {}],
    // The Kubernetes client is ES modules only, which jest on Node 22 cannot require: its quantity helpers are compiled.
    "/@kubernetes/client-node/dist/util\\.js$": ["ts-jest", { tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!@kubernetes/client-node/dist/util\\.js$)"],
  // Every stack is planned once and shared by all test files (test/support/stack-plans.ts).
  globalSetup: "<rootDir>/test/support/stack-plans.ts",
  // One worker per core (jest's default leaves one idle).
  maxWorkers: "100%",
  // A guard against a hang, not a budget: no test is expected to come near it.
  testTimeout: 600000,
};
