// Carbon's orb templates come packed (templates/orb.packed.json), so that a new machine does not
// parse their YAML on its first run. The pack must be what packing the templates gives now, with
// the templates' hash: a commit that changes the templates or the packing without it fails here.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packedOrbText } from '../../src/emit/orb.ts';
import { ORB_TEMPLATES, PACKED_ORB } from '../../src/paths.ts';

describe('the committed pack of the orb templates', () => {
  it('is the orb packed from templates/orb/ now, with their hash', () => {
    const expected = packedOrbText(ORB_TEMPLATES);
    if (process.env['UPDATE_PACKED_ORB'] === '1') writeFileSync(PACKED_ORB, expected);
    expect(
      readFileSync(PACKED_ORB, 'utf8'),
      'templates/orb.packed.json is stale: UPDATE_PACKED_ORB=1 npx vitest run test/orb/packed.test.ts rewrites it',
    ).toBe(expected);
  });
});
