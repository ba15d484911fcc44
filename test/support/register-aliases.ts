import Module from 'node:module';
import { join } from 'node:path';

/*
 * Jest loads globalSetup with Node's own require(), which ignores moduleNameMapper, so
 * '@hns/<lib>' imports would not resolve there. Map them like jest.config.js and tsconfig do.
 */
type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolve = loader._resolveFilename;
const libs = join(__dirname, '..', '..', 'libs');

loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
  const alias = /^@hns\/([a-z0-9-]+)$/.exec(request);
  return resolve.call(this, alias ? join(libs, alias[1], 'src') : request, ...rest);
};
