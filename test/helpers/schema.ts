// CircleCI's official schema for the tests: ../shared/circleci/schema.json (CI) or the copy
// `carbon fetch-schema` keeps. A test that needs it fails, clearly, where neither is there.
import { findSchema } from '../../src/validate/schema-source.ts';

export const SCHEMA = findSchema(undefined, { CARBON_REQUIRE_SCHEMA: '1' }, process.cwd()).path!;
