// Workspace settings for Carbon. Every field has a default; see `CarbonConfig` in src/settings/types.ts.
import { defineConfig } from 'carbon';

export default defineConfig({
  workspace: 'github.com/BlackstoneStudio/carbon',
  orb: { namespace: 'blackstone', name: 'carbon', version: '2.2.0', reference: 'registry' },
  circleci: {
    context: 'carbon-aws',
    scheduling: 'schedule-triggers',
    // Holds CIRCLE_TOKEN: a build's last job rebuilds what checks its repository out (cascades).
    cascadeContext: 'carbon-circleci',
  },
  aws: { region: 'us-east-1', accountId: '123456789012' },
  git: {
    transport: 'ssh',
    sshKeys: {
      // The client's organisation gave the agency one key with write access to all its
      // repositories: syncs push release branches there.
      'github.com/Software-as-a-Service-LLC': 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
      // The agency's machine user: clones the carbon and linked repositories, pushes sync branches.
      // (CircleCI shows older keys by their MD5 fingerprint; both forms work.)
      'github.com/BlackstoneStudio': 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
    },
  },
});
