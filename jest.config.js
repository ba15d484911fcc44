// One Jest run, two projects: fast unit tests next to the code, and end-to-end tests
// against the real PostgreSQL/PostGIS, Redis and an SMTP server started by the tests.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const libs = [
  'config',
  'database',
  'queue',
  'mail',
  'i18n',
  'audit',
  'auth',
  'http',
  'movements',
  'reviews',
  'gazetteer',
  'deconfliction',
  'exports',
  'metrics',
  'logging',
];
const moduleNameMapper = Object.fromEntries(
  libs.map((name) => [`^@hns/${name}$`, `<rootDir>/libs/${name}/src`]),
);

const common = {
  // NestJS 12 and some of its dependencies ship ES modules only: transform everything.
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  // Per test; end-to-end tests wait on real services (each wait has its own shorter bound).
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    {
      // The web pages in Debian's Chromium (playwright-core): `npm run test:browser`.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
