// The README's "Put it live" examples are what Carbon prints: each `<!-- example: NAME -->` block
// is the output of the scenario of that name, run here against the CircleCI stand-in, and each
// `<!-- example-config: NAME -->` block is a config CircleCI's schema accepts. After changing what
// the commands print, `UPDATE_README=1 npx vitest run test/deliver/readme.test.ts` writes the
// blocks again from the real output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCHEMA } from '../helpers/schema.ts';
import { validateAgainstSchema } from '../../src/validate/schema.ts';
import { STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import {
  API_SYNCS,
  deliveryFixture,
  HAND_MADE_SCHEDULE,
  type DeliveryFixture,
} from '../helpers/circleci-workspace.ts';
import { README, expectReadmeBlocks } from '../helpers/readme.ts';

const BLOCK = /(<!-- example: ([\w-]+) -->\n\n```\n)([\s\S]*?)(```\n)/g;

let fixture: DeliveryFixture;
afterEach(() => fixture?.api.close());

/**
 * The drift of the README: after an apply, someone moves a schedule's hour in CircleCI's web app,
 * a sync rule is removed from the settings, and someone makes a schedule of their own.
 */
async function driftExamples(): Promise<Record<string, string>> {
  fixture = await deliveryFixture('oauth');
  expect((await fixture.carbon(['apply'])).code).toBe(0);
  const edited = fixture.api
    .schedules('gh/acme/api')
    .find((s) => s['name'] === 'carbon-sync-to-origin-agency/release')!;
  const byHand = await fetch(`${fixture.api.url}/schedule/${edited['id'] as string}`, {
    method: 'PATCH',
    headers: { 'Circle-Token': STAND_IN_TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      timetable: { ...(edited['timetable'] as object), 'hours-of-day': [9] },
    }),
  });
  expect(byHand.status).toBe(200);
  fixture.api.addScheduleByHand('gh/acme/api', HAND_MADE_SCHEDULE);
  await fixture.setSyncs(API_SYNCS.slice(1));
  const plan = await fixture.carbon(['plan']);
  expect(plan.code).toBe(1);
  const apply = await fixture.carbon(['apply', '--yes']);
  expect(apply.code).toBe(0);
  expect(apply.stdout.startsWith(plan.stdout)).toBe(true);
  return {
    'plan-drift': `$ npm run carbon -- plan\n${plan.stdout}`,
    'apply-drift': `$ npm run carbon -- apply --yes\n...\n${apply.stdout.slice(plan.stdout.length)}`,
  };
}

/** A first plan with orb.namespace set: the orb, made and published, comes first. */
async function orbExample(): Promise<Record<string, string>> {
  const orbFixture = await deliveryFixture('oauth');
  try {
    const config = join(orbFixture.root, 'carbon.config.ts');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        'export default {',
        "export default { orb: { namespace: 'acme-agency' },",
      ),
    );
    expect((await orbFixture.carbon(['generate'])).code).toBe(0);
    orbFixture.api.orbs.addNamespace('acme-agency');
    const plan = await orbFixture.carbon(['plan']);
    expect(plan.code).toBe(1);
    // The orb's group; its digest changes with every change of the orb.
    const group = plan.stdout.slice(0, plan.stdout.indexOf('\n\n') + 1);
    return {
      'orb-plan': `$ npm run carbon -- plan\n${group.replace(/sha256:[0-9a-f]+…/, 'sha256:…')}...\n`,
    };
  } finally {
    await orbFixture.api.close();
  }
}

describe('the README', () => {
  it('shows what carbon plan and carbon apply print', async () => {
    expectReadmeBlocks(BLOCK, { ...(await driftExamples()), ...(await orbExample()) });
  });

  it('shows CircleCI configs the official schema accepts', () => {
    const text = readFileSync(README, 'utf8');
    const configs = [
      ...text.matchAll(/<!-- example-config: [\w-]+ -->\n\n```yaml\n([\s\S]*?)```\n/g),
    ];
    expect(configs.length).toBeGreaterThan(0);
    for (const [, yaml] of configs) expect(validateAgainstSchema(SCHEMA, parse(yaml!))).toEqual([]);
  });
});
