// Did-you-mean: close names are suggested, far ones are not.
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../src/suggest.ts';

describe('closest', () => {
  const ids = ['Taxaroo-API-V2', 'Taxaroo-App', 'Taxaroo-Admin', 'Taxaroo-Carbon'];
  it.each([
    ['Taxaroo-Carbn', 'Taxaroo-Carbon'],
    ['taxaroo-carbon', 'Taxaroo-Carbon'],
    ['Taxaroo-Ap', 'Taxaroo-App'],
    ['Taxaroo-API', 'Taxaroo-API-V2'],
    ['Taxaroo-Admni', 'Taxaroo-Admin'],
    ['Shared-Infrastructure', undefined],
    ['Carbon', undefined],
  ])('%s -> %s', (name, expected) => {
    expect(closest(name, ids)).toBe(expected);
  });

  it.each([
    ['carbonRepository', 'carbonRepo'],
    ['carbonBranches', 'carbonBranch'],
    ['buildSettings', 'build'],
    ['id', undefined],
  ])('a field written out longer: %s -> %s', (name, expected) => {
    expect(closest(name, ['id', 'carbonRepo', 'carbonBranch', 'branch', 'build'])).toBe(expected);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('ecs', 'esc')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
