// `carbon ls` as text: a table with a row per repository, grouped by project, when it fits the
// terminal; on a terminal too narrow for it, the same facts stacked, a block per repository with
// its labels aligned (and without the facts it does not have). A disabled build produces nothing, so it shows as "disabled" with nothing
// checked out, pushed or deployed.
import { wrap } from '../wrap.ts';
import {
  rebuiltWhen,
  type BuildListing,
  type ProjectListing,
  type RepositoryListing,
  type SyncListing,
} from './listing.ts';
import { renderTable, type Table } from './table.ts';

const NONE = '-';
const HEADERS = [
  'PROJECT',
  'REPOSITORY',
  'BUILD',
  'CHECKS OUT',
  'REBUILT WHEN',
  'ECR',
  'DEPLOY',
  'SYNC',
];
/**
 * SYNC reads well wrapped down to 40 characters; CHECKS OUT, REBUILT WHEN and DEPLOY down to their
 * longest word.
 */
const SHRINKABLE = [
  { column: 7, min: 40 },
  { column: 3, min: 0 },
  { column: 4, min: 0 },
  { column: 6, min: 0 },
];

export function listingText(projects: ProjectListing[], width?: number): string {
  return listingTable(projects, width) ?? listingBlocks(projects, width ?? Infinity);
}

/** The facts of a repository, each its lines: what both layouts show. */
function facts(repository: RepositoryListing) {
  const build = repository.build?.enabled ? repository.build : undefined;
  return {
    build: repository.build ? (build ? build.branch : 'disabled') : NONE,
    checksOut: build ? checkouts(build) : [NONE],
    rebuiltWhen: build && build.rebuiltBy.length > 0 ? rebuiltWhen(build.rebuiltBy) : [NONE],
    ecr: build ? build.ecrRepository : NONE,
    deploy: build ? deploy(build) : [NONE],
    sync: repository.syncs.length > 0 ? repository.syncs.map(sync) : [NONE],
  };
}

function listingTable(projects: ProjectListing[], width?: number): string | undefined {
  const table: Table = { headers: HEADERS, rows: [], shrinkable: SHRINKABLE };
  for (const project of projects) {
    project.repositories.forEach((repository, index) => {
      const shown = facts(repository);
      table.rows.push({
        group: index === 0,
        cells: [
          [index === 0 ? project.id : ''],
          [repository.id],
          [shown.build],
          shown.checksOut,
          shown.rebuiltWhen,
          [shown.ecr],
          shown.deploy,
          shown.sync,
        ],
      });
    });
  }
  return renderTable(table, width);
}

const LABELS = ['build', 'checks out', 'rebuilt when', 'ecr', 'deploy', 'sync'];
const LABEL_WIDTH = Math.max(...LABELS.map((label) => label.length)) + 2;

function listingBlocks(projects: ProjectListing[], width: number): string {
  const lines: string[] = [];
  const value = (label: string, texts: string[]) => {
    const indent = `    ${' '.repeat(LABEL_WIDTH)}`;
    texts.forEach((text, index) => {
      const head = index === 0 ? `    ${label.padEnd(LABEL_WIDTH)}` : indent;
      wrap(text, Math.max(20, width - indent.length)).forEach((line, at) =>
        lines.push(`${at === 0 ? head : indent}${line}`),
      );
    });
  };
  projects.forEach((project, index) => {
    if (index > 0) lines.push('');
    lines.push(`${project.id} (${project.name}): ${project.source}`);
    for (const repository of project.repositories) {
      const shown = facts(repository);
      lines.push(`  ${repository.id}`);
      value('build', [shown.build]);
      // The rest only when there is something to say: the block is for narrow screens.
      if (shown.ecr !== NONE) {
        value('checks out', shown.checksOut);
        if (shown.rebuiltWhen[0] !== NONE) value('rebuilt when', [shown.rebuiltWhen.join(' ')]);
        value('ecr', [shown.ecr]);
        value('deploy', shown.deploy);
      }
      if (repository.syncs.length > 0) value('sync', shown.sync);
    }
  });
  return `${lines.join('\n')}\n`;
}

function checkouts(build: BuildListing): string[] {
  return [
    `${build.carbon.repository}@${build.carbon.branch} (carbon)`,
    ...build.linked.map(({ repository, branch }) => `${repository}@${branch}`),
  ];
}

/** What follows the push: the provision step, then the deploy (none after a stack, which deploys). */
function deploy({ deploy, provision }: BuildListing): string[] {
  const lines: string[] = [];
  if (provision?.kind === 'hook') lines.push(`provision ${provision.hook}`);
  if (provision?.kind === 'cloudformation')
    lines.push(`stack ${provision.stack} (${provision.template})`);
  if (deploy.mode === 'ecs_service') lines.push(`${deploy.cluster}/${deploy.service}`);
  else if (deploy.mode === 'hook') lines.push(`hook ${deploy.hook}`);
  else if (lines.length === 0) lines.push('none (push only)');
  return lines;
}

function sync(rule: SyncListing): string {
  return `${rule.from.side} ${rule.from.branch} → ${rule.to.side} ${rule.to.branch}: ${rule.when}`;
}
