// Taxaroo: the sample client project from the ECS strategy description, with all five repositories.
import { defineProject } from 'carbon';

const develop = 'develop';

export const taxaroo = defineProject({
  id: 'taxaroo',
  name: 'Taxaroo',
  projectKey: 'TAXR',
  boardId: '32',
  avatar:
    'https://bitbucket-assetroot.s3.amazonaws.com/c/photos/2020/Aug/25/3435059862-1-Taxaroo-App-logo_avatar.png',
  hero: 'https://images.unsplash.com/photo-1490971688337-f2c79913ea7d?ixlib=rb-1.2.1&auto=format&fit=crop&w=1950&q=80',
  repositories: [
    {
      id: 'Taxaroo-API-V2',
      name: 'Taxaroo API',
      build: {
        enabled: true,
        strategy: 'ecs',
        job: 'CarbonBuild',
        branch: develop,
        carbonRepo: 'Taxaroo-Carbon',
        carbonBranch: develop,
        branches: {
          'Taxaroo-App': develop,
          'Taxaroo-Admin': develop,
          'Taxaroo-Clients': develop,
        },
      },
      sync: [
        {
          direction: 'local',
          cron: '0 * * * *',
          branches: { origin: develop, local: 'sync/develop' },
        },
      ],
      local: { git: 'github.com/BlackstoneStudio/Taxaroo-API-V2.git', defaultBranch: develop },
      origin: {
        git: 'github.com/Software-as-a-Service-LLC/taxaroo-api.git',
        defaultBranch: develop,
        defaultBranchFrom: develop,
      },
    },
    {
      id: 'Taxaroo-App',
      name: 'Taxaroo App',
      build: {
        enabled: true,
        strategy: 'ecs',
        job: 'CarbonBuild',
        branch: develop,
        carbonRepo: 'Taxaroo-Carbon',
        carbonBranch: develop,
        branches: { 'Taxaroo-API-V2': develop },
        // The carbon repository's function that creates the App's environment (cluster, service,
        // task definition, roles) when it is missing, run before each rollout.
        provision: { hook: 'infra/app-up.sh' },
      },
      sync: [
        {
          direction: 'local',
          cron: '0 * * * *',
          branches: { origin: develop, local: 'sync/develop' },
        },
        {
          // Hand finished work back to the client on weekday mornings.
          direction: 'origin',
          cron: '0 6 * * 1-5',
          branches: { origin: 'agency/release', local: 'release/client' },
        },
      ],
      local: { git: 'github.com/BlackstoneStudio/Taxaroo-App.git', defaultBranch: develop },
      origin: {
        git: 'github.com/Software-as-a-Service-LLC/taxaroo-app.git',
        defaultBranch: develop,
        defaultBranchFrom: develop,
      },
    },
    {
      id: 'Taxaroo-Admin',
      name: 'Taxaroo Admin',
      build: {
        enabled: true,
        strategy: 'ecs',
        job: 'CarbonBuild',
        branch: develop,
        carbonRepo: 'Taxaroo-Carbon',
        carbonBranch: develop,
        branches: { 'Taxaroo-API-V2': develop },
        // The admin runs as a scheduled task, not a service: the carbon repository deploys it.
        ecs: { deploy: 'hook', hook: 'deploy/admin-task.sh' },
      },
      local: { git: 'github.com/BlackstoneStudio/Taxaroo-Admin.git', defaultBranch: develop },
      origin: {
        git: 'github.com/Software-as-a-Service-LLC/taxaroo-admin.git',
        defaultBranch: develop,
      },
    },
    {
      id: 'Taxaroo-Clients',
      name: 'Taxaroo Clients',
      build: {
        // Paused while the client portal moves to the App; still checked on every run.
        enabled: false,
        strategy: 'ecs',
        job: 'CarbonBuild',
        branch: 'main',
        carbonRepo: 'Taxaroo-Carbon',
        carbonBranch: develop,
        branches: { 'Taxaroo-API-V2': develop },
        ecs: {
          ecrRepository: 'taxaroo/clients-portal',
          cluster: 'taxaroo-portal',
          service: 'clients',
        },
      },
      sync: [
        {
          direction: 'local',
          cron: '0 2 * * *',
          branches: { origin: 'main', local: 'sync/main' },
        },
      ],
      local: { git: 'github.com/BlackstoneStudio/Taxaroo-Clients.git', defaultBranch: 'main' },
      origin: {
        git: 'github.com/Software-as-a-Service-LLC/taxaroo-clients.git',
        defaultBranch: 'main',
      },
    },
    {
      // The carbon repository: Dockerfiles (<repository id>/Dockerfile) and deploy hooks. The
      // agency's own; it has no build of its own and no client origin.
      id: 'Taxaroo-Carbon',
      name: 'Taxaroo Carbon',
      local: { git: 'github.com/BlackstoneStudio/Taxaroo-Carbon.git', defaultBranch: develop },
    },
  ],
});
