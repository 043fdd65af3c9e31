// The addresses and pictures the site derives from the settings instead of fetching anything.
import { describe, expect, it } from 'vitest';
import { avatarOf, contrastRatio, heroOf, initials } from '../../src/site/avatar.ts';
import { circleCiLinks, jiraLinks } from '../../src/site/links.ts';

describe('CircleCI addresses', () => {
  it.each([
    {
      url: 'git@github.com:BlackstoneStudio/Taxaroo-App.git',
      branch: 'develop',
      pipelines: 'https://app.circleci.com/pipelines/github/BlackstoneStudio/Taxaroo-App',
      badge:
        'https://dl.circleci.com/status-badge/img/gh/BlackstoneStudio/Taxaroo-App/tree/develop.svg?style=svg',
    },
    {
      url: 'https://bitbucket.org/acme/web',
      branch: 'release/2.0',
      pipelines: 'https://app.circleci.com/pipelines/bitbucket/acme/web',
      // A "/" in the branch is escaped, as CircleCI's badge addresses need.
      badge:
        'https://dl.circleci.com/status-badge/img/bb/acme/web/tree/release%2F2.0.svg?style=svg',
    },
  ])('$url at $branch', ({ url, branch, pipelines, badge }) => {
    expect(circleCiLinks(url, branch)).toEqual({
      kind: 'project',
      pipelines: { text: pipelines, href: pipelines },
      badge: { text: badge, href: badge },
    });
  });

  it.each([
    'file:///srv/git/api.git',
    'git@gitlab.com:acme/web.git',
    'https://github.com/a/b/c.git',
  ])('has none for %s', (url) => {
    expect(circleCiLinks(url, 'main').kind).toBe('none');
  });
});

describe('Jira links', () => {
  it('link key and board under the base address, and only with one', () => {
    expect(jiraLinks('https://jira.example.com/', 'TAXR', '32')).toEqual({
      key: 'TAXR',
      board: '32',
      keyLink: { text: 'TAXR', href: 'https://jira.example.com/browse/TAXR' },
      boardLink: {
        text: 'board 32',
        href: 'https://jira.example.com/secure/RapidBoard.jspa?rapidView=32',
      },
    });
    expect(jiraLinks(undefined, 'TAXR', '32')).toEqual({ key: 'TAXR', board: '32' });
    expect(jiraLinks('https://jira.example.com', undefined, '7')).toEqual({
      board: '7',
      boardLink: {
        text: 'board 7',
        href: 'https://jira.example.com/secure/RapidBoard.jspa?rapidView=7',
      },
    });
  });
});

describe('made pictures', () => {
  it.each([
    ['Taxaroo', 'TA'],
    ['Client 12', 'C1'],
    ['Beta <Co> & "Sons"', 'BC'],
    ['ärger öl', 'ÄÖ'],
    ['—', '?'],
  ])('initials of %s are %s', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });

  it('gives every project a colour that white initials read on at 4.5:1 or more, the same every time', () => {
    const ratios = Array.from({ length: 500 }, (_, at) => {
      const avatar = avatarOf(`project-${at}`, 'P', undefined);
      return contrastRatio(avatar.background, avatar.foreground);
    });
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(4.5);
    expect(avatarOf('taxaroo', 'Taxaroo', undefined)).toEqual(
      avatarOf('taxaroo', 'Taxaroo', undefined),
    );
    expect(
      new Set(Array.from({ length: 50 }, (_, at) => heroOf(`p${at}`, undefined).from)).size,
    ).toBeGreaterThan(20);
  });

  it('measures contrast as WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBe(21);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
