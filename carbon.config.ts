// Workspace settings for Carbon. Every field has a default; see `CarbonConfig` in src/settings/types.ts.
import { defineConfig } from 'carbon';

export default defineConfig({
  orb: { namespace: 'blackstone', name: 'carbon', version: '2.0.0', reference: 'registry' },
  circleci: { context: 'carbon-aws', scheduling: 'schedule-triggers' },
  aws: { region: 'us-east-1', accountId: '123456789012' },
  git: {
    transport: 'ssh',
    // The client's organisation gave the agency one deploy key for all its repositories.
    sshKeys: {
      'github.com/Software-as-a-Service-LLC': 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
    },
  },
});
