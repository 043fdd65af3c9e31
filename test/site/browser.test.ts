// The site in a real browser: Debian's chromium, driven by playwright-core, against the site served
// by `carbon site --serve`'s server on 127.0.0.1. Every page loads with no console error and no
// failed request; the graph has one node per repository and one edge per checkout; axe-core finds
// no accessibility violation; the filter works on a 400-project fleet; keyboard focus shows; a
// phone does not scroll sideways; a served page reloads when the settings change. The screenshots
// are written to test/site/artifacts/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite, type SiteServer } from '../../src/site/serve.ts';
import { buildSite, type SiteResult } from '../../src/site/site.ts';
import { writeFleet } from '../../bench/fleet.mjs';
import { REPO_ROOT } from '../helpers/cli.ts';
import { writeFiles } from '../helpers/workspace.ts';
import { NOW, OTHER_WORKSPACE } from './fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test', 'site', 'artifacts');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FLEET_SIZE = 400;

const temporary: string[] = [];
const servers: SiteServer[] = [];

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-site-'));
  temporary.push(dir);
  return dir;
}

async function build(root: string, out: string): Promise<SiteResult> {
  const result = await buildSite({ root, out, now: NOW, env: {} });
  if (!result.site) throw new Error(`no site: ${JSON.stringify(result.diagnostics)}`);
  return result;
}

async function serve(root: string, out: string): Promise<SiteServer> {
  const server = await serveSite({ root, out, rebuild: () => build(root, out), port: 0 });
  servers.push(server);
  return server;
}

/** Opens a page and collects everything that went wrong while it loaded. */
async function open(
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser()).newPage();
  await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response?.ok()) problems.push(`HTTP ${response?.status()}: ${url}`);
  return { page, problems };
}

// Code that runs in the page is written as strings: this project's TypeScript has no DOM types.

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate<string[]>(`axe.run({ resultTypes: ['violations'] }).then((results) =>
    results.violations.map((v) => v.id + ': ' + v.nodes.map((node) => node.target.join(' ')).join(', ')))`);
}

/**
 * The browser, launched by the first test that needs it. Without chromium every test fails with
 * the same message (none is skipped): the browser checks are part of the suite, not optional.
 */
let launching: Promise<BrowserContext> | undefined;
function browser(): Promise<BrowserContext> {
  launching ??= (async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    return chromium.launchPersistentContext(scratch(), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  })();
  return launching;
}

