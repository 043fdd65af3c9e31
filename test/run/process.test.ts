// Config processing for `carbon run`: parameters bound and substituted, commands and steps
// parameters expanded, when/unless evaluated, and clear errors that name the job and the step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { processJob, ProcessError, type ProcessedStep } from '../../src/run/process.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const ORB = parse(`
commands:
  greet:
    parameters:
      who: { type: string }
      loud: { type: boolean, default: false }
    steps:
      - run:
          name: Greet << parameters.who >>
          environment:
            WHO: << parameters.who >>
          command: echo "hello $WHO" \\<< not a parameter
      - when:
          condition: << parameters.loud >>
          steps:
            - run: { name: Shout, command: echo LOUD }
jobs:
  Hello:
    executor: box
    parameters:
      who: { type: string }
      mode: { type: enum, enum: [quiet, loud], default: quiet }
      count: { type: integer, default: 2 }
      extra: { type: steps, default: [] }
    steps:
      - checkout:
          path: << parameters.who >>
      - greet:
          who: << parameters.who >>
          loud: true
      - steps: << parameters.extra >>
      - unless:
          condition:
            equal: [quiet, << parameters.mode >>]
          steps:
            - run: { name: Not quiet, command: echo << parameters.count >> }
executors:
  box:
    parameters:
      tag: { type: string, default: '1.2' }
    docker:
      - image: example/box:<< parameters.tag >>
`) as Record<string, never>;

const summary = (steps: ProcessedStep[]) =>
  steps.map((step) =>
    step.kind === 'run'
      ? `run ${step.name}: ${step.command}`
      : step.kind === 'checkout'
        ? `checkout ${step.path}`
        : step.kind,
  );

describe('processJob', () => {
  it('binds parameters with defaults, substitutes them and expands commands, steps and conditions', () => {
    const job = processJob(ORB, 'x', 'x/Hello', {
      who: 'world',
      context: 'ignored',
      filters: { branches: { only: 'main' } },
    });
    expect(job.image).toBe('example/box:1.2');
    expect(job.parameters).toEqual({ who: 'world', mode: 'quiet', count: 2, extra: [] });
    expect(summary(job.steps)).toEqual([
      'checkout world',
      'run Greet world: echo "hello $WHO" << not a parameter',
      'run Shout: echo LOUD',
    ]);
    expect(job.steps[1]).toMatchObject({ environment: { WHO: 'world' } });
  });

  it('splices a steps parameter given by the config, with the orb alias on its commands', () => {
    const job = processJob(ORB, 'x', 'x/Hello', {
      who: 'a',
      mode: 'loud',
      count: 5,
      extra: [{ 'x/greet': { who: 'b' } }],
    });
    expect(summary(job.steps)).toEqual([
      'checkout a',
      'run Greet a: echo "hello $WHO" << not a parameter',
      'run Shout: echo LOUD',
      'run Greet b: echo "hello $WHO" << not a parameter',
      'run Not quiet: echo 5',
    ]);
  });

  it.each([
    [
      { who: 'a', mode: 'shouting' },
      'job x/Hello: parameter mode must be one of quiet, loud, not "shouting"',
    ],
    [{}, 'job x/Hello: the required parameter who is missing'],
    [
      { who: 'a', wat: 1 },
      'job x/Hello: wat is not a parameter (its parameters: who, mode, count, extra)',
    ],
    [{ mode: 'loud' }, 'job x/Hello: the required parameter who is missing'],
    [{ who: 'a', count: 'two' }, 'job x/Hello: parameter count must be an integer, not "two"'],
    [
      { who: 'a', extra: [{ 'x/greet': {} }] },
      'job x/Hello, step 3, step 1 (command x/greet): the required parameter who is missing',
    ],
    [
      { who: 'a', extra: ['x/nope'] },
      'job x/Hello, step 3, step 1: "x/nope" is no command of the orb (its commands: greet)',
    ],
  ])('refuses %j: %s', (given, message) => {
    expect(() => processJob(ORB, 'x', 'x/Hello', given)).toThrow(new ProcessError(message));
  });

  it('refuses a job the orb does not have', () => {
    expect(() => processJob(ORB, 'x', 'x/Bye', {})).toThrow(
      'job x/Bye is not a job of the orb x (its jobs: x/Hello)',
    );
  });

  it('processes the real CarbonSync of orb.yml into its five steps', () => {
    const orb = parse(readFileSync(join(REPO_ROOT, 'orb.yml'), 'utf8')) as Record<string, never>;
    const job = processJob(orb, 'carbon', 'carbon/CarbonSync', {
      source_url: 'file:///srv/a.git',
      source_branch: 'main',
      target_url: 'file:///srv/b.git',
      target_branch: 'sync/main',
    });
    expect(job.steps.map((step) => step.kind)).toEqual([
      'run',
      'add_ssh_keys',
      'run',
      'run',
      'run',
    ]);
    const sync = job.steps[3]!;
    expect(sync.kind === 'run' && sync.environment).toEqual({
      CARBON_SYNC_SOURCE_URL: 'file:///srv/a.git',
      CARBON_SYNC_SOURCE_BRANCH: 'main',
      CARBON_SYNC_TARGET_URL: 'file:///srv/b.git',
      CARBON_SYNC_TARGET_BRANCH: 'sync/main',
      CARBON_SYNC_SOURCE_SSH_KEY: '',
      CARBON_SYNC_TARGET_SSH_KEY: '',
      CARBON_GIT_TOKEN_ENV: 'CARBON_GIT_TOKEN',
      CARBON_HELPERS: readFileSync(join(REPO_ROOT, 'templates/orb/scripts/helpers.sh'), 'utf8'),
      CARBON_GIT_HELPERS: readFileSync(join(REPO_ROOT, 'templates/orb/scripts/git.sh'), 'utf8'),
    });
    expect(sync.kind === 'run' && sync.command).toBe(
      readFileSync(join(REPO_ROOT, 'templates/orb/scripts/sync.sh'), 'utf8'),
    );
  });
});
