// The command line's options, parsed in process: what each spec gives, and each refusal in
// Carbon's words (the CLI tests spawn Carbon for the few a user meets first).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseArgs } from '../src/cli/args.ts';

const SPECS = {
  root: { type: 'string', value: 'DIR', description: 'The workspace.' },
  param: { type: 'string', value: 'K=V', multiple: true, description: 'A parameter.' },
  keep: { type: 'boolean', description: 'Keep it.' },
  help: { type: 'boolean', short: 'h', description: 'Help.' },
} as const;

const parse = (args: string[]) => parseArgs(args, SPECS, 'carbon run', new Map([['json', ['ls']]]));

describe('parseArgs', () => {
  it('types each option from its spec', () => {
    const { options } = parse([]);
    expectTypeOf(options.root).toEqualTypeOf<string | undefined>();
    expectTypeOf(options.param).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(options.keep).toEqualTypeOf<true | undefined>();
    // @ts-expect-error: a misspelled option is no option of the spec
    void options.rot;
  });

  it.each([
    [['a', '--root', 'x', 'b'], { root: 'x' }, ['a', 'b']],
    [['--root=-x', '-'], { root: '-x' }, ['-']],
    [
      ['--param', 'a=1', '--param=b=2', '--keep', '-h'],
      { param: ['a=1', 'b=2'], keep: true, help: true },
      [],
    ],
    [['--root', '-', '--', '--keep', '-h'], { root: '-' }, ['--keep', '-h']],
  ])('%j', (args, options, positionals) => {
    const parsed = parse(args);
    expect({ ...parsed.options }).toEqual(options);
    expect(parsed.positionals).toEqual(positionals);
  });

  it.each([
    [
      ['--rot', 'x'],
      'carbon run has no option --rot (did you mean --root?): see `carbon run --help`',
    ],
    [['-xyz'], 'carbon run has no option -xyz: see `carbon run --help`'],
    [['--toString'], 'carbon run has no option --toString: see `carbon run --help`'],
    [['--json'], '--json is an option of `carbon ls` only: see `carbon run --help`'],
    [['--root'], '--root needs a value: --root DIR'],
    [['--root', '--keep'], '--root needs a value: --root DIR'],
    [['--keep=yes'], '--keep takes no value (got "yes"): see `carbon run --help`'],
    [['--root', 'a', '--root=b'], '--root is given twice: see `carbon run --help`'],
  ])('refuses %j', (args, message) => {
    expect(() => parse(args)).toThrow(message);
  });
});