afterAll(async () => {
  await launching?.then((context) => context.close()).catch(() => undefined);
  for (const server of servers.splice(0)) await server.close();
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the sample site in chromium', () => {
  let result: SiteResult;
  let server: SiteServer;

  beforeAll(async () => {
    // Inside the repository, so that the pages' links to generated/ resolve on the server too.
    const out = join(ARTIFACTS, 'sample-site');
    rmSync(out, { recursive: true, force: true });
    result = await build(REPO_ROOT, out);
    server = await serve(REPO_ROOT, out);
  }, 60_000);

  it('loads every page with no console error and no failed request, and no accessibility violation', async () => {
    const pages = ['index.html', ...result.site!.projects.map((project) => project.path)];
    for (const path of pages) {
      const { page, problems } = await open(`${server.url}${path}`);
      expect({ path, problems }).toEqual({ path, problems: [] });
      expect({ path, violations: await axeViolations(page) }).toEqual({ path, violations: [] });
      await page.close();
    }
  });

  it('draws the link graph with one node per repository and one edge per checkout, each named', async () => {
    const project = result.site!.projects[0]!;
    const { page, problems } = await open(`${server.url}${project.path}`);
    const graph = page.locator('svg.link-graph');
    await expect.poll(() => graph.locator('g.node').count()).toBe(project.repositories.length);
    expect(await graph.locator('g.node').count()).toBe(5);
    expect(await graph.locator('g.edge').count()).toBe(project.graph.edges.length);
    expect(await graph.locator('g.edge').count()).toBe(10);
    await expect
      .poll(() =>
        page
          .getByRole('img', { name: 'Taxaroo Carbon (Taxaroo-Carbon): not built itself' })
          .count(),
      )
      .toBe(1);
    expect(
      await page
        .getByRole('img', { name: 'Taxaroo Admin checks out Taxaroo API at develop' })
        .count(),
    ).toBe(1);
    const box = await graph.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    await page.screenshot({ path: join(ARTIFACTS, 'site-project-full.png'), fullPage: true });
    // The top of the page (the project, its graph, its first repository), as the README shows it.
    await page.setViewportSize({ width: 1280, height: 1320 });
    await page.screenshot({
      path: join(ARTIFACTS, 'site-project.png'),
      clip: { x: 0, y: 0, width: 1280, height: 1320 },
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a phone: nothing scrolls sideways but the graph, inside its frame', async () => {
    for (const path of ['index.html', result.site!.projects[0]!.path]) {
      const { page, problems } = await open(`${server.url}${path}`, { width: 390, height: 844 });
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
      if (path !== 'index.html')
        await page.screenshot({ path: join(ARTIFACTS, 'site-project-phone.png') });
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('links each generated config so that the server gives it', async () => {
    const { page } = await open(`${server.url}${result.site!.projects[0]!.path}`);
    const href = await page
      .getByRole('link', { name: 'generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml' })
      .getAttribute('href');
    const response = await page.request.get(new URL(href!, page.url()).href);
    expect(response.status()).toBe(200);
    expect(await response.text()).toBe(
      readFileSync(
        join(REPO_ROOT, 'generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml'),
        'utf8',
      ),
    );
    await page.close();
  });

  it('reloads an open page when the settings change', async () => {
    const root = scratch();
    writeFiles(root, OTHER_WORKSPACE);
    const out = join(root, 'site');
    await build(root, out);
    const watched = await serve(root, out);
    const { page, problems } = await open(`${watched.url}projects/acme.html`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Acme');
    const settings = join(root, 'projects', 'acme.ts');
    writeFileSync(
      settings,
      readFileSync(settings, 'utf8').replace("name: 'Acme',", "name: 'Acme Renamed',"),
    );
    await expect
      .poll(() => page.locator('h1').textContent(), { timeout: 15_000 })
      .toBe('Acme Renamed');
    // Reloading ends the page's own event stream, which the browser reports as aborted: nothing else.
    expect(problems).toEqual([`failed: ${watched.url}__carbon/reload net::ERR_ABORTED`]);
    await page.close();
  });
});

describe(`a ${FLEET_SIZE}-project fleet in chromium`, () => {
  let result: SiteResult;
  let server: SiteServer;

  beforeAll(async () => {
    const root = scratch();
    writeFleet(root, FLEET_SIZE);
    result = await build(root, join(root, 'site'));
    server = await serve(root, join(root, 'site'));
  }, 120_000);

  it('filters the index by name, id or Jira key, and says how many match', async () => {
    const { page, problems } = await open(`${server.url}index.html`);
    const cards = page.locator('#projects > li');
    const visible = page.locator('#projects > li:visible');
    expect(await cards.count()).toBe(FLEET_SIZE);
    const filter = page.getByLabel('Filter projects by name, id or Jira key');
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toBe(`Showing all ${FLEET_SIZE} projects`);

    const matching = (words: string[]) =>
      result.site!.index.cards.filter((card) => words.every((word) => card.search.includes(word)));
    await filter.fill('Client 42');
    const expected = matching(['client', '42']);
    expect(expected.length).toBeGreaterThan(1);
    await expect.poll(() => visible.count()).toBe(expected.length);
    expect(await status.textContent()).toBe(`Showing ${expected.length} of ${FLEET_SIZE} projects`);
    expect(await visible.locator('h2').allTextContents()).toEqual(
      expected.map((card) => card.name),
    );

    await filter.fill('client0123');
    await expect.poll(() => visible.locator('h2').allTextContents()).toEqual(['Client 123']);
    await filter.fill('no such project');
    await expect.poll(() => visible.count()).toBe(0);
    await filter.fill('');
    await expect.poll(() => visible.count()).toBe(FLEET_SIZE);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('reaches the filter by keyboard and shows where the focus is', async () => {
    const { page } = await open(`${server.url}index.html`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe(
      'Skip to the content',
    );
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('filter');
    const outline = await page.evaluate<string>(
      `(() => { const style = getComputedStyle(document.activeElement); return style.outlineStyle + ' ' + style.outlineWidth; })()`,
    );
    expect(outline).toBe('solid 3px');
    await page.keyboard.type('client0007');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Showing 1 of 400 projects');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/projects\/client0007\.html$/);
    expect(await page.locator('h1').textContent()).toBe('Client 7');
    await page.close();
  });

  it('loads the index and project pages with no error, no failed request and no accessibility violation', async () => {
    const projects = result.site!.projects;
    for (const path of [
      'index.html',
      projects[0]!.path,
      projects[199]!.path,
      projects.at(-1)!.path,
    ]) {
      const { page, problems } = await open(`${server.url}${path}`);
      expect({ path, problems }).toEqual({ path, problems: [] });
      if (path !== 'index.html') {
        const project = projects.find((p) => p.path === path)!;
        expect(await page.locator('svg.link-graph g.node').count()).toBe(
          project.graph.nodes.length,
        );
        expect(await page.locator('svg.link-graph g.edge').count()).toBe(
          project.graph.edges.length,
        );
      }
      expect({ path, violations: await axeViolations(page) }).toEqual({ path, violations: [] });
      await page.close();
    }
  }, 60_000);
});
