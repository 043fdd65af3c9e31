// Carbon's public API: what settings modules import (`import { defineProject } from 'carbon'`).
export { defineConfig, defineProject } from './settings/define.ts';
export type {
  AwsSettings,
  BuildSettings,
  CarbonConfig,
  CircleCISettings,
  CloudFormationSettings,
  EcsSettings,
  GitSettings,
  LocalRemote,
  OrbSettings,
  OriginRemote,
  ProjectSettings,
  ProvisionSettings,
  RepositorySettings,
  SyncRule,
} from './settings/types.ts';
